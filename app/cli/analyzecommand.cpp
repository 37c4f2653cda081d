#include "cliutil.h"
#include "commands.h"

#include "analysis/findingjson.h"
#include "ingest/livesource.h"
#include "ingest/replaysource.h"
#include "ingest/updatejson.h"
#include "record/filekind.h"
#include "record/recordingcursor.h"
#include "session/session.h"
#include "session/sessionhub.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace gotriage::cli {

namespace {

// Today's detector over a recording, as fast as the machine allows: no
// playhead, no threads, the hub fed and flushed in data time. What was
// recorded as concluded is ignored (that is what replay shows).
int analyzeRecording(const QString &path, const std::vector<config::ServiceConfig> &fleet, bool fast)
{
    record::RecordingReader reader;
    QString error;
    if (!reader.open(path, &error)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitUsage;
    }
    const auto [first, last] = reader.timeRange();
    common::ReplayClock clock(first, 1.0);
    session::SessionHub hub(&clock);
    if (fast)
        hub.setAnalysisSettings(analysis::AnalysisSettings::fast());
    hub.setAdoptUnknownServices(true);
    hub.setServices(fleet.empty() ? record::recordedServices(reader) : fleet, true);
    QObject::connect(&hub, &session::SessionHub::batchReady, [](const session::SessionBatchPtr &batch) {
        for (const session::ServiceReportPtr &report : batch->reports) {
            for (const analysis::FindingChange &change : report->findingChanges)
                printOut(analysis::toJson(change));
        }
    });
    record::RecordingCursor cursor(reader);
    QStringList problems;
    constexpr qint64 kSliceMs = 60'000;
    for (qint64 from = first; from <= last; from += kSliceMs) {
        for (ingest::SourceUpdate &update : cursor.next(std::min(from + kSliceMs, last + 1))) {
            update.recorded.reset();
            clock.seek(update.tsMs());
            hub.consume(std::move(update));
        }
        hub.flush();
        problems << cursor.takeProblems();
    }
    std::fflush(stdout);
    for (const QString &problem : problems)
        printErr(problem);
    return problems.isEmpty() ? kExitOk : kExitRejected;
}

} // namespace

int analyzeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Watch a fleet, or replay a capture, and print one JSON object per finding change."));
    addFleetOptions(parser);
    parser.addOption({QStringLiteral("replay"),
                      QStringLiteral("analyse a recording (as fast as possible) or replay a capture written by "
                                     "`scrape --json`, instead of watching live; with --config, its services' "
                                     "limits apply"),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("rate"), QStringLiteral("with --replay: playback speed (default 1)"),
                      QStringLiteral("RATE"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("duration"),
                      QStringLiteral("analyse for this long, then exit (with --replay: at most this long)"),
                      QStringLiteral("SECONDS")});
    parser.addOption(
        {QStringLiteral("json"), QStringLiteral("one JSON object per finding change (the only output form)")});
    parser.addOption({QStringLiteral("fast"),
                      QStringLiteral("short windows and guards (seconds, not minutes): for tests and demos")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    const bool replay = parser.isSet(QStringLiteral("replay"));
    const bool hasDuration = parser.isSet(QStringLiteral("duration"));
    bool ok = true;
    const double duration = hasDuration ? parser.value(QStringLiteral("duration")).toDouble(&ok) : 0;
    const bool durationOk = hasDuration ? ok && duration > 0 : replay;
    bool rateOk = false;
    const double rate = parser.value(QStringLiteral("rate")).toDouble(&rateOk);
    const bool live = parser.isSet(QStringLiteral("demo")) || parser.isSet(QStringLiteral("config"));
    if ((!replay && parser.isSet(QStringLiteral("demo")) == parser.isSet(QStringLiteral("config")))
        || (replay && parser.isSet(QStringLiteral("demo"))) || !durationOk || !rateOk || rate <= 0 || rate > 1e6) {
        printErr(QStringLiteral("gotriage-cli: analyze takes (--config FILE | --demo) --duration SECONDS, or "
                                "--replay FILE [--rate RATE] [--config FILE] [--duration SECONDS]"));
        return kExitUsage;
    }
    std::vector<config::ServiceConfig> services;
    int exitCode = kExitOk;
    sim::DemoFleetThread demoFleet;
    if (live) {
        if (const auto exit = loadFleet(parser, demoFleet, services, exitCode))
            return *exit;
    }

    if (replay && record::sniffFile(parser.value(QStringLiteral("replay"))) == record::FileKind::Recording)
        return analyzeRecording(parser.value(QStringLiteral("replay")), services, parser.isSet(QStringLiteral("fast")));

    std::unique_ptr<ingest::Source> source;
    if (replay) {
        QString error;
        std::optional<ingest::UpdateLog> log = ingest::readUpdateLog(parser.value(QStringLiteral("replay")), &error);
        if (!log) {
            printErr(QStringLiteral("gotriage-cli: ") + error);
            return kExitUsage;
        }
        for (const QString &problem : log->problems)
            printErr(problem);
        if (!log->problems.isEmpty())
            exitCode = kExitRejected;
        source = std::make_unique<ingest::ReplaySource>(std::move(log->updates), rate);
    } else {
        source = std::make_unique<ingest::LiveSource>();
    }

    session::Session session(std::move(source));
    if (parser.isSet(QStringLiteral("fast")))
        session.setAnalysisSettings(analysis::AnalysisSettings::fast());
    session.setAdoptUnknownServices(replay);
    QObject::connect(&session, &session::Session::batchReady, &session, [](const session::SessionBatchPtr &batch) {
        for (const session::ServiceReportPtr &report : batch->reports) {
            for (const analysis::FindingChange &change : report->findingChanges)
                printOut(analysis::toJson(change));
        }
        std::fflush(stdout);
    });
    QObject::connect(&session, &session::Session::sourceEnded, qApp, &QCoreApplication::quit);
    session.setServices(services);
    session.start();
    if (hasDuration)
        QTimer::singleShot(static_cast<int>(duration * 1000), qApp, &QCoreApplication::quit);
    QCoreApplication::exec();
    return exitCode;
}

} // namespace gotriage::cli
