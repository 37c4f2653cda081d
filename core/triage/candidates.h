#pragma once

#include "analysis/finding.h"
#include "config/actioncatalog.h"
#include "signals/vital.h"
#include "triage/byservice.h"

#include <QStringList>

#include <vector>

namespace gotriage::triage {

// A service to throttle, circuit-break or degrade first, and why it is
// ranked where it is.
struct Candidate {
    // A battlefield finding that raised the score.
    struct Battlefield {
        analysis::FindingKind kind;
        analysis::Severity severity;
    };

    QString service;
    config::Tier tier = config::Tier::NonCore;
    double score = 0; // larger first
    // What the reasons are made from; shares of 0.5 or more are reasons.
    double cpuShare = 0; // of cpuCores
    double cpuCores = 0;
    double memoryShare = 0; // of the memory limit
    std::vector<Battlefield> battlefields;
    QStringList actions; // the catalog's actions that apply to it

    // "non-core: …", "CPU at 92 % of its 2 cores", "goroutine_leak
    // (critical)": made when asked, as the whole fleet is ranked every few
    // seconds and only the rows on screen show theirs.
    QStringList reasons() const;
};

// Ranks the fleet: non-core before core (shedding them keeps the core
// alive), then by resource pressure (CPU against its capacity, memory
// against its limit) and by findings (battlefields, their severity). A
// service without any action that applies to it is still listed: the
// operator sees there is nothing configured to pull.
//
// In two parts for a large fleet ranked a slice at a time: candidateFor()
// each service, then sortCandidates().
std::vector<Candidate> rankCandidates(const std::vector<config::ServiceConfig> &services, const LatestVitals &latest,
                                      const FindingsByService &findings, const config::ActionCatalog &catalog);

Candidate candidateFor(const config::ServiceConfig &service, const LatestVitals &latest,
                       const FindingsByService &findings, const config::ActionCatalog &catalog);
void sortCandidates(std::vector<Candidate> &candidates);

} // namespace gotriage::triage
