#include "benchdetect.h"

#include "cliutil.h"

#include "analysis/corpus.h"
#include "analysis/serviceanalyzer.h"
#include "analysis/statistics.h"
#include "formats/metrics.h"
#include "ingest/feedsource.h"
#include "ingest/updatejson.h"
#include "scraping/servicehealth.h"
#include "session/sessionhub.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sys/resource.h>

namespace gotriage::cli {

namespace {

struct Outcome {
    std::optional<double> detectedAfterOnset; // seconds, correct kind
    bool falseAlarm = false; // a battlefield raised on a healthy case, before onset, or the wrong kind
    std::optional<double> staticAfterOnset; // the 2× baseline threshold
    QString firstFalse; // what fired, for the report
};

Outcome run(const analysis::CorpusCase &c)
{
    // Each case goes through the pipeline the window uses: a source (the
    // feed), the session hub's store and analysis, its batches.
    config::ServiceConfig service;
    service.name = c.name;
    ingest::FeedSource source;
    session::SessionHub hub(&source.clock());
    source.setSink(&hub);
    hub.setServices({service}, true);
    std::vector<analysis::FindingChange> changes;
    QObject::connect(&hub, &session::SessionHub::batchReady, [&](const session::SessionBatchPtr &batch) {
        for (const session::ServiceReportPtr &report : batch->reports)
            changes.insert(changes.end(), report->findingChanges.begin(), report->findingChanges.end());
    });
    Outcome out;
    std::vector<double> warmup;
    double baseline = 0;
    std::size_t restart = 0;
    // Like a real exporter, the series says when its process started, and
    // its rates come from counters read through the real deriver: a counter
    // reset or a restart reaches the analysis as it would from a scrape.
    // Healthy and leak series start with a process already running; a
    // restart scenario's process starts with the series.
    double startTime = c.restartsAt.empty() ? -3600.0 : 0.0;
    for (std::size_t i = 0; i < c.samples.size(); ++i) {
        const vitals::VitalsSample &v = c.samples[i];
        const double s = static_cast<double>(v.tsMs) / 1000.0;
        if (restart < c.restartsAt.size() && s >= c.restartsAt[restart]) {
            ++restart;
            startTime = s;
        }
        vitals::Readings readings;
        readings.startTime = startTime;
        if (i < c.counters.size()) {
            readings.cpuSeconds = c.counters[i].cpuSeconds;
            readings.requests = c.counters[i].requests;
        }
        source.feed(service.name, v, std::move(readings));
        hub.flush();
        for (const analysis::FindingChange &change : changes) {
            if (change.type != analysis::FindingChange::Type::Raised || !analysis::isBattlefield(change.finding.kind))
                continue;
            // A leak may raise a second battlefield as it spreads (leaked
            // goroutines hold memory); only a raise on a healthy series, or
            // before the leak began, is a false alarm.
            if (!c.expected || s < c.onsetSeconds) {
                if (!out.falseAlarm)
                    out.firstFalse = QStringLiteral("%1 at %2 s: %3")
                                         .arg(analysis::kindName(change.finding.kind))
                                         .arg(s)
                                         .arg(change.finding.evidence);
                out.falseAlarm = true;
            } else if (change.finding.kind == *c.expected && !out.detectedAfterOnset)
                out.detectedAfterOnset = s - c.onsetSeconds;
        }
        changes.clear();
        // The static alert: twice the median of the healthy stretch.
        if (s < c.onsetSeconds) {
            warmup.push_back(v[c.signal]);
        } else {
            if (baseline == 0)
                baseline = analysis::median(warmup);
            if (!out.staticAfterOnset && v[c.signal] >= 2 * baseline)
                out.staticAfterOnset = s - c.onsetSeconds;
        }
    }
    return out;
}

QString minutes(std::optional<double> seconds)
{
    return seconds ? QString::number(*seconds / 60.0, 'f', 1) : QStringLiteral("never");
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Series captured from the lab with `gotriage-cli scrape --json`, labelled
// by service name: leak* goroutine_leak, memcreep* memory_black_hole,
// healthy* nothing. The faults run from the first scrape on.
std::vector<analysis::CorpusCase> loadLabSeries(const QString &path)
{
    std::vector<analysis::CorpusCase> out;
    QString error;
    const std::optional<ingest::UpdateLog> log = ingest::readUpdateLog(path, &error);
    if (!log) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return out;
    }
    for (const QString &problem : log->problems)
        printErr(problem);
    std::map<std::string, analysis::CorpusCase> byService;
    for (const ingest::SourceUpdate &update : log->updates) {
        if (update.scrape->up)
            byService[update.service().toStdString()].samples.push_back(update.vitals);
    }
    for (auto &[service, c] : byService) {
        c.name = QStringLiteral("lab:") + QString::fromStdString(service);
        if (service.starts_with("leak")) {
            c.expected = analysis::FindingKind::GoroutineLeak;
            c.signal = vitals::Vital::Goroutines;
        } else if (service.starts_with("memcreep")) {
            c.expected = analysis::FindingKind::MemoryBlackHole;
            c.signal = vitals::Vital::HeapGoal;
        }
        // Time from the first sample; the onset is the first scrape.
        const std::int64_t t0 = c.samples.empty() ? 0 : c.samples.front().tsMs;
        for (vitals::VitalsSample &v : c.samples)
            v.tsMs -= t0;
        out.push_back(std::move(c));
    }
    return out;
}

// Replays each lab capture and prints one line per series; returns the false alarms.
int scoreLabSeries(const QStringList &labFiles)
{
    int labAlarms = 0;
    for (const QString &file : labFiles) {
        for (const analysis::CorpusCase &c : loadLabSeries(file)) {
            const Outcome o = run(c);
            labAlarms += o.falseAlarm ? 1 : 0;
            const double capturedMinutes = c.samples.empty() ? 0 : static_cast<double>(c.samples.back().tsMs) / 60000.0;
            const QString expected = c.expected ? analysis::kindName(*c.expected) : QStringLiteral("nothing");
            const QString detected = o.detectedAfterOnset
                ? QStringLiteral("after %1 min").arg(*o.detectedAfterOnset / 60.0, 0, 'f', 1)
                : (c.expected ? QStringLiteral("never") : QStringLiteral("nothing raised"));
            std::printf("%-22s %5.1f min captured, expects %-18s %s%s\n", c.name.toLocal8Bit().constData(),
                        capturedMinutes, expected.toLocal8Bit().constData(), detected.toLocal8Bit().constData(),
                        o.falseAlarm ? (QStringLiteral("; FALSE ALARM: ") + o.firstFalse).toLocal8Bit().constData()
                                     : "");
        }
    }
    return labAlarms;
}

} // namespace

int benchDetect(int seeds, const QStringList &labFiles)
{
    analysis::CorpusOptions options;
    options.seeds = seeds;
    const std::vector<analysis::CorpusCase> corpus = analysis::buildCorpus(options);
    if (corpus.empty())
        return scoreLabSeries(labFiles) > 0 ? kExitRejected : kExitOk;
    std::printf("detect: %zu cases, %d s each at 1 s, leak onset at %d s; noise AR(1) phi %.1f, sd %.0f %% of level\n",
                corpus.size(), options.durationSeconds, options.onsetSeconds, options.phi, options.noise * 100);

    struct Row {
        int cases = 0, detected = 0, falseAlarms = 0, staticDetected = 0;
        double rate = 0;
        std::vector<double> delays, staticDelays;
        QString slowest; // the case behind "max min", to look at
    };
    std::map<QString, Row> rows; // by kind and rate
    int healthyCases = 0, healthyAlarms = 0;
    std::vector<QString> alarmed;
    // Cases are independent (each has its own analyzer and seeded noise),
    // so they run on every core; the figures do not depend on it.
    const QList<Outcome> outcomes = QtConcurrent::blockingMapped<QList<Outcome>>(corpus, run);
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        const analysis::CorpusCase &c = corpus[i];
        const Outcome &o = outcomes[static_cast<qsizetype>(i)];
        if (!c.expected) {
            ++healthyCases;
            if (o.falseAlarm) {
                ++healthyAlarms;
                alarmed.push_back(c.name + QStringLiteral(": ") + o.firstFalse);
            }
            continue;
        }
        const QString key = analysis::kindName(*c.expected) + QStringLiteral(" ")
            + QString::number(c.ratePerMinute * 100, 'g', 3) + QStringLiteral(" %/min");
        Row &row = rows[key];
        row.rate = c.ratePerMinute;
        ++row.cases;
        if (o.falseAlarm) {
            ++row.falseAlarms;
            alarmed.push_back(c.name + QStringLiteral(": ") + o.firstFalse);
        }
        if (o.detectedAfterOnset) {
            ++row.detected;
            if (row.delays.empty() || *o.detectedAfterOnset > *std::max_element(row.delays.begin(), row.delays.end()))
                row.slowest = c.name;
            row.delays.push_back(*o.detectedAfterOnset);
        }
        if (o.staticAfterOnset) {
            ++row.staticDetected;
            row.staticDelays.push_back(*o.staticAfterOnset);
        }
    }
    std::printf("%-34s %7s %10s %8s %8s %12s %14s %8s  %s\n", "leak", "recall", "median min", "p90 min", "max min",
                "false alarm", "static 2x min", "speedup", "slowest");
    for (auto &[key, row] : rows) {
        const double med = row.delays.empty() ? NAN : analysis::median(row.delays);
        const double worst = row.delays.empty() ? NAN : *std::max_element(row.delays.begin(), row.delays.end());
        std::vector<double> sorted = row.delays;
        std::sort(sorted.begin(), sorted.end());
        // The nearest-rank 90th percentile: nine in ten leaks are flagged by then.
        const double p90 = sorted.empty()
            ? NAN
            : sorted[static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(sorted.size()))) - 1];
        // When the static alert does not fire within the run, its time is
        // what the growth needs to double the baseline: 1 / rate minutes.
        const double staticMed = row.staticDelays.empty() ? 60.0 / row.rate : analysis::median(row.staticDelays);
        std::printf("%-34s %6.0f%% %10s %8s %8s %12d %14s %7.1fx  %s%s\n", key.toLocal8Bit().constData(),
                    100.0 * row.detected / row.cases,
                    minutes(row.delays.empty() ? std::nullopt : std::optional(med)).toLocal8Bit().constData(),
                    minutes(row.delays.empty() ? std::nullopt : std::optional(p90)).toLocal8Bit().constData(),
                    minutes(row.delays.empty() ? std::nullopt : std::optional(worst)).toLocal8Bit().constData(),
                    row.falseAlarms,
                    (row.staticDelays.empty() ? QStringLiteral("~") + minutes(staticMed) : minutes(staticMed))
                        .toLocal8Bit()
                        .constData(),
                    row.delays.empty() ? 0.0 : staticMed / std::max(1.0, med), row.slowest.toLocal8Bit().constData(),
                    row.staticDelays.empty() ? " (static: 1/rate)" : "");
    }
    std::printf("healthy cases (sawtooth at GOGC 25..400, noise, bursts, restarts, counter resets, deploy steps): %d, "
                "false alarms: %d\n",
                healthyCases, healthyAlarms);
    for (const QString &name : alarmed)
        std::printf("  false alarm: %s\n", name.toLocal8Bit().constData());

    const int labAlarms = scoreLabSeries(labFiles);
    // A false alarm anywhere fails the run: CI keeps the healthy corpus clean.
    return healthyAlarms + labAlarms > 0 ? kExitRejected : kExitOk;
}

