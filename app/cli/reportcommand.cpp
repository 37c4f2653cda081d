#include "cliutil.h"
#include "commands.h"

#include "record/recordingfile.h"
#include "record/report.h"
#include "reportcharts.h"

namespace gotriage::cli {

int reportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Write the post-incident report of a recording: report.md, report.html and charts/*.png "
                       "(the timeline, the impact over time, the key windows, captured profiles and dumps)."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the recording"));
    parser.addOption(
        {QStringLiteral("out"), QStringLiteral("the folder to write into (created)"), QStringLiteral("DIR")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;
    const QString out = parser.value(QStringLiteral("out"));
    if (out.isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: report FILE --out DIR"));
        return kExitUsage;
    }
    record::RecordingReader reader;
    if (!openRecording(reader, parser.positionalArguments().at(0)))
        return kExitUsage;
    QString error;
    const record::Report report = record::buildReport(reader);
    if (!ui::saveReport(report, ui::renderReportCharts(report), out, &error)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitUsage;
    }
    for (const QString &problem : report.problems)
        printErr(problem);
    printErr(QStringLiteral("%1: report.md, report.html and %2 charts written").arg(out).arg(report.charts.size()));
    return report.problems.isEmpty() ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
