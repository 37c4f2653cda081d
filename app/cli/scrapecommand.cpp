#include "cliutil.h"
#include "commands.h"

#include "ingest/fleetwatcher.h"
#include "issues/scrapeissues.h"
#include "signals/vital.h"
#include "sim/demofleet.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSet>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace gotriage::cli {

namespace {

std::string reportLine(const ingest::ScrapeReport &report)
{
    using OrderedJson = nlohmann::ordered_json;
    OrderedJson vitals = OrderedJson::object();
    for (const vitals::VitalInfo &info : vitals::kVitals) {
        const double value = report.vitals[info.vital];
        vitals[std::string(info.name)] = std::isfinite(value) ? OrderedJson(value) : OrderedJson(nullptr);
    }
    OrderedJson line;
    line["service"] = report.scrape->service.toStdString();
    line["ts_ms"] = report.scrape->tsMs;
    line["up"] = report.scrape->up;
    line["error"]
        = report.scrape->error.isEmpty() ? OrderedJson(nullptr) : OrderedJson(report.scrape->error.toStdString());
    line["duration_ms"] = report.scrape->durationMs;
    line["bytes"] = report.scrape->bytes;
    line["vitals"] = std::move(vitals);
    // gc_pause (and gc_cpu without the runtime's CPU classes) come from
    // /debug/vars, read every few scrapes and carried in between: their age.
    line["vars_age_ms"]
        = report.vitals.varsTsMs > 0 ? OrderedJson(report.scrape->tsMs - report.vitals.varsTsMs) : OrderedJson(nullptr);
    return line.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

} // namespace

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

    ingest::FleetWatcher watcher;
    QSet<QString> reported;
    issues::IssuesModel issueLog;
    const auto total = static_cast<qsizetype>(services.size());
    QObject::connect(&watcher, &ingest::FleetWatcher::reportAvailable, &watcher,
                     [&](const ingest::ScrapeReportPtr &report) {
                         if (once && reported.contains(report->scrape->service))
                             return;
                         reported.insert(report->scrape->service);
                         printOut(reportLine(*report));
                         // Each problem once, when it starts or changes: a dead
                         // endpoint is not news every second.
                         for (const QString &line :
                              issues::applyScrapeReport(issueLog, *report, QDateTime::currentMSecsSinceEpoch()))
                             printErr(line);
                         std::fflush(stdout);
                         if (once && reported.size() == total)
                             QCoreApplication::quit();
                     });
    watcher.setServices(services);
    if (!once)
        QTimer::singleShot(static_cast<int>(duration * 1000), qApp, &QCoreApplication::quit);
    QCoreApplication::exec();
    return exitCode;
}

} // namespace gotriage::cli
