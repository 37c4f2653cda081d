#include "verification.h"

#include "store/seriesstore.h"
#include "triage/actionrunner.h"

#include <QRegularExpression>

#include <cmath>

namespace gotriage::triage {

using vitals::Vital;

namespace {

struct Stats {
    int n = 0;
    double mean = vitals::kUnknown;
    double slopePerMinute = vitals::kUnknown; // least squares
};

Stats statsOf(const store::ServiceSnapshot &snapshot, Vital vital, qint64 from, qint64 to)
{
    Stats s;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const vitals::VitalsSample &v : snapshot.samples) {
        if (v.tsMs < from || v.tsMs > to || !vitals::isKnown(v[vital]))
            continue;
        const double x = static_cast<double>(v.tsMs - from) / 60000.0;
        sx += x;
        sy += v[vital];
        sxx += x * x;
        sxy += x * v[vital];
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

QString fmt(double v)
{
    return QString::number(v, 'f', std::abs(v) >= 1000 ? 0 : std::abs(v) >= 10 ? 1 : 2);
}

} // namespace

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
        const std::optional<Vital> vital = vitals::vitalFromName(action.expectVital.toStdString());
        QString limitText = action.expectAtMost;
        for (auto it = run.values.begin(); it != run.values.end(); ++it)
            limitText.replace(QStringLiteral("${%1}").arg(it.key()), QString::number(it.value(), 'g', 15));
        bool ok = false;
        const double limit = limitText.toDouble(&ok);
        if (vital && ok) {
            const Stats after = statsOf(snapshot, *vital, afterFrom, nowMs);
            if (after.n < kMinSamples) {
                out.decidedBy << QStringLiteral("%1 samples of %2 since the action, %3 needed")
                                     .arg(after.n)
                                     .arg(action.expectVital)
                                     .arg(kMinSamples);
                return out;
            }
            out.decided = true;
            // A tenth over the limit is the noise of a rate over a window.
            out.effective = after.mean <= limit * 1.1 + 1e-9;
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
