#include "cliutil.h"
#include "commands.h"

#include "ingest/fleetwatcher.h"

#include <QCoreApplication>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace gotriage::cli {

namespace {

std::string changeLine(const analysis::FindingChange &change)
{
    using OrderedJson = nlohmann::ordered_json;
    const analysis::Finding &f = change.finding;
    OrderedJson line;
    line["ts_ms"] = change.tsMs;
    line["service"] = f.service.toStdString();
    line["kind"] = analysis::kindName(f.kind).toStdString();
    line["severity"] = analysis::severityName(f.severity).toStdString();
    line["change"] = change.type == analysis::FindingChange::Type::Raised ? "raised"
        : change.type == analysis::FindingChange::Type::Updated           ? "updated"
                                                                          : "cleared";
    line["evidence"] = f.evidence.toStdString();
    line["eta_s"] = f.etaSeconds && std::isfinite(*f.etaSeconds) ? OrderedJson(std::llround(*f.etaSeconds))
                                                                 : OrderedJson(nullptr);
    line["next_step"] = f.nextStep.toStdString();
    return line.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

} // namespace

int analyzeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Watch a fleet and print one JSON object per finding change."));
    addFleetOptions(parser);
    parser.addOption(
        {QStringLiteral("duration"), QStringLiteral("analyse for this long, then exit"), QStringLiteral("SECONDS")});
    parser.addOption(
        {QStringLiteral("json"), QStringLiteral("one JSON object per finding change (the only output form)")});
    parser.addOption({QStringLiteral("fast"),
                      QStringLiteral("short windows and guards (seconds, not minutes): for tests and demos")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    bool ok = false;
    const double duration = parser.value(QStringLiteral("duration")).toDouble(&ok);
    if (parser.isSet(QStringLiteral("demo")) == parser.isSet(QStringLiteral("config")) || !ok || duration <= 0) {
        printErr(QStringLiteral("gotriage-cli: analyze takes (--config FILE | --demo) and --duration SECONDS"));
        return kExitUsage;
    }
    std::vector<config::ServiceConfig> services;
    int exitCode = kExitOk;
    sim::DemoFleetThread demoFleet;
    if (const auto exit = loadFleet(parser, demoFleet, services, exitCode))
        return *exit;

    ingest::FleetWatcher watcher;
    if (parser.isSet(QStringLiteral("fast")))
        watcher.setAnalysisSettings(analysis::AnalysisSettings::fast());
    QObject::connect(&watcher, &ingest::FleetWatcher::reportAvailable, &watcher,
                     [](const ingest::ScrapeReportPtr &report) {
                         for (const analysis::FindingChange &change : report->findingChanges)
                             printOut(changeLine(change));
                         std::fflush(stdout);
                     });
    watcher.setServices(services);
    QTimer::singleShot(static_cast<int>(duration * 1000), qApp, &QCoreApplication::quit);
    QCoreApplication::exec();
    return exitCode;
}

} // namespace gotriage::cli
