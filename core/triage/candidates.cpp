#include "candidates.h"

#include <algorithm>

namespace gotriage::triage {

using vitals::Vital;

namespace {

constexpr double kReasonShare = 0.5; // a share of a limit worth saying

} // namespace

QStringList Candidate::reasons() const
{
    QStringList out;
    out << (tier == config::Tier::NonCore ? QStringLiteral("non-core: shedding it keeps the core alive")
                                          : QStringLiteral("core: throttle it only to save it"));
    if (cpuShare >= kReasonShare)
        out << QStringLiteral("CPU at %1 % of its %2 cores").arg(100 * cpuShare, 0, 'f', 0).arg(cpuCores);
    if (memoryShare >= kReasonShare)
        out << QStringLiteral("memory at %1 % of its limit").arg(100 * memoryShare, 0, 'f', 0);
    for (const Battlefield &b : battlefields)
        out << QStringLiteral("%1 (%2)").arg(analysis::kindName(b.kind), analysis::severityName(b.severity));
    if (actions.isEmpty())
        out << QStringLiteral("no action in the fleet file applies to it");
    return out;
}

Candidate candidateFor(const config::ServiceConfig &s, const LatestVitals &latest, const FindingsByService &findings,
                       const config::ActionCatalog &catalog)
{
    Candidate c;
    c.service = s.name;
    c.tier = s.tier;
    // The tier dominates: any non-core service ranks above any core one.
    if (s.tier == config::Tier::NonCore)
        c.score += 1000;
    if (const auto it = latest.find(s.name); it != latest.end()) {
        const vitals::VitalsSample &v = it->second;
        if (vitals::isKnown(v[Vital::Cpu]) && s.limits.cpuCores && *s.limits.cpuCores > 0) {
            c.cpuCores = *s.limits.cpuCores;
            c.cpuShare = v[Vital::Cpu] / c.cpuCores;
            c.score += 100 * std::min(c.cpuShare, 1.5);
        }
        if (vitals::isKnown(v[Vital::Rss]) && s.limits.memoryBytes && *s.limits.memoryBytes > 0) {
            c.memoryShare = v[Vital::Rss] / *s.limits.memoryBytes;
            c.score += 100 * std::min(c.memoryShare, 1.5);
        }
        if (vitals::isKnown(v[Vital::ReqRate]) && v[Vital::ReqRate] > 0)
            c.score += std::min(50.0, v[Vital::ReqRate] / 10); // more traffic to shed, more relief
    }
    if (const auto it = findings.find(s.name); it != findings.end()) {
        for (const analysis::Finding &f : it->second) {
            if (!analysis::isBattlefield(f.kind))
                continue;
            c.score += f.severity == analysis::Severity::Critical ? 300 : 150;
            c.battlefields.push_back({f.kind, f.severity});
        }
    }
    for (const config::ActionSpec *a : catalog.forService(s))
        c.actions << a->name;
    return c;
}

void sortCandidates(std::vector<Candidate> &candidates)
{
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        return a.score != b.score ? a.score > b.score : a.service < b.service;
    });
}

std::vector<Candidate> rankCandidates(const std::vector<config::ServiceConfig> &services, const LatestVitals &latest,
                                      const FindingsByService &findings, const config::ActionCatalog &catalog)
{
    std::vector<Candidate> out;
    out.reserve(services.size());
    for (const config::ServiceConfig &s : services)
        out.push_back(candidateFor(s, latest, findings, catalog));
    sortCandidates(out);
    return out;
}

} // namespace gotriage::triage
