#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

// Not "signals": that word is a Qt macro.
namespace gotriage::vitals {

// A derived per-service time series. The order is stable: recordings and the
// store index by it.
enum class Vital : std::uint8_t {
    Cpu, // cores
    Rss, // bytes
    HeapInuse, // bytes
    HeapGoal, // bytes
    AllocRate, // bytes/s
    GcRate, // cycles/s
    GcPause, // seconds, longest pause since the previous /debug/vars read (expvar's ring)
    Goroutines,
    Threads,
    Fds,
    FdsMax,
    ReqRate, // requests/s
    ErrRate, // errors/s: HTTP 5xx, or gRPC server-side codes
    LatencyP99, // seconds
    GcCpu, // fraction of CPU spent in GC, 0..1
    HeapLive, // bytes marked live by the last GC
    GcPauseMean, // seconds, mean pause over the GC rate's window (Δsum / Δcount)
    GcPauseRecentMax, // seconds, the summary's quantile="1": max of the runtime's recent pauses
    ErrRatio, // errors / requests over the rate window, 0..1
    CpuUser, // cores in user mode, from /proc/<pid>/stat (a process on this host only)
    CpuSystem, // cores in the kernel on the process' behalf
    ShedRate, // requests/s refused by a limiter or throttle: HTTP 429, gRPC RESOURCE_EXHAUSTED
};

inline constexpr std::size_t kVitalCount = 22;

enum class VitalUnit : std::uint8_t { Cores, Bytes, BytesPerSecond, PerSecond, Seconds, Count, Fraction };

struct VitalInfo {
    Vital vital;
    std::string_view name; // as in the CLI's JSON and the docs
    VitalUnit unit;
};

inline constexpr std::array<VitalInfo, kVitalCount> kVitals = {{
    {Vital::Cpu, "cpu", VitalUnit::Cores},
    {Vital::Rss, "rss", VitalUnit::Bytes},
    {Vital::HeapInuse, "heap_inuse", VitalUnit::Bytes},
    {Vital::HeapGoal, "heap_goal", VitalUnit::Bytes},
    {Vital::AllocRate, "alloc_rate", VitalUnit::BytesPerSecond},
    {Vital::GcRate, "gc_rate", VitalUnit::PerSecond},
    {Vital::GcPause, "gc_pause", VitalUnit::Seconds},
    {Vital::Goroutines, "goroutines", VitalUnit::Count},
    {Vital::Threads, "threads", VitalUnit::Count},
    {Vital::Fds, "fds", VitalUnit::Count},
    {Vital::FdsMax, "fds_max", VitalUnit::Count},
    {Vital::ReqRate, "req_rate", VitalUnit::PerSecond},
    {Vital::ErrRate, "err_rate", VitalUnit::PerSecond},
    {Vital::LatencyP99, "latency_p99", VitalUnit::Seconds},
    {Vital::GcCpu, "gc_cpu", VitalUnit::Fraction},
    {Vital::HeapLive, "heap_live", VitalUnit::Bytes},
    {Vital::GcPauseMean, "gc_pause_mean", VitalUnit::Seconds},
    {Vital::GcPauseRecentMax, "gc_pause_recent_max", VitalUnit::Seconds},
    {Vital::ErrRatio, "err_ratio", VitalUnit::Fraction},
    {Vital::CpuUser, "cpu_user", VitalUnit::Cores},
    {Vital::CpuSystem, "cpu_system", VitalUnit::Cores},
    {Vital::ShedRate, "shed_rate", VitalUnit::PerSecond},
}};

constexpr std::size_t index(Vital vital)
{
    return static_cast<std::size_t>(vital);
}
constexpr std::string_view vitalName(Vital vital)
{
    return kVitals[index(vital)].name;
}
std::optional<Vital> vitalFromName(std::string_view name);

// "Unknown" is NaN: a vital that could not be computed is never zero.
inline constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
inline bool isKnown(double value)
{
    return !std::isnan(value);
}

// One scrape's vitals for one service.
struct VitalsSample {
    std::int64_t tsMs = 0; // wall clock, ms since the epoch
    // When the expvar-only values (gc_pause, and gc_cpu where /metrics lacks
    // it) were read: /debug/vars is polled more slowly than /metrics, and
    // between reads those values are carried forward, not left as gaps.
    // 0 when they were never read.
    std::int64_t varsTsMs = 0;
    std::array<double, kVitalCount> values = filledUnknown();

    double operator[](Vital vital) const { return values[index(vital)]; }
    double &operator[](Vital vital) { return values[index(vital)]; }

    static constexpr std::array<double, kVitalCount> filledUnknown()
    {
        std::array<double, kVitalCount> a{};
        for (double &v : a)
            v = kUnknown;
        return a;
    }
};

} // namespace gotriage::vitals
