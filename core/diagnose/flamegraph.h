#pragma once

#include "formats/profile.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::diagnose {

// A profile's stacks merged into one tree, root to leaf, by function name
// (inlined frames expanded, as pprof shows them): what a flame graph draws.
struct FlameTree {
    struct Node {
        std::string name; // "root" for the tree's root
        std::int64_t value = 0; // this frame and everything it called (cum)
        std::int64_t self = 0; // this frame as the leaf (flat)
        int parent = -1;
        int depth = 0;
        std::vector<int> children; // sorted by name, as pprof's flame graph orders them
        // A diff: the same path's value in the base profile (0 where the
        // path is new); see annotateWithBase().
        std::int64_t baseValue = 0;
    };
    std::vector<Node> nodes; // [0] is the root; its value is the total
    formats::Profile::ValueType sampleType;
    std::string error; // an unknown sample index
    std::int64_t baseTotal = 0; // a diff: the base profile's total; 0 otherwise

    bool isDiff() const { return baseTotal != 0; }
    // A diff: the node's share of its profile's total now minus in the base,
    // so that profiles of different lengths or loads compare fairly.
    double shareChange(int node) const;
    std::int64_t total() const { return nodes.empty() ? 0 : nodes.front().value; }
};

FlameTree buildFlameTree(const formats::Profile &profile, std::string_view sampleIndex = {});

// One box of the graph: x and width are fractions of the full width, for
// the view zoomed to `zoom` (that node spans the width; its ancestors too,
// as the breadcrumb above it).
struct FlameRect {
    int node = 0;
    int depth = 0;
    double x = 0;
    double width = 0;
};

// The boxes wider than `minWidth` (a fraction; narrower ones would be less
// than a pixel), parents before children, depth by depth.
std::vector<FlameRect> layoutFlame(const FlameTree &tree, int zoom = 0, double minWidth = 0);

// The nodes whose name contains `text` (case-sensitive), and their share of
// the total: a match under another match is counted once.
struct FlameSearch {
    std::vector<int> matches;
    std::int64_t value = 0;
    double share = 0; // of the tree's total
};
FlameSearch searchFlame(const FlameTree &tree, std::string_view text);

// Makes `tree` a diff against `base` (the same kind of profile, before an
// action or from a healthy peer): each node gets the value of the same
// path in the base.
void annotateWithBase(FlameTree &tree, const FlameTree &base);

// Who calls a function and what it calls, weighted by the function's cum
// under each (pprof's peek, by function name). A recursive call is counted
// once, at its outermost frame.
struct CallersAndCallees {
    struct Edge {
        std::string name;
        std::int64_t value = 0;
    };
    std::int64_t cum = 0;
    std::int64_t self = 0;
    std::vector<Edge> callers; // largest first; "root" for a stack's first frame
    std::vector<Edge> callees;
};
CallersAndCallees callersAndCallees(const FlameTree &tree, std::string_view function);

} // namespace gotriage::diagnose
