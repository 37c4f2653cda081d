#include "verification.h"

#include "store/seriesstore.h"
#include "triage/actionrunner.h"

#include <QRegularExpression>

#include <cmath>
#include <functional>
#include <optional>

namespace gotriage::triage {

using vitals::Vital;

namespace {

struct Stats {
    int n = 0;
    double mean = vitals::kUnknown;
    double slopePerMinute = vitals::kUnknown; // least squares
};

// What an expectation can name: a vital, or "admitted_rate", the requests
// a service let through (req_rate less shed_rate: a throttle's 429s are
// still counted as requests).
using ValueOf = std::function<double(const vitals::VitalsSample &)>;

std::optional<ValueOf> expectedValue(const QString &name)
{
    if (name == QLatin1String("admitted_rate")) {
        return [](const vitals::VitalsSample &v) {
            return v[Vital::ReqRate] - (vitals::isKnown(v[Vital::ShedRate]) ? v[Vital::ShedRate] : 0.0);
        };
    }
    const std::optional<Vital> vital = vitals::vitalFromName(name.toStdString());
    if (!vital)
        return std::nullopt;
    return [vital = *vital](const vitals::VitalsSample &v) { return v[vital]; };
}

Stats statsOf(const store::ServiceSnapshot &snapshot, const ValueOf &valueOf, qint64 from, qint64 to)
{
    Stats s;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const vitals::VitalsSample &v : snapshot.samples) {
        const double y = valueOf(v);
        if (v.tsMs < from || v.tsMs > to || !vitals::isKnown(y))
            continue;
        const double x = static_cast<double>(v.tsMs - from) / 60000.0;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        ++s.n;
    }
    if (s.n == 0)
        return s;
    s.mean = sy / s.n;
    const double d = s.n * sxx - sx * sx;
    if (s.n >= 3 && d > 0)
        s.slopePerMinute = (s.n * sxy - sx * sy) / d;
    return s;
}

Stats statsOf(const store::ServiceSnapshot &snapshot, Vital vital, qint64 from, qint64 to)
{
    return statsOf(
        snapshot, [vital](const vitals::VitalsSample &v) { return v[vital]; }, from, to);
}

QString fmt(double v)
{
    return QString::number(v, 'f', std::abs(v) >= 1000 ? 0 : std::abs(v) >= 10 ? 1 : 2);
}

} // namespace

bool isExpectable(const QString &name)
{
    return expectedValue(name).has_value();
}

QString ActionVerdict::summary() const
{
    const QString why = decidedBy.join(QStringLiteral("; "));
    if (!decided)
        return QStringLiteral("not decided yet: ") + why;
    return (effective ? QStringLiteral("effective: ") : QStringLiteral("not effective: ")) + why;
}

ActionVerdict verifyAction(const store::SeriesStore &store, const config::ActionSpec &action, const ActionRun &run,
                           qint64 nowMs, qint64 windowMs, qint64 settleMs)
{
    ActionVerdict out;
    const qint64 sent = run.sentMs;
    const store::ServiceSnapshot snapshot = store.snapshot(run.service, sent - windowMs, nowMs);
    const qint64 afterFrom = sent + settleMs;
    constexpr int kMinSamples = 5;

    // The action's own expectation decides when it has one.
    if (!action.expectVital.isEmpty() && !action.expectAtMost.isEmpty()) {
        const std::optional<ValueOf> valueOf = expectedValue(action.expectVital);
        QString limitText = action.expectAtMost;
        for (auto it = run.values.begin(); it != run.values.end(); ++it)
            limitText.replace(QStringLiteral("${%1}").arg(it.key()), QString::number(it.value(), 'g', 15));
        bool ok = false;
        const double limit = limitText.toDouble(&ok);
        if (valueOf && ok) {
            const Stats after = statsOf(snapshot, *valueOf, afterFrom, nowMs);
            // Each sample is already a mean over the rate window: two
            // clean ones are enough to judge a limit.
            constexpr int kMinExpectSamples = 2;
            if (after.n < kMinExpectSamples) {
                out.decidedBy << QStringLiteral("%1 samples of %2 since the action settled, %3 needed")
                                     .arg(after.n)
                                     .arg(action.expectVital)
                                     .arg(kMinExpectSamples);
                return out;
            }
            out.decided = true;
            // A limiter admits its burst on top of its rate (a token bucket
            // holds a second's worth: a tenth more over the 10 s rate
            // window), and the window's edges move with the scrapes' timing
            // (another tenth): within that, the limit holds.
            constexpr double kLimiterSlack = 1.2;
            out.effective = after.mean <= limit * kLimiterSlack + 1e-9;
            out.decidedBy << QStringLiteral("%1 %2 after, at most %3 expected")
                                 .arg(action.expectVital, fmt(after.mean), fmt(limit));
            return out;
        }
    }

    // Otherwise: did something get better?
    const Stats reqBefore = statsOf(snapshot, Vital::ReqRate, sent - windowMs, sent);
    const Stats errBefore = statsOf(snapshot, Vital::ErrRate, sent - windowMs, sent);
    const Stats reqAfter = statsOf(snapshot, Vital::ReqRate, afterFrom, nowMs);
    const Stats errAfter = statsOf(snapshot, Vital::ErrRate, afterFrom, nowMs);
    const Stats goroutinesBefore = statsOf(snapshot, Vital::Goroutines, sent - windowMs, sent);
    const Stats goroutinesAfter = statsOf(snapshot, Vital::Goroutines, afterFrom, nowMs);
    if (std::max({reqAfter.n, goroutinesAfter.n}) < kMinSamples) {
        out.decidedBy << QStringLiteral("too little data since the action");
        return out;
    }
    out.decided = true;
    if (reqBefore.n > 0 && reqAfter.n > 0 && reqBefore.mean > 0 && reqAfter.mean > 0 && vitals::isKnown(errBefore.mean)
        && vitals::isKnown(errAfter.mean)) {
        const double before = errBefore.mean / reqBefore.mean;
        const double after = errAfter.mean / reqAfter.mean;
        if (after < before * 0.8) {
            out.effective = true;
            out.decidedBy
                << QStringLiteral("error ratio fell from %1 % to %2 %").arg(fmt(100 * before), fmt(100 * after));
        }
    }
    if (vitals::isKnown(goroutinesBefore.slopePerMinute) && vitals::isKnown(goroutinesAfter.slopePerMinute)
        && goroutinesBefore.slopePerMinute > 1) {
        if (goroutinesAfter.slopePerMinute < 0.5 * goroutinesBefore.slopePerMinute) {
            out.effective = true;
            out.decidedBy << QStringLiteral("goroutine growth flattened from %1/min to %2/min")
                                 .arg(fmt(goroutinesBefore.slopePerMinute), fmt(goroutinesAfter.slopePerMinute));
        }
    }
    if (out.decidedBy.isEmpty())
        out.decidedBy << QStringLiteral("neither the error ratio nor the goroutine growth changed");
    return out;
}

} // namespace gotriage::triage
