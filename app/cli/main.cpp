// gotriage-cli: the headless face of gotriage. Wiring only; every command's
// work lives in gotriage_core.
#include "cliutil.h"
#include "commands.h"
#include "version.h"

#include <QApplication>
#include <QCoreApplication>

#include <functional>
#include <map>
#include <memory>
#include <string_view>

namespace {

const char kUsage[] = R"(usage: gotriage-cli <command> [options]

commands:
  parse-metrics FILE [--json] [--format text|openmetrics]
                        parse a /metrics payload (Prometheus text or OpenMetrics)
  parse-vars FILE [--json]
                        parse a /debug/vars (expvar) payload
  scrape (--config FILE | --demo) (--once | --duration SECONDS) --json
                        scrape a fleet; one JSON object per service per scrape
  analyze (--config FILE | --demo) --duration SECONDS --json [--fast]
  analyze --replay FILE [--rate RATE] [--config FILE] --json [--fast]
                        watch a fleet, re-analyse a recording (at full speed)
                        or replay a `scrape --json` capture; one JSON object
                        per finding change
  profile top FILE [--sample-index NAME] [--nodecount N] [--cum] --json
                        a pprof profile's top table, as `go tool pprof -top`
  goroutines FILE [--diff OLDER_FILE] --json
                        a goroutine dump (debug=2) grouped by state and stack
  capture --url SERVICE_URL --kind KIND [--seconds N] --out FILE
                        save a profile or goroutine dump from /debug/pprof/
  action list --config FILE --json
  action run NAME --config FILE --target SERVICE [--set k=v]... [--dry-run]
             [--confirm SERVICE] [--audit FILE] --json
  action revert ID --config FILE [--audit FILE] --json
                        the fleet file's actions: list, run (audited), revert
  secret set|delete ENTRY  an action's secret in the desktop keychain (set reads stdin)
  record (--config FILE | --demo) --duration SECONDS --out FILE [--fast]
                        watch a fleet and record it into one crash-safe file
  recording info FILE --json
                        a recording's format, services, time range and samples
  export FILE --format openmetrics|csv|profiles --out PATH [--from T] [--to T]
                        a recording's samples for promtool (OpenMetrics) or
                        a spreadsheet (CSV), or its captured profiles (.pb.gz)
                        and goroutine dumps (.txt) into a folder
  import --prometheus URL --from T [--to T] [--step STEP] [--match MATCHERS] --out FILE
                        a past window of a Prometheus server's targets as a
                        recording, analysed as if watched live
  discover --prometheus URL [--match MATCHERS] [--fleet-out FILE] --json
                        the targets a Prometheus server scrapes, as services
                        (one JSON object each), or as a fleet file
  report FILE --out DIR  the post-incident report: Markdown, HTML and charts
  replay FILE --json    a recording in time order: updates as `scrape --json`,
                        finding changes as `analyze --json`, triage events, notes
  demo-fleet [--services N] [--fleet-out FILE] [--duration SECONDS]
                        serve the built-in demo fleet until interrupted
  bench parse-metrics FILE [--seconds S]
                        measure the /metrics parser's throughput

options:
  --version             print the version and exit
  --help                print this help (or a command's, after its name)

exit status: 0 clean, 1 some input was rejected, 2 usage or I/O error)";

} // namespace

int main(int argc, char *argv[])
{
    // The report draws its charts with the window's widgets: it alone needs
    // a QApplication, on the display-less platform unless one is chosen.
    const bool drawsCharts = argc > 1 && std::string_view(argv[1]) == "report";
    if (drawsCharts && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app
        = drawsCharts ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gotriage-cli"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(gotriage::kVersion));

    using namespace gotriage::cli;
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printErr(QString::fromLatin1(kUsage));
        return kExitUsage;
    }
    const QString command = arguments.at(1);
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        printOut(std::string("gotriage-cli ") + gotriage::kVersion);
        return kExitOk;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
        printOut(kUsage);
        return kExitOk;
    }
    const std::map<QString, std::function<int(const QStringList &)>> commands = {
        {QStringLiteral("parse-metrics"), parseMetricsCommand},
        {QStringLiteral("parse-vars"), parseVarsCommand},
        {QStringLiteral("bench"), benchCommand},
        {QStringLiteral("scrape"), scrapeCommand},
        {QStringLiteral("demo-fleet"), demoFleetCommand},
        {QStringLiteral("analyze"), analyzeCommand},
        {QStringLiteral("profile"), profileCommand},
        {QStringLiteral("goroutines"), goroutinesCommand},
        {QStringLiteral("capture"), captureCommand},
        {QStringLiteral("action"), actionCommand},
        {QStringLiteral("secret"), secretCommand},
        {QStringLiteral("record"), recordCommand},
        {QStringLiteral("recording"), recordingCommand},
        {QStringLiteral("replay"), replayCommand},
        {QStringLiteral("export"), exportCommand},
        {QStringLiteral("import"), importCommand},
        {QStringLiteral("discover"), discoverCommand},
        {QStringLiteral("report"), reportCommand},
    };
    const auto it = commands.find(command);
    if (it == commands.end()) {
        printErr(QStringLiteral("gotriage-cli: unknown command \"%1\"\n\n").arg(command) + QString::fromLatin1(kUsage));
        return kExitUsage;
    }
    return it->second(arguments.mid(1));
}
