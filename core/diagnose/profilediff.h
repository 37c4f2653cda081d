#pragma once

#include "diagnose/toptable.h"

#include <string>
#include <vector>

namespace gotriage::diagnose {

// One function in two profiles of the same kind: before and after an
// action, or a sick replica and a healthy peer.
struct DiffRow {
    std::string name;
    std::int64_t baseFlat = 0;
    std::int64_t flat = 0;
    std::int64_t baseCum = 0;
    std::int64_t cum = 0;
    // Shares of each profile's own total, in percent, so that profiles of
    // different lengths or loads compare: what a function's weight became.
    double baseFlatPercent = 0;
    double flatPercent = 0;
    double baseCumPercent = 0;
    double cumPercent = 0;

    double flatPercentChange() const { return flatPercent - baseFlatPercent; }
    double cumPercentChange() const { return cumPercent - baseCumPercent; }
};

struct ProfileDiff {
    std::vector<DiffRow> rows; // the largest growth of flat share first, the largest shrinkage last
    std::int64_t baseTotal = 0;
    std::int64_t total = 0;
    formats::Profile::ValueType sampleType;
    std::string error;
};

// Every function of either profile (no node fraction: a function that
// vanished is news), with its flat and cum in both.
ProfileDiff diffProfiles(const formats::Profile &base, const formats::Profile &profile,
                         const std::string &sampleIndex = {});

} // namespace gotriage::diagnose
