#pragma once

#include "formats/parseproblem.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::formats {

// One frame of a goroutine's stack as a debug=2 dump prints it.
struct GoroutineFrame {
    std::string function; // "main.(*server).handle", arguments dropped
    std::string file; // as printed: "/src/app/server.go" or "labsvc/main.go"
    std::int64_t line = 0;

    bool operator==(const GoroutineFrame &) const = default;
};

// One goroutine of a `/debug/pprof/goroutine?debug=2` dump (the runtime's
// traceback format).
struct Goroutine {
    std::int64_t id = 0;
    std::string state; // the wait reason or status: "chan receive", "IO wait", "running", "select (no cases)"
    std::optional<int> waitMinutes; // "[chan receive, 5 minutes]"
    bool lockedToThread = false;
    std::vector<GoroutineFrame> frames; // innermost first
    bool framesElided = false; // "...additional frames elided..."
    std::optional<GoroutineFrame> createdBy; // the go statement's caller and where it is
    std::optional<std::int64_t> createdByGoroutine; // Go >= 1.21: "created by f in goroutine 6"
};

struct ParsedGoroutineDump {
    std::vector<Goroutine> goroutines;
    ProblemList problems; // lines that did not fit, by line number; the rest is kept
};

struct GoroutineDumpLimits {
    std::size_t maxBytes = 512U * 1024U * 1024U;
    std::size_t maxGoroutines = 5'000'000;
};

// Parses a debug=2 dump. Goroutine blocks are separated by blank lines; a
// block that cannot be read is reported with its line and skipped.
ParsedGoroutineDump parseGoroutineDump(std::string_view text, const GoroutineDumpLimits &limits = {});

} // namespace gotriage::formats
