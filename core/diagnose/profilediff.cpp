#include "profilediff.h"

#include <algorithm>
#include <unordered_map>

namespace gotriage::diagnose {

ProfileDiff diffProfiles(const formats::Profile &base, const formats::Profile &profile, const std::string &sampleIndex)
{
    ProfileDiff out;
    TopOptions options;
    options.sampleIndex = sampleIndex;
    options.nodeFraction = 0;
    const TopTable before = topTable(base, options);
    const TopTable after = topTable(profile, options);
    if (!after.error.empty() || !before.error.empty()) {
        out.error = !after.error.empty() ? after.error : "base profile: " + before.error;
        return out;
    }
    if (before.sampleType.type != after.sampleType.type) {
        out.error = "the profiles measure different things (" + before.sampleType.type + " and " + after.sampleType.type
            + ")";
        return out;
    }
    out.baseTotal = before.total;
    out.total = after.total;
    out.sampleType = after.sampleType;
    std::unordered_map<std::string, std::size_t> index;
    for (const TopRow &row : after.rows) {
        index.emplace(row.name, out.rows.size());
        out.rows.push_back({row.name, 0, row.flat, 0, row.cum, 0, row.flatPercent, 0, row.cumPercent});
    }
    for (const TopRow &row : before.rows) {
        auto [it, added] = index.emplace(row.name, out.rows.size());
        if (added)
            out.rows.push_back({row.name, 0, 0, 0, 0, 0, 0, 0, 0});
        DiffRow &d = out.rows[it->second];
        d.baseFlat = row.flat;
        d.baseCum = row.cum;
        d.baseFlatPercent = row.flatPercent;
        d.baseCumPercent = row.cumPercent;
    }
    std::sort(out.rows.begin(), out.rows.end(), [](const DiffRow &a, const DiffRow &b) {
        if (a.flatPercentChange() != b.flatPercentChange())
            return a.flatPercentChange() > b.flatPercentChange();
        if (a.cumPercentChange() != b.cumPercentChange())
            return a.cumPercentChange() > b.cumPercentChange();
        return a.name < b.name;
    });
    return out;
}

} // namespace gotriage::diagnose
