#include "candidates.h"

#include <algorithm>

namespace gotriage::triage {

using vitals::Vital;

std::vector<Candidate> rankCandidates(const std::vector<config::ServiceConfig> &services,
                                      const std::map<QString, vitals::VitalsSample> &latest,
                                      const std::map<QString, std::vector<analysis::Finding>> &findings,
                                      const config::ActionCatalog &catalog)
{
    std::vector<Candidate> out;
    for (const config::ServiceConfig &s : services) {
        Candidate c;
        c.service = s.name;
        c.tier = s.tier;
        // The tier dominates: any non-core service ranks above any core one.
        if (s.tier == config::Tier::NonCore) {
            c.score += 1000;
            c.reasons << QStringLiteral("non-core: shedding it keeps the core alive");
        } else {
            c.reasons << QStringLiteral("core: throttle it only to save it");
        }
        if (const auto it = latest.find(s.name); it != latest.end()) {
            const vitals::VitalsSample &v = it->second;
            if (vitals::isKnown(v[Vital::Cpu]) && s.limits.cpuCores && *s.limits.cpuCores > 0) {
                const double share = v[Vital::Cpu] / *s.limits.cpuCores;
                c.score += 100 * std::min(share, 1.5);
                if (share >= 0.5)
                    c.reasons << QStringLiteral("CPU at %1 % of its %2 cores")
                                     .arg(100 * share, 0, 'f', 0)
                                     .arg(*s.limits.cpuCores);
            }
            if (vitals::isKnown(v[Vital::Rss]) && s.limits.memoryBytes && *s.limits.memoryBytes > 0) {
                const double share = v[Vital::Rss] / *s.limits.memoryBytes;
                c.score += 100 * std::min(share, 1.5);
                if (share >= 0.5)
                    c.reasons << QStringLiteral("memory at %1 % of its limit").arg(100 * share, 0, 'f', 0);
            }
            if (vitals::isKnown(v[Vital::ReqRate]) && v[Vital::ReqRate] > 0)
                c.score += std::min(50.0, v[Vital::ReqRate] / 10); // more traffic to shed, more relief
        }
        if (const auto it = findings.find(s.name); it != findings.end()) {
            for (const analysis::Finding &f : it->second) {
                if (!analysis::isBattlefield(f.kind))
                    continue;
                c.score += f.severity == analysis::Severity::Critical ? 300 : 150;
                c.reasons << QStringLiteral("%1 (%2)").arg(analysis::kindName(f.kind),
                                                           analysis::severityName(f.severity));
            }
        }
        for (const config::ActionSpec *a : catalog.forService(s))
            c.actions << a->name;
        if (c.actions.isEmpty())
            c.reasons << QStringLiteral("no action in the fleet file applies to it");
        out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const Candidate &a, const Candidate &b) {
        return a.score != b.score ? a.score > b.score : a.service < b.service;
    });
    return out;
}

} // namespace gotriage::triage
