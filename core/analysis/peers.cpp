#include "peers.h"

#include <algorithm>
#include <tuple>

namespace gotriage::analysis {

namespace {

int sharedLabels(const config::ServiceConfig &a, const config::ServiceConfig &b)
{
    int shared = 0;
    for (const auto &label : a.labels)
        shared += std::count(b.labels.begin(), b.labels.end(), label) > 0 ? 1 : 0;
    return shared;
}

int commonPrefix(const QString &a, const QString &b)
{
    int n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n])
        ++n;
    return n;
}

} // namespace

std::optional<QString> pickHealthyPeer(const config::ServiceConfig &sick,
                                       const std::vector<config::ServiceConfig> &fleet,
                                       const QSet<QString> &servicesWithFindings)
{
    const config::ServiceConfig *best = nullptr;
    std::tuple<bool, int, int> bestScore{false, -1, -1};
    for (const config::ServiceConfig &candidate : fleet) {
        if (candidate.name == sick.name || servicesWithFindings.contains(candidate.name))
            continue;
        const std::tuple<bool, int, int> score{candidate.tier == sick.tier, sharedLabels(sick, candidate),
                                               commonPrefix(sick.name, candidate.name)};
        if (!best || score > bestScore || (score == bestScore && candidate.name < best->name)) {
            best = &candidate;
            bestScore = score;
        }
    }
    if (!best)
        return std::nullopt;
    return best->name;
}

} // namespace gotriage::analysis
