#pragma once

#include "signals/vital.h"

#include <array>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace gotriage::store {

// One service's vitals downsampled into fixed-width time buckets: per vital
// the lowest, the highest and the mean of the samples in each. Floats, not
// doubles: a bucket is drawn as a pixel column or averaged, never compared
// bit for bit, and floats halve the memory that a day of history costs.
struct TierBucket {
    std::int64_t startMs = 0; // aligned to the tier's resolution
    std::int64_t firstMs = 0; // its oldest sample
    std::int64_t lastMs = 0; // its newest sample
    std::array<float, vitals::kVitalCount> low{};
    std::array<float, vitals::kVitalCount> high{};
    std::array<float, vitals::kVitalCount> mean{};
    std::array<std::uint16_t, vitals::kVitalCount> count{}; // known values; 0 = unknown in the whole bucket

    void add(const vitals::VitalsSample &sample);
    void merge(const TierBucket &other);
};

// Not thread-safe: SeriesStore holds a service's lock around every call.
class Tier
{
public:
    explicit Tier(std::int64_t resolutionMs = 10'000) : m_resolutionMs(resolutionMs) { }

    std::int64_t resolutionMs() const { return m_resolutionMs; }
    // Live appends touch the newest bucket only, or start one.
    void append(const vitals::VitalsSample &sample, std::size_t capacity);
    // Samples in time order; only those older than the oldest held count.
    void prepend(const std::vector<vitals::VitalsSample> &older, std::size_t capacity);

    bool empty() const { return m_buckets.empty(); }
    std::size_t size() const { return m_buckets.size(); }
    std::int64_t firstMs() const { return m_buckets.empty() ? INT64_MAX : m_buckets.front().firstMs; }

    // A vital's extremes from the buckets that end within [fromMs, toMs], in
    // time order: each bucket's low and high at its first and last sample,
    // in the order that follows the trend, or one point when they are equal.
    void appendLine(vitals::Vital vital, std::int64_t fromMs, std::int64_t toMs,
                    std::vector<std::pair<std::int64_t, double>> &out) const;
    // Sum and count of a vital's known values in the buckets inside [fromMs, toMs].
    std::pair<double, std::size_t> sum(vitals::Vital vital, std::int64_t fromMs, std::int64_t toMs) const;
    // Newest bucket end, or INT64_MIN.
    std::int64_t lastMs() const { return m_buckets.empty() ? INT64_MIN : m_buckets.back().lastMs; }

private:
    std::int64_t alignedStart(std::int64_t tsMs) const;

    std::int64_t m_resolutionMs;
    std::deque<TierBucket> m_buckets;
};

} // namespace gotriage::store
