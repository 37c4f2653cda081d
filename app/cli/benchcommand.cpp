#include "benchdetect.h"
#include "benchprofile.h"
#include "benchrecord.h"
#include "benchreplay.h"
#include "benchscale.h"
#include "benchstore.h"
#include "cliutil.h"
#include "commands.h"

#include "formats/expvar.h"
#include "formats/metrics.h"

#include <QElapsedTimer>

#include <cstdio>

namespace gotriage::cli {

namespace {

struct BackToBack {
    std::size_t iterations = 0;
    double elapsedNs = 0;
};

// Runs `once` back to back for `seconds`.
template<typename Once> BackToBack backToBack(double seconds, Once once)
{
    QElapsedTimer timer;
    timer.start();
    BackToBack run;
    const auto budgetNs = static_cast<qint64>(seconds * 1e9);
    while (timer.nsecsElapsed() < budgetNs) {
        once();
        ++run.iterations;
    }
    run.elapsedNs = static_cast<double>(timer.nsecsElapsed());
    return run;
}

// Parses the file back to back for `seconds`, then reports throughput over
// all iterations. One warm-up parse first, so page faults on the first copy
// are not charged to the parser.
int benchParseMetrics(const QString &path, double seconds)
{
    const auto payload = readInput(path);
    if (!payload)
        return kExitUsage;
    const auto format = formats::detectExpositionFormat({}, *payload);
    const std::size_t samples = formats::parseMetrics(*payload, format).samples.size();
    if (samples == 0) {
        printErr(QStringLiteral("gotriage-cli: %1: no samples to measure").arg(path));
        return kExitRejected;
    }

    std::size_t checksum = 0;
    const auto [iterations, elapsedNs]
        = backToBack(seconds, [&] { checksum += formats::parseMetrics(*payload, format).samples.size(); });
    const double bytes = static_cast<double>(payload->size()) * static_cast<double>(iterations);
    const double megabytesPerSecond = bytes / (elapsedNs / 1e9) / 1e6;
    const double nsPerSample = elapsedNs / static_cast<double>(samples * iterations);
    std::printf("file: %s, %zu bytes, %zu samples, %zu iterations in %.2f s (checksum %zu)\n",
                path.toLocal8Bit().constData(), payload->size(), samples, iterations, elapsedNs / 1e9, checksum);
    std::printf("parse-metrics: %.1f MB/s, %.1f ns/sample\n", megabytesPerSecond, nsPerSample);
    return kExitOk;
}

// Parses a /debug/vars payload back to back for `seconds`, as a scrape
// does (the typed fields only), then reports the time per payload.
int benchParseVars(const QString &path, double seconds)
{
    const auto payload = readInput(path);
    if (!payload)
        return kExitUsage;
    const formats::ParsedExpvar first = formats::parseExpvar(*payload);
    if (!first.memstats) {
        printErr(QStringLiteral("gotriage-cli: %1: no memstats to measure").arg(path));
        return kExitRejected;
    }
    std::uint64_t checksum = 0;
    const auto [iterations, elapsedNs] = backToBack(seconds, [&] {
        const formats::ParsedExpvar vars = formats::parseExpvar(*payload);
        checksum += vars.memstats ? vars.memstats->numGC.value_or(0) + vars.memstats->pauseNs[0] : 0;
    });
    std::printf("file: %s, %zu bytes, %zu iterations in %.2f s (checksum %llu)\n", path.toLocal8Bit().constData(),
                payload->size(), iterations, elapsedNs / 1e9, static_cast<unsigned long long>(checksum));
    std::printf("parse-vars: %.1f MB/s, %.2f us/payload\n",
                static_cast<double>(payload->size()) * static_cast<double>(iterations) / (elapsedNs / 1e9) / 1e6,
                elapsedNs / static_cast<double>(iterations) / 1e3);
    return kExitOk;
}

} // namespace

int benchCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measure gotriage's own speed."));
    parser.addPositionalArgument(
        QStringLiteral("WHAT"),
        QStringLiteral(
            "parse-metrics, parse-vars, profile, goroutines, detect, analysis-cost, record, replay, scale or store"));
    parser.addPositionalArgument(
        QStringLiteral("FILE"),
        QStringLiteral("parse-metrics, parse-vars, profile, goroutines: the payload to measure"));
    parser.addOption({QStringLiteral("seeds"),
                      QStringLiteral("detect: cases per scenario (default 10; 0 with --lab: the lab series only)"),
                      QStringLiteral("N"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("lab"),
                      QStringLiteral("detect: also score series captured from the lab (JSON lines)"),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("services"), QStringLiteral("analysis-cost: services (default 1000)"),
                      QStringLiteral("N"), QStringLiteral("1000")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("how long to measure (default 3)"),
                      QStringLiteral("seconds"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("hours"), QStringLiteral("replay, store: hours of history to write (default 24)"),
                      QStringLiteral("H"), QStringLiteral("24")});
    parser.addOption({QStringLiteral("gui"),
                      QStringLiteral("scale: the gotriage GUI to measure (default: beside gotriage-cli, or in PATH)"),
                      QStringLiteral("PROGRAM")});
    parser.addOption({QStringLiteral("through-prometheus"),
                      QStringLiteral("scale: watch the fleet through a Prometheus server scraping it every 15 s")});
    parser.addOption({QStringLiteral("budget"), QStringLiteral("store: the history budget in MiB (default 384)"),
                      QStringLiteral("MiB"), QStringLiteral("384")});
    parser.addOption({QStringLiteral("seeks"), QStringLiteral("replay: seeks to time (default 20)"),
                      QStringLiteral("N"), QStringLiteral("20")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 2))
        return *exit;
    bool ok = false;
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble(&ok);
    if (!ok || seconds <= 0 || seconds > 3600) {
        printErr(QStringLiteral("gotriage-cli: --seconds takes a number of seconds up to 3600"));
        return kExitUsage;
    }
    // A count option as a whole number in [least, most], or a usage error naming it.
    auto count = [&](const QString &option, int least, int most) -> std::optional<int> {
        const int n = parser.value(option).toInt(&ok);
        if (ok && n >= least && n <= most)
            return n;
        printErr(QStringLiteral("gotriage-cli: --%1 takes a whole number from %2 to %3, not \"%4\"")
                     .arg(option)
                     .arg(least)
                     .arg(most)
                     .arg(parser.value(option)));
        return std::nullopt;
    };
    auto hoursOf = [&]() -> std::optional<double> {
        const double hours = parser.value(QStringLiteral("hours")).toDouble(&ok);
        if (ok && hours > 0 && hours <= 24 * 7)
            return hours;
        printErr(QStringLiteral("gotriage-cli: --hours takes a number of hours up to a week"));
        return std::nullopt;
    };
    const QString what = parser.positionalArguments().at(0);
    if (what == QLatin1String("detect")) {
        // --seeds 0 scores only the lab series.
        const QStringList labFiles = parser.values(QStringLiteral("lab"));
        const auto seeds = count(QStringLiteral("seeds"), labFiles.isEmpty() ? 1 : 0, 1000);
        return seeds ? benchDetect(*seeds, labFiles) : kExitUsage;
    }
    if (what == QLatin1String("analysis-cost")) {
        const auto services = count(QStringLiteral("services"), 1, 100000);
        return services ? benchAnalysisCost(*services, std::max(60, static_cast<int>(seconds))) : kExitUsage;
    }
    if (what == QLatin1String("record")) {
        const auto services = count(QStringLiteral("services"), 1, 100000);
        return services ? benchRecord(*services, seconds) : kExitUsage;
    }
    if (what == QLatin1String("scale")) {
        const auto services = count(QStringLiteral("services"), 1, 20000);
        if (!services)
            return kExitUsage;
        return parser.isSet(QStringLiteral("through-prometheus"))
            ? benchScaleThroughPrometheus(*services, seconds, parser.value(QStringLiteral("gui")))
            : benchScale(*services, seconds, parser.value(QStringLiteral("gui")));
    }
    if (what == QLatin1String("store")) {
        const auto services = count(QStringLiteral("services"), 1, 100000);
        const auto budget = count(QStringLiteral("budget"), 1, 1024 * 1024);
        const auto hours = hoursOf();
        if (!hours)
            return kExitUsage;
        return services && budget ? benchStore(*services, *hours, static_cast<std::size_t>(*budget)) : kExitUsage;
    }
    if (what == QLatin1String("replay")) {
        const auto services = count(QStringLiteral("services"), 1, 100000);
        const auto seeks = count(QStringLiteral("seeks"), 1, 10000);
        const auto hours = hoursOf();
        if (!hours)
            return kExitUsage;
        return services && seeks ? benchReplay(*services, *hours, *seeks) : kExitUsage;
    }
    if (what == QLatin1String("profile") && parser.positionalArguments().size() == 2)
        return benchProfile(parser.positionalArguments().at(1), seconds);
    if (what == QLatin1String("goroutines") && parser.positionalArguments().size() == 2)
        return benchGoroutines(parser.positionalArguments().at(1), seconds);
    if (what == QLatin1String("parse-vars") && parser.positionalArguments().size() == 2)
        return benchParseVars(parser.positionalArguments().at(1), seconds);
    if (what != QLatin1String("parse-metrics") || parser.positionalArguments().size() != 2) {
        printErr(QStringLiteral("gotriage-cli: bench: unknown benchmark \"%1\" (known: parse-metrics FILE, parse-vars "
                                "FILE, profile FILE, goroutines FILE, "
                                "detect, analysis-cost, record, replay, scale, store)")
                     .arg(what));
        return kExitUsage;
    }
    return benchParseMetrics(parser.positionalArguments().at(1), seconds);
}

} // namespace gotriage::cli
