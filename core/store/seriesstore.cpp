#include "seriesstore.h"

#include "common/logging.h"
#include "store/decimate.h"

#include <QSet>

#include <algorithm>

namespace gotriage::store {

std::vector<std::pair<std::int64_t, double>> ServiceSnapshot::series(vitals::Vital vital) const
{
    std::vector<std::pair<std::int64_t, double>> out;
    out.reserve(samples.size());
    for (const vitals::VitalsSample &s : samples) {
        if (vitals::isKnown(s[vital]))
            out.emplace_back(s.tsMs, s[vital]);
    }
    return out;
}

SeriesStore::SeriesStore(std::size_t budgetBytes) : m_budget(budgetBytes)
{ }

void SeriesStore::setBudget(std::size_t budgetBytes)
{
    m_budget = budgetBytes;
    qCDebug(lcStore) << "history budget" << budgetBytes / (1024 * 1024) << "MiB";
}

std::size_t SeriesStore::budget() const
{
    return m_budget;
}

SeriesStore::Capacity SeriesStore::capacity() const
{
    std::size_t services = 1;
    {
        std::shared_lock lock(m_mapMutex);
        services = std::max<std::size_t>(1, m_series.size());
    }
    const double share = static_cast<double>(m_budget.load()) / static_cast<double>(services);
    Capacity out;
    out.samples = std::max(kMinSamplesPerService, static_cast<std::size_t>(share * kRawShare) / kBytesPerSample);
    for (std::size_t i = 0; i < kTierCount; ++i)
        out.buckets[i]
            = std::max(kMinBucketsPerTier, static_cast<std::size_t>(share * kTierShares[i]) / kBytesPerBucket);
    return out;
}

std::size_t SeriesStore::capacityPerService() const
{
    return capacity().samples;
}

std::size_t SeriesStore::bucketsPerTier(std::size_t tier) const
{
    return capacity().buckets.at(tier);
}

void SeriesStore::trim(Series &series, std::size_t capacity)
{
    while (series.samples.size() > capacity) {
        series.samples.pop_front();
        ++m_dropped;
    }
}

std::shared_ptr<SeriesStore::Series> SeriesStore::findOrAdd(const QString &service)
{
    if (std::shared_ptr<Series> series = find(service))
        return series;
    std::unique_lock lock(m_mapMutex);
    auto &slot = m_series[service];
    if (!slot)
        slot = std::make_shared<Series>();
    return slot;
}

void SeriesStore::append(const QString &service, const vitals::VitalsSample &sample)
{
    const std::shared_ptr<Series> series = findOrAdd(service);
    const Capacity capacity = this->capacity();
    std::lock_guard lock(series->mutex);
    for (std::size_t i = 0; i < kTierCount; ++i)
        series->tiers[i].append(sample, capacity.buckets[i]);
    // Samples arrive in time order; one that does not is a clock step back
    // and would break every reader's binary search, so it replaces the tail.
    while (!series->samples.empty() && series->samples.back().tsMs >= sample.tsMs)
        series->samples.pop_back();
    series->samples.push_back(sample);
    trim(*series, capacity.samples);
}

void SeriesStore::prepend(const QString &service, const std::vector<vitals::VitalsSample> &older)
{
    const std::shared_ptr<Series> series = findOrAdd(service);
    const Capacity capacity = this->capacity();
    std::lock_guard lock(series->mutex);
    for (std::size_t i = 0; i < kTierCount; ++i)
        series->tiers[i].prepend(older, capacity.buckets[i]);
    // Only what is older than the oldest held: what is held came live.
    const std::int64_t before = series->samples.empty() ? INT64_MAX : series->samples.front().tsMs;
    const auto end = std::lower_bound(older.begin(), older.end(), before,
                                      [](const vitals::VitalsSample &s, std::int64_t ts) { return s.tsMs < ts; });
    // The newest of them if not all fit: the oldest go first, as always.
    const std::size_t room = capacity.samples > series->samples.size() ? capacity.samples - series->samples.size() : 0;
    const auto begin = end - std::min<std::ptrdiff_t>(end - older.begin(), static_cast<std::ptrdiff_t>(room));
    m_dropped += static_cast<std::uint64_t>(begin - older.begin());
    series->samples.insert(series->samples.begin(), begin, end);
}

void SeriesStore::retain(const std::vector<QString> &keep)
{
    // A set, made before the lock: readers on the GUI thread wait while it
    // is held, and a server's 10 000 targets are looked up against it.
    QSet<QString> kept;
    kept.reserve(static_cast<qsizetype>(keep.size()));
    for (const QString &name : keep)
        kept.insert(name);
    std::unique_lock lock(m_mapMutex);
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (!kept.contains(it.key()))
            it = m_series.erase(it);
        else
            ++it;
    }
}

