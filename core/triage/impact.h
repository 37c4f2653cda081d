#pragma once

#include "config/fleetconfig.h"

#include <QString>

#include <vector>

namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::triage {

// How much of the core business is failing: the core-tier services'
// requests and errors, now and a few minutes ago.
struct Impact {
    int coreServices = 0;
    int reporting = 0; // core services with a known request rate now
    double requestRate = 0; // requests/s, summed over the core services
    double errorRate = 0; // errors/s: the requests lost
    double errorRatio = 0; // errorRate / requestRate; 0 without traffic
    double errorRatioBefore = 0; // the same, `trendWindowMs` ago
    bool known = false; // some core service reports requests
    bool beforeKnown = false;

    // "rising", "falling", "steady": the ratio against the one before.
    QString trend() const;
    // "core error ratio 12.0 % and rising (3.1 errors/s of 26 requests/s)"
    QString summary() const;
};

// From the store's recent samples (the mean over `averageMs` ending at
// `nowMs`, so one scrape's noise does not move it); a replay passes its
// playhead as `nowMs`.
Impact computeImpact(const store::SeriesStore &store, const std::vector<config::ServiceConfig> &services, qint64 nowMs,
                     qint64 averageMs = 30'000, qint64 trendWindowMs = 5 * 60'000);

} // namespace gotriage::triage
