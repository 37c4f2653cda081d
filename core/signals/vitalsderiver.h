#pragma once

#include "signals/trafficreader.h"
#include "signals/vital.h"

#include <QString>
#include <QStringList>

#include <deque>
#include <map>
#include <optional>

namespace gotriage::formats {
struct MemStats;
}
namespace gotriage::scraping {
struct ScrapeResult;
}

namespace gotriage::vitals {

// Where the request and latency vitals of a service come from, as the detail
// header shows it, and why a name the fleet file gave cannot be used.
struct DerivedSources {
    QString requestCounter; // the counter family behind req_rate and err_rate; empty: none
    bool requestCounterDetected = false; // found by itself rather than named
    QString latencyHistogram; // the histogram behind latency_p99 (without _bucket); empty: none
    bool latencyHistogramDetected = false;
    QStringList problems; // "request_counter `x` is not in /metrics; …"
    // Where cpu_user and cpu_system come from ("/proc/4242/stat"), or why
    // there are none ("the service runs on 10.0.0.5, not on this host").
    QString cpuSplit;
    bool cpuSplitAvailable = false;
};

// What one reading of a service says, before rates: gauges as they are,
// counters as cumulative totals. Unknown (NaN) where not exposed.
struct Readings {
    double cpuSeconds = kUnknown;
    double rss = kUnknown;
    double startTime = kUnknown; // process_start_time_seconds
    double openFds = kUnknown;
    double maxFds = kUnknown;
    double goroutines = kUnknown;
    double threads = kUnknown;
    double heapInuse = kUnknown;
    double nextGc = kUnknown;
    double allocBytes = kUnknown;
    double gcCycles = kUnknown;
    double gcPauseSum = kUnknown; // go_gc_duration_seconds_sum
    double gcPauseMax = kUnknown; // go_gc_duration_seconds{quantile="1"}
    double gcCpuSeconds = kUnknown;
    double totalCpuSeconds = kUnknown;
    double heapLive = kUnknown;
    double requests = kUnknown; // the request counter, all statuses
    double errors = kUnknown;
    double shed = kUnknown; // refused by a limiter (HTTP 429)
    std::map<double, double> latencyBuckets; // upper bound -> cumulative count
};

// Turns successive scrapes of one service into vitals. Rates follow PromQL's
// rate() over a short window (kRateWindowMs, so that a 1 s poll of a counter
// ticking in whole GC cycles or 10 ms CPU slices reads smoothly), and stay
// unknown until the window spans kMinRateWindowMs: one second of a counter
// that ticks in steps reads as a false zero. The GC rate and the mean pause
// widen their window until it holds two collections (up to kMaxGcWindowMs),
// so a service that collects every 40 s reads 1 per 40 s, not 0.
// A counter that goes down, or a changed process_start_time_seconds, is a
// restart, the window starts over, and the new value counts as the increase
// since then. Not thread-safe; one instance per service, used by one thread
// at a time.
class VitalsDeriver
{
public:
    struct Options {
        QString requestCounter; // empty: auto-detect a counter with a status-code label
        QString latencyHistogram; // empty: auto-detect *_request_duration_seconds, grpc_server_handling_seconds
        QString metricsPath; // gotriage's own scrapes, not the service's traffic; empty: /metrics
    };

    static constexpr std::int64_t kRateWindowMs = 10'000;
    static constexpr std::int64_t kMinRateWindowMs = 5'000;
    static constexpr std::int64_t kMaxGcWindowMs = 300'000;

    explicit VitalsDeriver(Options options = {});

    VitalsSample derive(const scraping::ScrapeResult &scrape);
    // The same from readings a caller already has (the accuracy harness
    // feeds counters this way): rates, resets and restarts as from a scrape.
    VitalsSample derive(std::int64_t tsMs, Readings readings);

    // Whether the last derive() saw a counter reset (the rate window starts
    // over), which a restart always is.
    bool sawRestart() const { return m_sawRestart; }
    // Whether that reset was the process restarting: its start time changed
    // or its GC count went back, or counters went back and neither is known.
    // A counter reset alone (a re-registered collector) leaves the process,
    // and the trends of its gauges, as they were.
    bool sawProcessRestart() const { return m_sawProcessRestart; }
    // As of the last derive() that saw /metrics.
    const DerivedSources &sources() const { return m_sources; }

private:
    // Cumulative values kept from the previous scrape (NaN when not seen).
    struct Counters {
        double cpuSeconds = kUnknown;
        double allocBytes = kUnknown;
        double gcCycles = kUnknown;
        double requests = kUnknown;
        double errors = kUnknown;
        double gcCpuSeconds = kUnknown;
        double totalCpuSeconds = kUnknown;
        double gcPauseSeconds = kUnknown; // sum of all pauses
        std::map<double, double> latencyBuckets; // upper bound -> cumulative count
        double shed = kUnknown; // requests refused by a limiter
    };

    struct Checkpoint {
        std::int64_t tsMs = 0;
        Counters counters;
    };

    struct GcCheckpoint {
        std::int64_t tsMs = 0;
        double cycles = kUnknown;
        double pauseSeconds = kUnknown;
    };

    // A value read from /debug/vars, carried between its reads.
    struct Carried {
        double value = kUnknown;
        std::int64_t tsMs = 0;
    };

    VitalsSample deriveReadings(std::int64_t tsMs, Readings readings, const formats::MemStats *mem);
    static bool anyDecreased(const Counters &before, const Counters &after);
    void deriveGc(VitalsSample &out, const Counters &current);

    TrafficReader m_traffic;
    DerivedSources m_sources;
    std::deque<Checkpoint> m_history; // oldest first, spanning about kRateWindowMs
    std::deque<GcCheckpoint> m_gcHistory; // oldest first, spanning up to kMaxGcWindowMs
    Carried m_pause;
    Carried m_varsGcCpu;
    double m_previousStartTime = kUnknown;
    std::optional<std::uint32_t> m_previousNumGC;
    bool m_sawRestart = false;
    bool m_sawProcessRestart = false;
};

} // namespace gotriage::vitals