std::shared_ptr<SeriesStore::Series> SeriesStore::find(const QString &service) const
{
    std::shared_lock lock(m_mapMutex);
    const auto it = m_series.find(service);
    return it == m_series.end() ? nullptr : it.value();
}

ServiceSnapshot SeriesStore::snapshot(const QString &service, std::int64_t fromMs, std::int64_t toMs) const
{
    ServiceSnapshot out;
    const std::shared_ptr<Series> series = find(service);
    if (!series)
        return out;
    std::lock_guard lock(series->mutex);
    const auto first = std::lower_bound(series->samples.begin(), series->samples.end(), fromMs,
                                        [](const vitals::VitalsSample &s, std::int64_t t) { return s.tsMs < t; });
    const auto end = std::upper_bound(first, series->samples.end(), toMs,
                                      [](std::int64_t t, const vitals::VitalsSample &s) { return t < s.tsMs; });
    out.samples.assign(first, end);
    return out;
}

std::optional<vitals::VitalsSample> SeriesStore::latest(const QString &service) const
{
    const std::shared_ptr<Series> series = find(service);
    if (!series)
        return std::nullopt;
    std::lock_guard lock(series->mutex);
    if (series->samples.empty())
        return std::nullopt;
    return series->samples.back();
}

std::vector<std::pair<std::int64_t, double>> SeriesStore::line(const QString &service, vitals::Vital vital,
                                                               std::int64_t fromMs, std::int64_t toMs, int columns,
                                                               std::int64_t notAfterMs) const
{
    using Point = std::pair<std::int64_t, double>;
    const std::shared_ptr<Series> series = find(service);
    // Far beyond any clock: keeps the margins below from overflowing.
    constexpr std::int64_t kLimit = std::int64_t(1) << 60;
    fromMs = std::clamp(fromMs, -kLimit, kLimit);
    toMs = std::clamp(toMs, -kLimit, kLimit);
    if (!series || toMs < fromMs)
        return {};
    const std::int64_t pixelMs = columns > 0 ? (toMs - fromMs) / columns : 0;
    // Half a span beyond each edge finds the neighbours that carry the line there.
    const std::int64_t margin = (toMs - fromMs) / 2 + 1;
    const std::int64_t lastMs = std::min(toMs + margin, notAfterMs);
    std::vector<Point> points;
    std::lock_guard lock(series->mutex);
    const std::deque<vitals::VitalsSample> &raw = series->samples;
    const auto appendRaw = [&](std::int64_t after, std::int64_t upTo) {
        auto it = std::upper_bound(raw.begin(), raw.end(), after,
                                   [](std::int64_t t, const vitals::VitalsSample &s) { return t < s.tsMs; });
        for (; it != raw.end() && it->tsMs <= upTo; ++it) {
            if (vitals::isKnown((*it)[vital]))
                points.emplace_back(it->tsMs, (*it)[vital]);
        }
    };
    // -1 is full resolution. The finest level drawn is the coarsest whose
    // buckets fit in a pixel column; coarser levels fill in what it no
    // longer holds, oldest first.
    int finest = -1;
    for (std::size_t i = 0; i < kTierCount; ++i) {
        if (kTierResolutionMs[i] <= pixelMs)
            finest = static_cast<int>(i);
    }
    const auto firstOf = [&](int level) {
        if (level < 0)
            return raw.empty() ? INT64_MAX : raw.front().tsMs;
        return series->tiers[static_cast<std::size_t>(level)].firstMs();
    };
    for (int level = static_cast<int>(kTierCount) - 1; level >= finest; --level) {
        std::int64_t finerFirst = INT64_MAX;
        for (int finer = finest; finer < level; ++finer)
            finerFirst = std::min(finerFirst, firstOf(finer));
        const std::int64_t upTo = std::min(lastMs, finerFirst - 1);
        const std::int64_t after = points.empty() ? fromMs - margin : points.back().first;
        if (level < 0)
            appendRaw(after, upTo);
        else
            series->tiers[static_cast<std::size_t>(level)].appendLine(vital, after + 1, upTo, points);
    }
    // A bucket shows once it is complete up to the playhead; what follows it
    // is drawn at full resolution.
    if (finest >= 0)
        appendRaw(points.empty() ? fromMs - margin : points.back().first, lastMs);
    return decimateMinMax(points, fromMs, toMs, columns);
}

