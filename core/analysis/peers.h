#pragma once

#include "config/fleetconfig.h"

#include <QSet>
#include <QString>

#include <optional>
#include <vector>

namespace gotriage::analysis {

// The healthy service most like `sick`, to compare its profile with: same
// tier, then the most labels in common (a replica of the same job shares
// them all), then the name closest to its own ("checkout-2" for
// "checkout-1"). Services with findings are not healthy; nullopt when no
// service qualifies.
std::optional<QString> pickHealthyPeer(const config::ServiceConfig &sick,
                                       const std::vector<config::ServiceConfig> &fleet,
                                       const QSet<QString> &servicesWithFindings);

} // namespace gotriage::analysis
