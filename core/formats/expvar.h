#pragma once

#include "parseproblem.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::formats {

// The runtime.MemStats fields gotriage derives vitals from. Integers stay
// 64-bit end to end: LastGC and PauseEnd (~1.7e18 ns) exceed what a double
// holds exactly. A field the payload lacks stays nullopt: unknown, not zero.
struct MemStats {
    std::optional<std::uint64_t> alloc, totalAlloc, sys, mallocs, frees;
    std::optional<std::uint64_t> heapAlloc, heapSys, heapIdle, heapInuse, heapReleased, heapObjects;
    std::optional<std::uint64_t> stackInuse, stackSys, nextGC, lastGC, pauseTotalNs;
    std::optional<std::uint32_t> numGC, numForcedGC;
    std::optional<double> gcCpuFraction; // lifetime average, 0..1
    // The runtime's circular buffers: cycle g (1-based) is at index (g-1) % 256.
    bool hasPauseRing = false;
    std::array<std::uint64_t, 256> pauseNs{};
    std::array<std::uint64_t, 256> pauseEnd{};
};

struct GcPause {
    std::uint32_t gc = 0; // 1-based cycle number, as NumGC counts (wraps at 2^32)
    std::uint64_t pauseNs = 0;
    std::uint64_t endNs = 0; // Unix ns
};

// The parsed form of one /debug/vars payload; an immutable value once returned.
struct ParsedExpvar {
    std::optional<MemStats> memstats;
    std::string memstatsJson; // with kKeepMemstatsJson: every field as served, compact, integers exact
    std::optional<std::int64_t> goroutines; // only when the service publishes a "goroutines" var
    std::vector<std::string> cmdline; // redacted (redactCommandLine) as it is read
    ProblemList problems;
};

// A process' command line with its secrets replaced by "<redacted>": the
// value of a flag whose name says secret (password, passwd, secret, token,
// key, credential, auth; `--flag=value` or `--flag value`), and the user
// info of a URL in any argument (`postgres://user:pass@db/x`). What
// gotriage shows or records of a command line has been through this.
std::vector<std::string> redactCommandLine(std::vector<std::string> args);
inline constexpr std::string_view kRedacted = "<redacted>";

// Parses /debug/vars. Never throws: JSON errors carry line and column, a field
// of the wrong type names its path ("memstats.NumGC") and is left unknown.
// The copy of all memstats fields is for display and export; scraping does
// not need it, and re-serialising on every poll is not free.
enum class ExpvarOptions { Typed, KeepMemstatsJson };
ParsedExpvar parseExpvar(std::string_view payload, ExpvarOptions options = ExpvarOptions::Typed);

// The pauses of the cycles completed after `previousNumGC` (all still in the
// ring when there is no previous poll), oldest first. When more than 256
// cycles completed between two polls the oldest are gone: lostCycles counts them.
struct PauseWindow {
    std::vector<GcPause> pauses;
    std::uint64_t lostCycles = 0;
};
PauseWindow pausesSince(const MemStats &memstats, std::optional<std::uint32_t> previousNumGC);

} // namespace gotriage::formats
