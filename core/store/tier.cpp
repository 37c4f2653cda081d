#include "tier.h"

#include <algorithm>
#include <limits>

namespace gotriage::store {

namespace {

constexpr std::uint16_t kMaxCount = std::numeric_limits<std::uint16_t>::max();

} // namespace

void TierBucket::add(const vitals::VitalsSample &sample)
{
    firstMs = std::min(firstMs, sample.tsMs);
    lastMs = std::max(lastMs, sample.tsMs);
    for (std::size_t i = 0; i < vitals::kVitalCount; ++i) {
        const double value = sample.values[i];
        if (!vitals::isKnown(value))
            continue;
        const auto v = static_cast<float>(value);
        if (count[i] == 0) {
            low[i] = high[i] = mean[i] = v;
            count[i] = 1;
            continue;
        }
        low[i] = std::min(low[i], v);
        high[i] = std::max(high[i], v);
        // Past 65 535 samples (a 5-minute bucket at 5 ms) the mean weighs the
        // newest a little more; it stays a mean of what the bucket saw.
        if (count[i] < kMaxCount)
            ++count[i];
        mean[i] += (v - mean[i]) / static_cast<float>(count[i]);
    }
}

void TierBucket::merge(const TierBucket &other)
{
    firstMs = std::min(firstMs, other.firstMs);
    lastMs = std::max(lastMs, other.lastMs);
    for (std::size_t i = 0; i < vitals::kVitalCount; ++i) {
        if (other.count[i] == 0)
            continue;
        if (count[i] == 0) {
            low[i] = other.low[i];
            high[i] = other.high[i];
            mean[i] = other.mean[i];
            count[i] = other.count[i];
            continue;
        }
        low[i] = std::min(low[i], other.low[i]);
        high[i] = std::max(high[i], other.high[i]);
        const double total = double(count[i]) + double(other.count[i]);
        mean[i] = static_cast<float>((double(mean[i]) * count[i] + double(other.mean[i]) * other.count[i]) / total);
        count[i] = static_cast<std::uint16_t>(std::min<double>(total, kMaxCount));
    }
}

std::int64_t Tier::alignedStart(std::int64_t tsMs) const
{
    const std::int64_t rem = ((tsMs % m_resolutionMs) + m_resolutionMs) % m_resolutionMs;
    return tsMs - rem;
}

namespace {

void addTo(std::deque<TierBucket> &buckets, std::int64_t start, const vitals::VitalsSample &sample)
{
    if (buckets.empty() || buckets.back().startMs != start) {
        TierBucket bucket;
        bucket.startMs = start;
        bucket.firstMs = bucket.lastMs = sample.tsMs;
        buckets.push_back(bucket);
    }
    buckets.back().add(sample);
}

} // namespace

void Tier::append(const vitals::VitalsSample &sample, std::size_t capacity)
{
    const std::int64_t start = alignedStart(sample.tsMs);
    // A clock step back: what lies after the new sample is dropped, as the
    // full-resolution tail is.
    while (!m_buckets.empty() && m_buckets.back().startMs > start)
        m_buckets.pop_back();
    addTo(m_buckets, start, sample);
    while (m_buckets.size() > capacity)
        m_buckets.pop_front();
}

void Tier::prepend(const std::vector<vitals::VitalsSample> &older, std::size_t capacity)
{
    const std::int64_t before = firstMs();
    std::deque<TierBucket> built;
    for (const vitals::VitalsSample &sample : older) {
        if (sample.tsMs >= before)
            break;
        addTo(built, alignedStart(sample.tsMs), sample);
    }
    if (built.empty())
        return;
    // The history's last bucket and the oldest held may be the same one.
    if (!m_buckets.empty() && built.back().startMs == m_buckets.front().startMs) {
        m_buckets.front().merge(built.back());
        built.pop_back();
    }
    m_buckets.insert(m_buckets.begin(), built.begin(), built.end());
    while (m_buckets.size() > capacity)
        m_buckets.pop_front();
}

void Tier::appendLine(vitals::Vital vital, std::int64_t fromMs, std::int64_t toMs,
                      std::vector<std::pair<std::int64_t, double>> &out) const
{
    const std::size_t v = vitals::index(vital);
    // Buckets are in time order, so their last samples are too.
    auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), fromMs,
                               [](const TierBucket &b, std::int64_t t) { return b.lastMs < t; });
    float previousMean = std::numeric_limits<float>::quiet_NaN();
    for (; it != m_buckets.end() && it->lastMs <= toMs; ++it) {
        if (it->count[v] == 0)
            continue;
        const double low = it->low[v];
        const double high = it->high[v];
        if (low == high) {
            out.emplace_back(it->firstMs + (it->lastMs - it->firstMs) / 2, low);
        } else {
            // Which came first is not kept; the trend decides, so that a
            // steady climb draws as a climb.
            const bool rising = !(it->mean[v] < previousMean);
            out.emplace_back(it->firstMs, rising ? low : high);
            out.emplace_back(it->lastMs, rising ? high : low);
        }
        previousMean = it->mean[v];
    }
}

std::pair<double, std::size_t> Tier::sum(vitals::Vital vital, std::int64_t fromMs, std::int64_t toMs) const
{
    const std::size_t v = vitals::index(vital);
    auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), fromMs,
                               [](const TierBucket &b, std::int64_t t) { return b.lastMs < t; });
    double total = 0;
    std::size_t n = 0;
    for (; it != m_buckets.end() && it->firstMs <= toMs; ++it) {
        total += double(it->mean[v]) * it->count[v];
        n += it->count[v];
    }
    return {total, n};
}

} // namespace gotriage::store
