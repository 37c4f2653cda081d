#pragma once

#include <QString>

#include <optional>

namespace gotriage::formats {
class ParsedMetrics;
}

namespace gotriage::vitals {

// GOMEMLIMIT's "no limit" is math.MaxInt64 (≈ 9.22e18); anything at or
// above this reads as unset.
inline constexpr double kNoMemoryLimitBytes = 9e18;

// The runtime settings a service exposes (client_golang >= 1.20 on newer Go).
struct RuntimeInfo {
    QString goVersion; // "go1.19.8"
    std::optional<double> gomaxprocs, gogcPercent, gomemlimitBytes;
    std::optional<double> startTimeSeconds; // process_start_time_seconds

    bool hasMemoryLimit() const { return gomemlimitBytes && *gomemlimitBytes < kNoMemoryLimitBytes; }
    bool operator==(const RuntimeInfo &) const = default;
};

// Updates `info` with what one /metrics payload says; settings it does not
// mention keep their value.
void readRuntimeInfo(const formats::ParsedMetrics &metrics, RuntimeInfo &info);

} // namespace gotriage::vitals
