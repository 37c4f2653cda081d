#include "cliutil.h"
#include "commands.h"

#include "common/clock.h"
#include "ingest/livesource.h"
#include "ingest/updatejson.h"
#include "issues/scrapeissues.h"
#include "session/session.h"
#include "sim/demofleet.h"

#include <QCoreApplication>
#include <QSet>
#include <QTimer>

#include <cstdio>

namespace gotriage::cli {

int scrapeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Scrape a fleet and print each service's vitals per scrape."));
    addFleetOptions(parser);
    parser.addOption({QStringLiteral("once"), QStringLiteral("one scrape of every service, then exit")});
    parser.addOption(
        {QStringLiteral("duration"), QStringLiteral("scrape for this long, then exit"), QStringLiteral("SECONDS")});
    parser.addOption(
        {QStringLiteral("json"), QStringLiteral("one JSON object per service per scrape (the only output form)")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    const bool demo = parser.isSet(QStringLiteral("demo"));
    const bool once = parser.isSet(QStringLiteral("once"));
    if (demo == parser.isSet(QStringLiteral("config")) || once == parser.isSet(QStringLiteral("duration"))) {
        printErr(
            QStringLiteral("gotriage-cli: scrape takes (--config FILE | --demo) and (--once | --duration SECONDS)"));
        return kExitUsage;
    }
    bool ok = true;
    const double duration = once ? 0 : parser.value(QStringLiteral("duration")).toDouble(&ok);
    if (!ok || duration < 0 || duration > 7 * 24 * 3600) {
        printErr(QStringLiteral("gotriage-cli: --duration takes a number of seconds"));
        return kExitUsage;
    }

    std::vector<config::ServiceConfig> services;
    int exitCode = kExitOk;
    sim::DemoFleetThread demoFleet;
    if (const auto exit = loadFleet(parser, demoFleet, services, exitCode))
        return *exit;

    session::Session session(std::make_unique<ingest::LiveSource>());
    QSet<QString> reported;
    issues::IssuesModel issueLog;
    const auto total = static_cast<qsizetype>(services.size());
    QObject::connect(&session, &session::Session::batchReady, &session, [&](const session::SessionBatchPtr &batch) {
        for (const session::ServiceReportPtr &report : batch->reports) {
            if (once && reported.contains(report->service()))
                continue;
            reported.insert(report->service());
            printOut(ingest::toJsonLine(*report));
            // Each problem once, when it starts or changes: a dead endpoint
            // is not news every second.
            for (const QString &line : issues::applyScrapeReport(issueLog, *report, batch->nowMs))
                printErr(line);
        }
        std::fflush(stdout);
        if (once && reported.size() == total)
            QCoreApplication::quit();
    });
    session.setServices(services);
    session.start();
    if (!once)
        QTimer::singleShot(static_cast<int>(duration * 1000), qApp, &QCoreApplication::quit);
    QCoreApplication::exec();
    return exitCode;
}

} // namespace gotriage::cli
