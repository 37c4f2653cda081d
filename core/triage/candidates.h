#pragma once

#include "analysis/finding.h"
#include "config/actioncatalog.h"
#include "signals/vital.h"

#include <QStringList>

#include <map>
#include <vector>

namespace gotriage::triage {

// A service to throttle, circuit-break or degrade first, and why it is
// ranked where it is.
struct Candidate {
    QString service;
    config::Tier tier = config::Tier::NonCore;
    double score = 0; // larger first
    QStringList reasons; // "non-core", "CPU at 92 % of its 2 cores", "goroutine leak (critical)"
    QStringList actions; // the catalog's actions that apply to it
};

// Ranks the fleet: non-core before core (shedding them keeps the core
// alive), then by resource pressure (CPU against its capacity, memory
// against its limit) and by findings (battlefields, their severity). A
// service without any action that applies to it is still listed: the
// operator sees there is nothing configured to pull.
std::vector<Candidate> rankCandidates(const std::vector<config::ServiceConfig> &services,
                                      const std::map<QString, vitals::VitalsSample> &latest,
                                      const std::map<QString, std::vector<analysis::Finding>> &findings,
                                      const config::ActionCatalog &catalog);

} // namespace gotriage::triage
