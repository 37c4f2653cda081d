#include "impact.h"

#include "store/seriesstore.h"

#include <cmath>

namespace gotriage::triage {

QString Impact::trend() const
{
    if (!known || !beforeKnown)
        return QStringLiteral("steady");
    // A change of a tenth of the ratio, and of half a point, is a move.
    const double change = errorRatio - errorRatioBefore;
    if (std::abs(change) < std::max(0.005, 0.1 * errorRatioBefore))
        return QStringLiteral("steady");
    return change > 0 ? QStringLiteral("rising") : QStringLiteral("falling");
}

QString Impact::summary() const
{
    if (coreServices == 0)
        return QStringLiteral("no core-tier services in the fleet (set \"tier\": \"core\" in the fleet file)");
    if (!known)
        return QStringLiteral("core request rate unknown (no request counter on the %1 core services)")
            .arg(coreServices);
    return QStringLiteral("core error ratio %1 % and %2 (%3 errors/s of %4 requests/s)")
        .arg(100 * errorRatio, 0, 'f', 1)
        .arg(trend())
        .arg(errorRate, 0, 'f', errorRate < 10 ? 1 : 0)
        .arg(requestRate, 0, 'f', requestRate < 10 ? 1 : 0);
}

Impact computeImpact(const store::SeriesStore &store, const std::vector<config::ServiceConfig> &services, qint64 nowMs,
                     qint64 averageMs, qint64 trendWindowMs)
{
    Impact out;
    double requestsBefore = 0, errorsBefore = 0;
    for (const config::ServiceConfig &s : services) {
        if (s.tier != config::Tier::Core)
            continue;
        ++out.coreServices;
        // Two short windows, not the minutes between them: this runs on the
        // GUI thread's refresh, once per core service.
        const double requests = store.mean(s.name, vitals::Vital::ReqRate, nowMs - averageMs, nowMs);
        const double errors = store.mean(s.name, vitals::Vital::ErrRate, nowMs - averageMs, nowMs);
        if (vitals::isKnown(requests)) {
            ++out.reporting;
            out.known = true;
            out.requestRate += requests;
            out.errorRate += vitals::isKnown(errors) ? errors : 0;
        }
        const qint64 then = nowMs - trendWindowMs;
        // Two hours back may be held only in buckets: their means are the same mean.
        const double requestsThen = store.mean(s.name, vitals::Vital::ReqRate, then - averageMs, then);
        const double errorsThen = store.mean(s.name, vitals::Vital::ErrRate, then - averageMs, then);
        if (vitals::isKnown(requestsThen)) {
            out.beforeKnown = true;
            requestsBefore += requestsThen;
            errorsBefore += vitals::isKnown(errorsThen) ? errorsThen : 0;
        }
    }
    out.errorRatio = out.requestRate > 0 ? out.errorRate / out.requestRate : 0;
    out.errorRatioBefore = requestsBefore > 0 ? errorsBefore / requestsBefore : 0;
    return out;
}

} // namespace gotriage::triage
