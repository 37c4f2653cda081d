#include "impact.h"

#include "store/seriesstore.h"

#include <cmath>

namespace gotriage::triage {

namespace {

// The mean of a vital over [from, to], NaN when it has no known value there.
double meanOf(const store::ServiceSnapshot &snapshot, vitals::Vital vital, qint64 from, qint64 to)
{
    double sum = 0;
    int n = 0;
    for (const vitals::VitalsSample &s : snapshot.samples) {
        if (s.tsMs < from || s.tsMs > to || !vitals::isKnown(s[vital]))
            continue;
        sum += s[vital];
        ++n;
    }
    return n == 0 ? vitals::kUnknown : sum / n;
}

} // namespace

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
        const store::ServiceSnapshot recent = store.snapshot(s.name, nowMs - averageMs, nowMs);
        const double requests = meanOf(recent, vitals::Vital::ReqRate, nowMs - averageMs, nowMs);
        const double errors = meanOf(recent, vitals::Vital::ErrRate, nowMs - averageMs, nowMs);
        if (vitals::isKnown(requests)) {
            ++out.reporting;
            out.known = true;
            out.requestRate += requests;
            out.errorRate += vitals::isKnown(errors) ? errors : 0;
        }
        const qint64 then = nowMs - trendWindowMs;
        const store::ServiceSnapshot earlier = store.snapshot(s.name, then - averageMs, then);
        const double requestsThen = meanOf(earlier, vitals::Vital::ReqRate, then - averageMs, then);
        const double errorsThen = meanOf(earlier, vitals::Vital::ErrRate, then - averageMs, then);
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
