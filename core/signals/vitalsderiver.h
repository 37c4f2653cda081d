#pragma once

#include "signals/vital.h"

#include <QString>

#include <map>
#include <optional>

namespace gotriage::ingest {
struct ScrapeResult;
}

namespace gotriage::vitals {

// Turns successive scrapes of one service into vitals. Rates follow PromQL's
// rate(): a counter that goes down, or a changed process_start_time_seconds,
// is a restart, and the new value counts as the increase since then.
// Not thread-safe; one instance per service, used by one thread at a time.
class VitalsDeriver
{
public:
    struct Options {
        QString requestCounter; // empty: auto-detect a counter with a status-code label
        QString latencyHistogram; // empty: no latency_p99
    };

    explicit VitalsDeriver(Options options = {});

    VitalsSample derive(const ingest::ScrapeResult &scrape);

    // Whether the last derive() saw the process restart.
    bool sawRestart() const { return m_sawRestart; }

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

    double rate(double previous, double current, double seconds) const;

    Options m_options;
    std::optional<std::int64_t> m_previousTsMs;
    double m_previousStartTime = kUnknown;
    std::optional<std::uint32_t> m_previousNumGC;
    Counters m_previous;
    bool m_sawRestart = false;
};

} // namespace gotriage::vitals
