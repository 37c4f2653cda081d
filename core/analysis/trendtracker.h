#pragma once

#include "common/prefaultedblock.h"

#include <chrono>
#include <cstdint>
#include <vector>

namespace gotriage::analysis {

// One trend window: the last `span` of a signal in buckets of `bucket`.
struct WindowSpec {
    std::chrono::seconds span;
    std::chrono::seconds bucket;
};

// How a bucket summarises the raw values that fell into it. Median resists
// spikes; Min follows a lower envelope (heap after GC across cycles).
enum class Aggregate { Median, Min };

struct TrendSettings {
    double alpha = 0.001; // Mann–Kendall two-sided significance (|z| > 3.29)
    int minPoints = 8; // buckets a window needs before it is judged
    // A rise after a flat stretch: its slope's t (AR(1)-corrected, scaled
    // like alpha for short buckets) must reach this. The breakpoint is the
    // best of many, hence a higher bar than one test's 3.29.
    double hingeZ = 5.0;
    // A step explains the window better than a trend when it leaves less
    // residual than the hinge by this many residual variances.
    double stepMargin = 10;
};

struct TrendEstimate {
    bool valid = false;
    std::size_t window = 0; // index into the tracker's windows
    double spanSeconds = 0; // what the fitted trend covers
    double coveredSeconds = 0; // what the window's buckets cover
    double slopePerSecond = 0;
    double slopeLowPerSecond = 0; // 95 % CI
    double slopeHighPerSecond = 0;
    double level = 0; // fitted value at the newest bucket
    double z = 0;
    double p = 1;
    int points = 0;
    double hingeZ = 0; // t of the slope after the best hinge (0 without a flat stretch)
    bool fromHinge = false; // slope, level and span describe the rise after the hinge (its slope's t passed)
    bool flatBefore = false; // with fromHinge: the rise began inside the window, after a flat stretch
    double noise = 0; // robust sd of the buckets around the fitted shape
    bool significant = false; // beyond noise, and shaped like a ramp rather than a step
    std::int64_t evaluatedMs = 0;

    double relativePerMinute() const { return level != 0 ? slopePerSecond * 60 / level : 0; }
};

// Robust trend of one signal over several windows, on restart-aware
// segments: reset() starts a new segment, so a restart or counter reset is
// never read as a trend. A window is evaluated when one of its buckets
// closes, which staggers the work: short windows often, long ones rarely.
// Not thread-safe.
class TrendTracker
{
public:
    TrendTracker(std::vector<WindowSpec> windows, Aggregate aggregate = Aggregate::Median);
    // Rings in `rings`: ringBytes(windows) of zeroed memory, 4-byte
    // aligned, that outlives the tracker. Many trackers share one block so a
    // fleet of analyses is mapped in few calls (common::PrefaultedBlock).
    TrendTracker(std::vector<WindowSpec> windows, Aggregate aggregate, void *rings);
    static std::size_t ringBytes(const std::vector<WindowSpec> &windows);

    // Adds a value; NaN is ignored. Returns true when a window was re-evaluated.
    bool add(std::int64_t tsMs, double value, const TrendSettings &settings);
    void reset();

    const std::vector<TrendEstimate> &estimates() const { return m_estimates; }
    // The significant estimate over the longest span, else the longest valid one.
    const TrendEstimate *best() const;
    std::int64_t segmentStartMs() const { return m_segmentStartMs; }
    double latest() const { return m_latest; }

private:
    // Eight bytes, as rings are allocated whole for every signal of every
    // service: where the bucket lies on its window's grid, which starts at
    // the segment's start, and its value as a float, whose part in 10^7 is
    // far below any noise a trend is judged against.
    struct Bucket {
        std::uint32_t index; // the bucket's middle is (index + ½)·bucket after the segment start
        float value;
    };
    // The last span/bucket buckets, oldest first, in a ring allocated whole
    // when the tracker is made: a long window (2 h) would otherwise grow the
    // process for its first two hours, which a soak cannot tell from a leak.
    // The rings of all windows lie end to end in one block.
    struct Window {
        explicit Window(WindowSpec windowSpec);
        void push(Bucket bucket);
        std::size_t size() const { return count; }
        const Bucket &operator[](std::size_t i) const { return ring[(first + i) % capacity]; }
        void clear() { first = count = 0; }

        WindowSpec spec;
        std::size_t capacity; // span / bucket
        Bucket *ring = nullptr;
        std::size_t first = 0;
        std::size_t count = 0;
        std::vector<double> pending; // raw values of the open bucket
        std::int64_t bucketStartMs = -1;
    };

    void placeRings(void *rings);
    void evaluate(std::size_t index, std::int64_t nowMs, const TrendSettings &settings);

    common::PrefaultedBlock m_rings; // empty when the rings are in a shared block
    std::vector<Window> m_windows;
    std::vector<TrendEstimate> m_estimates;
    Aggregate m_aggregate;
    std::int64_t m_segmentStartMs = -1;
    double m_latest = 0;
};

} // namespace gotriage::analysis
