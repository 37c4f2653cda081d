#include "trendtracker.h"

#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gotriage::analysis {

namespace {

// The mean without the highest and lowest fifth: nearly as efficient as the
// mean on Gaussian noise, nearly as indifferent to a burst as the median.
double trimmedMean(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t cut = values.size() / 5;
    double sum = 0;
    for (std::size_t i = cut; i < values.size() - cut; ++i)
        sum += values[i];
    return sum / static_cast<double>(values.size() - 2 * cut);
}

// The best "flat, then rising" fit: y = a + b·max(0, x − x_k).
struct Hinge {
    std::size_t k = 0;
    double a = 0, b = 0;
    double sse = std::numeric_limits<double>::infinity();
    double spread = 0; // Σ(u − ū)² of the hinge regressor, for the slope's standard error
};

} // namespace

TrendTracker::Window::Window(WindowSpec windowSpec)
    : spec(windowSpec), capacity(static_cast<std::size_t>(std::max<std::int64_t>(1, spec.span / spec.bucket)))
{ }

void TrendTracker::Window::push(Bucket bucket)
{
    // The window is the last `span` of time, not the last span/bucket
    // buckets: a source sampled more sparsely than the bucket (a server's
    // 15 s against a 5 s bucket) leaves grid cells empty, and the 2-minute
    // window held 6 minutes; a gap in the scrapes left older buckets in.
    while (count > 0 && bucket.index - ring[first].index >= capacity) {
        first = (first + 1) % capacity;
        --count;
    }
    if (count < capacity) {
        ring[(first + count++) % capacity] = bucket;
        return;
    }
    ring[first] = bucket; // over the oldest
    first = (first + 1) % capacity;
}

TrendTracker::TrendTracker(std::vector<WindowSpec> windows, Aggregate aggregate)
    : m_rings(ringBytes(windows)), m_aggregate(aggregate)
{
    for (const WindowSpec &spec : windows)
        m_windows.emplace_back(spec);
    placeRings(m_rings.data());
}

TrendTracker::TrendTracker(std::vector<WindowSpec> windows, Aggregate aggregate, void *rings) : m_aggregate(aggregate)
{
    for (const WindowSpec &spec : windows)
        m_windows.emplace_back(spec);
    placeRings(rings);
}

std::size_t TrendTracker::ringBytes(const std::vector<WindowSpec> &windows)
{
    std::size_t buckets = 0;
    for (const WindowSpec &spec : windows)
        buckets += Window(spec).capacity;
    return buckets * sizeof(Bucket);
}

void TrendTracker::placeRings(void *rings)
{
    // The block is zeroed, and a Bucket is two numbers: a ring needs no
    // constructing, and writing it here would only touch every page again.
    auto *next = static_cast<Bucket *>(rings);
    for (Window &w : m_windows) {
        w.ring = next;
        next += w.capacity;
    }
    m_estimates.resize(m_windows.size());
}

