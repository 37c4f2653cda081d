#include "cliutil.h"
#include "commands.h"

#include "record/promimport.h"

#include <QCoreApplication>
#include <QDateTime>

namespace gotriage::cli {

namespace {

// "15s", "1m", "2h", or plain seconds; 0 when it is none of those.
qint64 durationMs(const QString &text)
{
    static const std::pair<QChar, qint64> kUnits[] = {{u's', 1000}, {u'm', 60'000}, {u'h', 3'600'000}};
    for (const auto &[unit, ms] : kUnits) {
        if (text.endsWith(unit)) {
            bool ok = false;
            const double n = text.chopped(1).toDouble(&ok);
            return ok && n > 0 ? static_cast<qint64>(n * double(ms)) : 0;
        }
    }
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    return ok && seconds > 0 ? static_cast<qint64>(seconds * 1000) : 0;
}

} // namespace

// A past window of a Prometheus server's targets, as a recording: replayed,
// analysed and reported like one gotriage watched.
int importCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Import a past window from a Prometheus-compatible server (/api/v1/query_range) into a "
                       "recording, analysed as gotriage would have analysed it live."));
    parser.addOption({QStringLiteral("prometheus"), QStringLiteral("the server, e.g. http://127.0.0.1:9090"),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("from"),
                      QStringLiteral("start: ms since the epoch, ISO 8601, or -SECONDS before now"),
                      QStringLiteral("T")});
    parser.addOption({QStringLiteral("to"), QStringLiteral("end (default now): as --from"), QStringLiteral("T")});
    parser.addOption({QStringLiteral("step"), QStringLiteral("resolution: 15s (default), 1s, 1m, ..."),
                      QStringLiteral("STEP"), QStringLiteral("15s")});
    parser.addOption({QStringLiteral("match"),
                      QStringLiteral("which targets, as PromQL matchers: 'job=~\"checkout.*\",env=\"prod\"'"),
                      QStringLiteral("MATCHERS")});
    parser.addOption({QStringLiteral("rate-window"),
                      QStringLiteral("rate()'s range, at least four of the server's scrapes (default 1m)"),
                      QStringLiteral("RANGE"), QStringLiteral("1m")});
    parser.addOption(
        {QStringLiteral("out"), QStringLiteral("the recording to write (must not exist)"), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("fast"), QStringLiteral("short analysis windows (tests and demos)")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto from = momentOf(parser.value(QStringLiteral("from")), now, now);
    const auto to = parser.isSet(QStringLiteral("to")) ? momentOf(parser.value(QStringLiteral("to")), now, now)
                                                       : std::optional(now);
    const qint64 step = durationMs(parser.value(QStringLiteral("step")));
    const QUrl server(parser.value(QStringLiteral("prometheus")));
    if (!parser.isSet(QStringLiteral("prometheus")) || !server.isValid() || !parser.isSet(QStringLiteral("out"))
        || !from || !to || *to < *from || step <= 0 || durationMs(parser.value(QStringLiteral("rate-window"))) <= 0) {
        printErr(QStringLiteral("gotriage-cli: import --prometheus URL --from T [--to T] [--step STEP] "
                                "[--match MATCHERS] [--rate-window RANGE] --out FILE"));
        return kExitUsage;
    }
    record::PrometheusImport::Settings settings;
    settings.server = server;
    settings.fromMs = *from;
    settings.toMs = *to;
    settings.stepMs = step;
    settings.selector = parser.value(QStringLiteral("match"));
    settings.rateWindow = parser.value(QStringLiteral("rate-window"));
    settings.outPath = parser.value(QStringLiteral("out"));
    if (parser.isSet(QStringLiteral("fast")))
        settings.analysis = analysis::AnalysisSettings::fast();
    record::PrometheusImport import(settings);
    QString error;
    QObject::connect(&import, &record::PrometheusImport::finished, [&error](const QString &why) {
        error = why;
        QCoreApplication::quit();
    });
    QMetaObject::invokeMethod(&import, &record::PrometheusImport::start, Qt::QueuedConnection);
    QCoreApplication::exec();
    if (!error.isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitRejected;
    }
    const record::PrometheusImport::Summary &summary = import.summary();
    printErr(QStringLiteral("%1: %2 services, %3 samples, %4 finding changes, from %5 queries")
                 .arg(settings.outPath)
                 .arg(summary.services)
                 .arg(summary.samples)
                 .arg(summary.findingChanges)
                 .arg(summary.queries));
    return summary.samples > 0 ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
