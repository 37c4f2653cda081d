#include "trendtracker.h"

#include "statistics.h"

#include <algorithm>
#include <cmath>

namespace gotriage::analysis {

TrendTracker::TrendTracker(std::vector<WindowSpec> windows, Aggregate aggregate) : m_aggregate(aggregate)
{
    for (const WindowSpec &spec : windows)
        m_windows.push_back({spec, {}, {}, -1});
    m_estimates.resize(m_windows.size());
}

void TrendTracker::reset()
{
    for (Window &w : m_windows) {
        w.buckets.clear();
        w.pending.clear();
        w.bucketStartMs = -1;
    }
    for (TrendEstimate &e : m_estimates)
        e = TrendEstimate{};
    m_segmentStartMs = -1;
}

bool TrendTracker::add(std::int64_t tsMs, double value, const TrendSettings &settings)
{
    if (std::isnan(value))
        return false;
    if (m_segmentStartMs < 0)
        m_segmentStartMs = tsMs;
    m_latest = value;
    bool evaluated = false;
    for (std::size_t i = 0; i < m_windows.size(); ++i) {
        Window &w = m_windows[i];
        const std::int64_t bucketMs = std::chrono::duration_cast<std::chrono::milliseconds>(w.spec.bucket).count();
        if (w.bucketStartMs < 0)
            w.bucketStartMs = tsMs;
        if (tsMs - w.bucketStartMs >= bucketMs && !w.pending.empty()) {
            // Close the bucket: one robust value in the middle of its time.
            const double aggregated = m_aggregate == Aggregate::Min
                ? *std::min_element(w.pending.begin(), w.pending.end())
                : median(w.pending);
            const double t = static_cast<double>(w.bucketStartMs - m_segmentStartMs) / 1000.0
                + static_cast<double>(bucketMs) / 2000.0;
            w.buckets.push_back({t, aggregated});
            const auto capacity = static_cast<std::size_t>(w.spec.span / w.spec.bucket);
            while (w.buckets.size() > capacity)
                w.buckets.pop_front();
            w.pending.clear();
            // Restart the grid at this sample, skipping any gap.
            w.bucketStartMs += ((tsMs - w.bucketStartMs) / bucketMs) * bucketMs;
            evaluate(i, tsMs, settings);
            evaluated = true;
        }
        w.pending.push_back(value);
    }
    return evaluated;
}

void TrendTracker::evaluate(std::size_t index, std::int64_t nowMs, const TrendSettings &settings)
{
    const Window &w = m_windows[index];
    TrendEstimate &e = m_estimates[index];
    e = TrendEstimate{};
    e.window = index;
    e.evaluatedMs = nowMs;
    const std::size_t n = w.buckets.size();
    e.points = static_cast<int>(n);
    if (static_cast<int>(n) < settings.minPoints)
        return;
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = w.buckets[i].t;
        y[i] = w.buckets[i].value;
    }
    const TheilSen fit = theilSen(x, y);
    if (!fit.valid)
        return;
    const double step = (x.back() - x.front()) / static_cast<double>(n - 1);
    const MannKendall mk = mannKendall(y, fit.slope * step);
    e.valid = true;
    e.spanSeconds = x.back() - x.front();
    e.slopePerSecond = fit.slope;
    e.slopeLowPerSecond = fit.slopeLow;
    e.slopeHighPerSecond = fit.slopeHigh;
    e.level = fit.intercept + fit.slope * x.back();
    e.z = mk.z;
    e.p = mk.p;

    // A step (a deploy, a cache warming up) is monotonic too; a trend keeps
    // its direction in both halves of the window.
    const std::size_t half = n / 2;
    const TheilSen first = theilSen(std::span(x).first(half), std::span(y).first(half));
    const TheilSen second = theilSen(std::span(x).subspan(half), std::span(y).subspan(half));
    const bool sameSign = fit.slope > 0 ? fit.slopeLow > 0 : fit.slopeHigh < 0;
    const auto agrees = [&](const TheilSen &part) {
        return part.valid && part.slope * fit.slope > 0 && std::fabs(part.slope) >= 0.25 * std::fabs(fit.slope);
    };
    e.significant = mk.p < settings.alpha && sameSign && agrees(first) && agrees(second);
}

const TrendEstimate *TrendTracker::best() const
{
    const TrendEstimate *best = nullptr;
    for (const TrendEstimate &e : m_estimates) {
        if (!e.valid)
            continue;
        if (!best || (e.significant && !best->significant)
            || (e.significant == best->significant && e.spanSeconds > best->spanSeconds))
            best = &e;
    }
    return best;
}

} // namespace gotriage::analysis
