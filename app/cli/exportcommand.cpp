#include "cliutil.h"
#include "commands.h"

#include "record/exporter.h"
#include "record/recordingfile.h"

#include <QFile>
#include <QSaveFile>

#include <optional>

namespace gotriage::cli {

int exportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Export a recording over a time range: its samples as OpenMetrics text (for promtool tsdb "
                       "create-blocks-from openmetrics) or CSV, or its captured profiles (.pb.gz, for go tool "
                       "pprof) and goroutine dumps (.txt) into a folder."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the recording"));
    parser.addOption(
        {QStringLiteral("format"), QStringLiteral("openmetrics, csv or profiles"), QStringLiteral("FORMAT")});
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("where to write (replaced only once complete); a folder for profiles"),
                      QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("from"),
                      QStringLiteral("start: ms since the epoch, ISO 8601, or +SECONDS from the recording's start"),
                      QStringLiteral("T")});
    parser.addOption({QStringLiteral("to"),
                      QStringLiteral("end: ms since the epoch, ISO 8601, or -SECONDS before the recording's end"),
                      QStringLiteral("T")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;
    const QString format = parser.value(QStringLiteral("format"));
    const QString outPath = parser.value(QStringLiteral("out"));
    if ((format != QLatin1String("openmetrics") && format != QLatin1String("csv")
         && format != QLatin1String("profiles"))
        || outPath.isEmpty()) {
        printErr(QStringLiteral(
            "gotriage-cli: export FILE --format openmetrics|csv|profiles --out PATH [--from T] [--to T]"));
        return kExitUsage;
    }
    record::RecordingReader reader;
    if (!openRecording(reader, parser.positionalArguments().at(0)))
        return kExitUsage;
    QString error;
    const auto [first, last] = reader.timeRange();
    const auto from = parser.isSet(QStringLiteral("from")) ? momentOf(parser.value(QStringLiteral("from")), first, last)
                                                           : std::optional(first);
    const auto to = parser.isSet(QStringLiteral("to")) ? momentOf(parser.value(QStringLiteral("to")), first, last)
                                                       : std::optional(last);
    if (!from || !to || *to < *from) {
        printErr(QStringLiteral("gotriage-cli: --from and --to take ms since the epoch, an ISO 8601 time, +SECONDS "
                                "or -SECONDS, with --from before --to"));
        return kExitUsage;
    }
    if (format == QLatin1String("profiles")) {
        QStringList written;
        record::ExportStats stats;
        const bool ok = record::exportCaptures(reader, *from, *to, outPath, &written, &stats, &error);
        for (const QString &path : written)
            printOut(path.toStdString());
        if (!error.isEmpty())
            printErr(QStringLiteral("gotriage-cli: ") + error);
        printErr(QStringLiteral("%1: %2 captures written, %3 bytes").arg(outPath).arg(stats.samples).arg(stats.bytes));
        return ok ? kExitOk : kExitRejected;
    }
    QSaveFile out(outPath);
    if (!out.open(QIODevice::WriteOnly)) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(outPath, out.errorString()));
        return kExitUsage;
    }
    record::ExportStats stats;
    const bool ok = format == QLatin1String("csv") ? record::exportCsv(reader, *from, *to, out, &stats, &error)
                                                   : record::exportOpenMetrics(reader, *from, *to, out, &stats, &error);
    if (out.error() != QFileDevice::NoError) {
        out.cancelWriting(); // the old file, if any, stays as it was
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(outPath, error));
        return kExitUsage;
    }
    // Damaged blocks are named and skipped; the rest is still written.
    if (!error.isEmpty())
        printErr(error);
    if (!out.commit()) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(outPath, out.errorString()));
        return kExitUsage;
    }
    printErr(QStringLiteral("%1: %2 %3 written, %4 bytes")
                 .arg(outPath)
                 .arg(stats.samples)
                 .arg(format == QLatin1String("csv") ? QStringLiteral("rows") : QStringLiteral("values"))
                 .arg(stats.bytes));
    return ok ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
