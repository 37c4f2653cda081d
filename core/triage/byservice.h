#pragma once

#include "analysis/finding.h"
#include "signals/vital.h"

#include <QString>

#include <unordered_map>
#include <vector>

namespace gotriage::triage {

// The fleet's latest vitals and active findings, by service name. Hashed:
// the ranking looks up every service of the fleet in both, and an ordered
// map's string comparisons were most of a ranking at 10 000 services.
// Nothing may depend on their order.
using LatestVitals = std::unordered_map<QString, vitals::VitalsSample>;
using FindingsByService = std::unordered_map<QString, std::vector<analysis::Finding>>;

} // namespace gotriage::triage