void TrendTracker::reset()
{
    for (Window &w : m_windows) {
        w.clear();
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
                : trimmedMean(w.pending);
            const auto index = static_cast<std::uint32_t>((w.bucketStartMs - m_segmentStartMs) / bucketMs);
            w.push({index, static_cast<float>(aggregated)});
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
    const std::size_t n = w.size();
    e.points = static_cast<int>(n);
    if (static_cast<int>(n) < settings.minPoints)
        return;
    const double bucketSeconds = static_cast<double>(w.spec.bucket.count());
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = (w[i].index + 0.5) * bucketSeconds;
        y[i] = w[i].value;
    }
    const TheilSen fit = theilSen(x, y);
    if (!fit.valid)
        return;
    e.valid = true;
    e.spanSeconds = x.back() - x.front();
    e.coveredSeconds = e.spanSeconds;
    e.slopePerSecond = fit.slope;
    e.slopeLowPerSecond = fit.slopeLow;
    e.slopeHighPerSecond = fit.slopeHigh;
    e.level = fit.intercept + fit.slope * x.back();

    // A step (a deploy, a cache warming up) is monotonic too. A trend is
    // what a continuous "flat, then rising" line (a hinge, which includes a
    // plain line) explains about as well as the best single level shift or
    // better; a hinge cannot jump, so a step fits it badly, while a leak
    // that began inside the window fits it well from the start.
    std::vector<double> prefix(n + 1, 0), prefixSq(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        prefix[i + 1] = prefix[i] + y[i];
        prefixSq[i + 1] = prefixSq[i] + y[i] * y[i];
    }
    const auto flatSse = [&](std::size_t from, std::size_t to) { // [from, to)
        const double count = static_cast<double>(to - from);
        const double sum = prefix[to] - prefix[from];
        return prefixSq[to] - prefixSq[from] - sum * sum / count;
    };
    double stepSse = std::numeric_limits<double>::infinity();
    for (std::size_t k = 2; k + 2 <= n; ++k)
        stepSse = std::min(stepSse, flatSse(0, k) + flatSse(k, n));
    Hinge hinge;
    std::vector<double> hingeResidual(n), residual(n);
    for (std::size_t k = 0; k + 4 <= n; ++k) {
        // Least squares for y = a + b·max(0, x − x_k).
        double su = 0, suu = 0, suy = 0;
        for (std::size_t i = k; i < n; ++i) {
            const double u = x[i] - x[k];
            su += u;
            suu += u * u;
            suy += u * y[i];
        }
        const double sy = prefix[n];
        const double nn = static_cast<double>(n);
        const double det = nn * suu - su * su;
        if (det <= 0)
            continue;
        const double b = (nn * suy - su * sy) / det;
        const double a = (sy - b * su) / nn;
        double sse = 0;
        for (std::size_t i = 0; i < n; ++i) {
            residual[i] = y[i] - (a + b * (i >= k ? x[i] - x[k] : 0.0));
            sse += residual[i] * residual[i];
        }
        if (sse < hinge.sse) {
            hinge = {k, a, b, sse, det / nn};
            hingeResidual = residual;
        }
    }
    const bool hingeFitted = std::isfinite(hinge.sse);
    // Autocorrelation is judged on what the best shape leaves over: a leak
    // that began mid-window is not "persistent noise" around a straight line.
    const double lag1 = hingeFitted ? std::clamp(lag1Autocorrelation(hingeResidual), 0.0, 0.9) : 0.0;
    const MannKendall mk = mannKendallWithLag1(y, lag1);
    e.z = mk.z;
    e.p = mk.p;
    if (hingeFitted) {
        std::vector<double> spread(n);
        for (std::size_t i = 0; i < n; ++i)
            spread[i] = std::fabs(hingeResidual[i]);
        e.noise = 1.4826 * median(spread); // MAD as a standard deviation
    }
    // Windows with short buckets are judged more often, so each judgement
    // must be stricter for the same false-alarm rate per unit of time.
    const double strictness = std::min(1.0, bucketSeconds / 10.0) * std::min(1.0, bucketSeconds / 10.0);
    const bool trendSignificant
        = mk.p < settings.alpha * strictness && (fit.slope > 0 ? fit.slopeLow > 0 : fit.slopeHigh < 0);

    // The hinge's own slope test. Where a series was flat and then began to
    // rise, the flat stretch pins the level down and the slope of the rise
    // is measured against it: far more power than a test of the whole
    // window, for a leak that began minutes ago. The breakpoint is the best
    // of many, so the bar is higher than for a single test; the rise must
    // span a fifth of the window so a few late buckets cannot make one.
    if (hingeFitted && n > 3) {
        const double inflation = (1 + lag1) / (1 - lag1);
        const double se = std::sqrt(inflation * hinge.sse / static_cast<double>(n - 2) / hinge.spread);
        // The best "hinge" may start at the first bucket: a plain line, its
        // slope tested the same way. Mann–Kendall, being rank-based, cannot
        // exceed z ≈ 4.5 on a dozen buckets however steep and clean the
        // rise; the slope's t can, so a loud leak is not held back by it.
        const std::size_t risePoints = n - hinge.k;
        const bool isHinge = risePoints >= std::max<std::size_t>(6, n / 5);
        e.hingeZ = isHinge && se > 0 ? hinge.b / se : 0;
        // Short buckets raise the bar in proportion (5 s: twice), which in
        // practice leaves the hinge test to windows of 10 s buckets and up.
        if (std::fabs(e.hingeZ) >= settings.hingeZ / std::sqrt(strictness)) {
            // The rise, not the whole window, is what the numbers describe.
            e.slopePerSecond = hinge.b;
            e.slopeLowPerSecond = hinge.b - 1.959964 * se;
            e.slopeHighPerSecond = hinge.b + 1.959964 * se;
            e.spanSeconds = x.back() - x[hinge.k];
            e.level = hinge.a + hinge.b * e.spanSeconds;
            e.fromHinge = true;
            e.flatBefore = hinge.k > 0;
        }
    }
    // "About as well": on a slow ramp buried in noise the best step often
    // fits a little better by chance, so a step wins only by more than a
    // few residual variances. A real step wins by hundreds.
    const double residualVariance = stepSse / static_cast<double>(n - 3);
    const bool notStep = hinge.sse - stepSse < settings.stepMargin * residualVariance;
    e.significant = (trendSignificant || e.fromHinge) && notStep;
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
