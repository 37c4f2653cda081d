#include "benchstore.h"

#include "benchscale.h"
#include "cliutil.h"
#include "store/decimate.h"
#include "store/seriesstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cmath>
#include <cstdio>

namespace gotriage::cli {

namespace {

constexpr int kChartPixels = 1500;

// Every vital known, each moving differently, so that no bucket is trivial.
vitals::VitalsSample sampleOf(int service, std::int64_t second, std::int64_t tsMs)
{
    vitals::VitalsSample sample;
    sample.tsMs = tsMs;
    for (std::size_t v = 0; v < vitals::kVitalCount; ++v)
        sample.values[v] = 100.0 * static_cast<double>(v + 1) + static_cast<double>((second + service + v) % 17)
            + 0.001 * static_cast<double>(second);
    return sample;
}

double rssMiB()
{
    const auto measured = cpuAndRss(QCoreApplication::applicationPid());
    return measured ? measured->second : 0;
}

// Mean microseconds per read of `spanMs` ending at `endMs`, over every service.
double readMicros(const store::SeriesStore &store, int services, std::int64_t endMs, std::int64_t spanMs,
                  std::size_t *points)
{
    QElapsedTimer timer;
    timer.start();
    std::size_t total = 0;
    for (int s = 0; s < services; ++s)
        total += store
                     .line(QStringLiteral("svc-%1").arg(s), vitals::Vital::Goroutines, endMs - spanMs, endMs,
                           kChartPixels)
                     .size();
    *points = total / static_cast<std::size_t>(services);
    return static_cast<double>(timer.nsecsElapsed()) / 1e3 / services;
}

// What a chart cost before the tiers, on one service whose every sample is
// held: copy the range's samples, take the vital, decimate.
double copyMicros(const store::SeriesStore &store, std::int64_t endMs, std::int64_t spanMs, std::size_t *samples)
{
    constexpr int kRounds = 20;
    QElapsedTimer timer;
    timer.start();
    for (int round = 0; round < kRounds; ++round) {
        const store::ServiceSnapshot snapshot = store.snapshot(QStringLiteral("svc-0"), endMs - spanMs, endMs);
        *samples = snapshot.samples.size();
        const auto points
            = store::decimateMinMax(snapshot.series(vitals::Vital::Goroutines), endMs - spanMs, endMs, kChartPixels);
        if (points.empty() && *samples > 0)
            return -1;
    }
    return static_cast<double>(timer.nsecsElapsed()) / 1e3 / kRounds;
}

} // namespace

int benchStore(int services, double hours, std::size_t budgetMiB)
{
    const double rssBefore = rssMiB();
    store::SeriesStore store(budgetMiB * 1024U * 1024U);
    std::vector<QString> names;
    for (int s = 0; s < services; ++s)
        names.push_back(QStringLiteral("svc-%1").arg(s));
    const std::int64_t startMs = 1'789'999'800'000;
    const auto seconds = static_cast<std::int64_t>(hours * 3600);
    QElapsedTimer timer;
    timer.start();
    for (std::int64_t second = 0; second < seconds; ++second) {
        const std::int64_t tsMs = startMs + second * 1000;
        for (int s = 0; s < services; ++s)
            store.append(names[static_cast<std::size_t>(s)], sampleOf(s, second, tsMs));
    }
    const double appendNs = static_cast<double>(timer.nsecsElapsed()) / (static_cast<double>(seconds) * services);
    const double held = static_cast<double>(store.memoryBytes()) / (1024.0 * 1024.0);
    const double rssGrowth = rssMiB() - rssBefore;
    const std::int64_t endMs = startMs + (seconds - 1) * 1000;
    const double reachHours = static_cast<double>(endMs - store.oldestMs(names.front()).value_or(endMs)) / 3'600'000.0;
    std::printf("store: %d services x %.1f h at 1 s into %zu MiB: %zu samples at full resolution and %zu buckets\n",
                services, hours, budgetMiB, store.sampleCount(), store.bucketCount());
    std::printf("store: append %.0f ns per sample (%.1f ns per vital, %zu vitals)\n", appendNs,
                appendNs / vitals::kVitalCount, vitals::kVitalCount);
    std::printf("store: %.1f MiB held (%.1f KiB per service), process RSS grew %.1f MiB; every service reaches back "
                "%.1f h\n",
                held, held * 1024.0 / services, rssGrowth, reachHours);
    // One service with every sample at full resolution, as before the tiers.
    const std::size_t wholeBytes = static_cast<std::size_t>(
        static_cast<double>(seconds) * store::SeriesStore::kBytesPerSample / store::SeriesStore::kRawShare * 1.01);
    store::SeriesStore whole(wholeBytes);
    for (std::int64_t second = 0; second < seconds; ++second)
        whole.append(names.front(), sampleOf(0, second, startMs + second * 1000));
    for (const auto &[label, spanMs] :
         {std::pair{"24 h", std::int64_t(24 * 3'600'000)}, std::pair{"1 h", std::int64_t(3'600'000)},
          std::pair{"5 min", std::int64_t(300'000)}}) {
        std::size_t points = 0, samples = 0;
        const double line = readMicros(store, services, endMs, spanMs, &points);
        const double copy = copyMicros(whole, endMs, spanMs, &samples);
        std::printf("store: chart of %s on %d px: %.1f us, %zu points; before the tiers (every sample copied and "
                    "decimated): %.1f us, %zu samples\n",
                    label, kChartPixels, line, points, copy, samples);
    }
    return kExitOk;
}

} // namespace gotriage::cli