double SeriesStore::mean(const QString &service, vitals::Vital vital, std::int64_t fromMs, std::int64_t toMs) const
{
    const std::shared_ptr<Series> series = find(service);
    if (!series)
        return vitals::kUnknown;
    std::lock_guard lock(series->mutex);
    const std::deque<vitals::VitalsSample> &raw = series->samples;
    if (!raw.empty() && raw.front().tsMs <= fromMs) {
        double sum = 0;
        std::size_t n = 0;
        auto it = std::lower_bound(raw.begin(), raw.end(), fromMs,
                                   [](const vitals::VitalsSample &s, std::int64_t t) { return s.tsMs < t; });
        for (; it != raw.end() && it->tsMs <= toMs; ++it) {
            if (vitals::isKnown((*it)[vital])) {
                sum += (*it)[vital];
                ++n;
            }
        }
        return n == 0 ? vitals::kUnknown : sum / static_cast<double>(n);
    }
    // The finest tier that reaches back to fromMs, else the one that reaches furthest.
    const Tier *tier = &series->tiers.back();
    for (const Tier &candidate : series->tiers) {
        if (candidate.firstMs() <= fromMs) {
            tier = &candidate;
            break;
        }
    }
    const auto [sum, n] = tier->sum(vital, fromMs, toMs);
    return n == 0 ? vitals::kUnknown : sum / static_cast<double>(n);
}

std::optional<std::int64_t> SeriesStore::oldestMs(const QString &service) const
{
    const std::shared_ptr<Series> series = find(service);
    if (!series)
        return std::nullopt;
    std::lock_guard lock(series->mutex);
    std::int64_t oldest = series->samples.empty() ? INT64_MAX : series->samples.front().tsMs;
    for (const Tier &tier : series->tiers)
        oldest = std::min(oldest, tier.firstMs());
    if (oldest == INT64_MAX)
        return std::nullopt;
    return oldest;
}

std::vector<QString> SeriesStore::services() const
{
    std::shared_lock lock(m_mapMutex);
    std::vector<QString> out;
    out.reserve(m_series.size());
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it)
        out.push_back(it.key());
    return out;
}

std::size_t SeriesStore::sampleCount() const
{
    std::shared_lock lock(m_mapMutex);
    std::size_t count = 0;
    for (const std::shared_ptr<Series> &series : m_series) {
        std::lock_guard seriesLock(series->mutex);
        count += series->samples.size();
    }
    return count;
}

std::size_t SeriesStore::bucketCount() const
{
    std::shared_lock lock(m_mapMutex);
    std::size_t count = 0;
    for (const std::shared_ptr<Series> &series : m_series) {
        std::lock_guard seriesLock(series->mutex);
        for (const Tier &tier : series->tiers)
            count += tier.size();
    }
    return count;
}

std::uint64_t SeriesStore::droppedSamples() const
{
    return m_dropped;
}

std::size_t SeriesStore::memoryBytes() const
{
    return sampleCount() * kBytesPerSample + bucketCount() * kBytesPerBucket;
}

} // namespace gotriage::store
