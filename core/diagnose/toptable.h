#pragma once

#include "formats/profile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gotriage::diagnose {

// One row of a profile's top table: a function, what it spent itself (flat)
// and with its callees (cum), in the sample type's own unit.
struct TopRow {
    std::string name; // as pprof prints it: "main.(*server).handle"
    std::int64_t flat = 0;
    std::int64_t cum = 0;
    double flatPercent = 0; // of the total
    double sumPercent = 0; // running sum of flatPercent down the table
    double cumPercent = 0;
};

struct TopOptions {
    std::string sampleIndex; // a sample type's name; empty: the profile's default
    // Nodes with cum below this share of the total are dropped, as
    // `go tool pprof` does (its -nodefraction, 0.005 by default).
    double nodeFraction = 0.005;
    int nodeCount = -1; // at most this many rows (-nodecount); -1: all
    bool sortByCum = false; // -cum
};

struct TopTable {
    std::vector<TopRow> rows;
    std::int64_t total = 0; // Σ|v| over every sample
    std::int64_t shown = 0; // Σ flat of the rows shown
    int droppedNodes = 0; // by the node fraction
    std::int64_t dropCutoff = 0; // cum <= this was dropped
    formats::Profile::ValueType sampleType;
    std::string error; // an unknown sample index
};

// `go tool pprof -top` at function granularity, computed the way pprof does
// it: each sample walked root to leaf, inlined frames included, cum counted
// once per function per stack, flat on the leaf; nodes at or below the node
// fraction dropped and the graph rebuilt without them (a dropped leaf's
// flat goes with it); sorted by flat (or cum), then name; cut to nodeCount.
TopTable topTable(const formats::Profile &profile, const TopOptions &options = {});

} // namespace gotriage::diagnose
