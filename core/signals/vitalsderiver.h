#pragma once

#include "signals/vital.h"

#include <QString>

#include <deque>
#include <map>
#include <optional>

namespace gotriage::ingest {
struct ScrapeResult;
}

namespace gotriage::vitals {

// Turns successive scrapes of one service into vitals. Rates follow PromQL's
// rate() over a short window (kRateWindowMs, so that a 1 s poll of a counter
// ticking in whole GC cycles or 10 ms CPU slices reads smoothly): a counter
// that goes down, or a changed process_start_time_seconds, is a restart, the
// window starts over, and the new value counts as the increase since then.
// Not thread-safe; one instance per service, used by one thread at a time.
class VitalsDeriver
{
public:
    struct Options {
        QString requestCounter; // empty: auto-detect a counter with a status-code label
        QString latencyHistogram; // empty: no latency_p99
    };

    static constexpr std::int64_t kRateWindowMs = 10'000;

    explicit VitalsDeriver(Options options = {});

    VitalsSample derive(const ingest::ScrapeResult &scrape);

    // Whether the last derive() saw a counter reset (the rate window starts
    // over), which a restart always is.
    bool sawRestart() const { return m_sawRestart; }
    // Whether that reset was the process restarting: its start time changed
    // or its GC count went back, or counters went back and neither is known.
    // A counter reset alone (a re-registered collector) leaves the process,
    // and the trends of its gauges, as they were.
    bool sawProcessRestart() const { return m_sawProcessRestart; }

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
        std::map<double, double> latencyBuckets; // upper bound -> cumulative count
    };

    struct Checkpoint {
        std::int64_t tsMs = 0;
        Counters counters;
    };

    static bool anyDecreased(const Counters &before, const Counters &after);

    Options m_options;
    std::deque<Checkpoint> m_history; // oldest first, spanning about kRateWindowMs
    double m_previousStartTime = kUnknown;
    std::optional<std::uint32_t> m_previousNumGC;
    bool m_sawRestart = false;
    bool m_sawProcessRestart = false;
};

} // namespace gotriage::vitals