int benchAnalysisCost(int services, int seconds)
{
    // Every service gets one sample per simulated second, as at a 1 s
    // interval; the cost is CPU time per simulated second.
    analysis::CorpusOptions options;
    options.seeds = 1;
    options.durationSeconds = seconds;
    options.leakRatesPerMinute = {0.01};
    const std::vector<analysis::CorpusCase> corpus = analysis::buildCorpus(options);
    std::vector<analysis::ServiceAnalyzer> analyzers;
    analyzers.reserve(static_cast<std::size_t>(services));
    QElapsedTimer making; // what taking a fleet costs, before its first sample
    making.start();
    for (int i = 0; i < services; ++i) {
        config::ServiceConfig service;
        service.name = QStringLiteral("svc-%1").arg(i);
        analyzers.emplace_back(service);
    }
    const double madeMs = static_cast<double>(making.nsecsElapsed()) / 1e6;
    std::printf("analysis-cost: made %d analyses in %.1f ms (%.0f us each, %.1f KiB of trend rings each)\n", services,
                madeMs, 1000 * madeMs / std::max(1, services),
                services > 0 ? static_cast<double>(analyzers.front().ringBytes()) / 1024 : 0.0);
    scraping::ServiceHealth health;
    health.up = true;
    std::size_t projected = 0; // used, so the projections are not optimised away
    const double before = cpuSeconds();
    QElapsedTimer wall;
    wall.start();
    for (int s = 0; s < seconds; ++s) {
        for (int i = 0; i < services; ++i) {
            const analysis::CorpusCase &c = corpus[static_cast<std::size_t>(i) % corpus.size()];
            vitals::VitalsSample v = c.samples[static_cast<std::size_t>(s)];
            // Spread services over the second, as scrape phases do.
            v.tsMs += (i * 997) % 1000;
            health.lastGoodMs = v.tsMs;
            // What the pipeline does per update: update, then the charts' projections.
            analysis::ServiceAnalyzer &analyzer = analyzers[static_cast<std::size_t>(i)];
            analyzer.update(v.tsMs, v, health, false, {});
            projected += analyzer.projections().size();
        }
    }
    const double cpu = cpuSeconds() - before;
    std::printf("analysis-cost: %d services x %zu vitals (8 trended over %zu windows, %zu projections) for %d "
                "simulated seconds: %.2f s CPU in %.2f s\n",
                services, vitals::kVitalCount, analysis::AnalysisSettings{}.windows.size(), projected, seconds, cpu,
                static_cast<double>(wall.elapsed()) / 1000.0);
    std::printf("analysis-cost: %.2f %% of one core at a 1 s interval\n", 100.0 * cpu / seconds);
    return kExitOk;
}

} // namespace gotriage::cli
