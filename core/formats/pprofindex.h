#pragma once

#include "parseproblem.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::formats {

struct PprofProfileEntry {
    std::string name; // "goroutine", "heap", ...
    std::int64_t count = 0;
};

// The /debug/pprof/ index page. Its goroutine row is runtime.NumGoroutine(),
// the cheapest goroutine count a service offers when expvar has none.
struct ParsedPprofIndex {
    std::vector<PprofProfileEntry> profiles;
    std::optional<std::int64_t> goroutines;
    ProblemList problems;
};

ParsedPprofIndex parsePprofIndex(std::string_view html);

} // namespace gotriage::formats
