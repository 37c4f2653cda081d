#include "seriesstore.h"

#include "common/logging.h"

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

std::size_t SeriesStore::capacityPerService() const
{
    std::shared_lock lock(m_mapMutex);
    const std::size_t services = std::max<std::size_t>(1, m_series.size());
    return std::max(kMinSamplesPerService, m_budget / services / kBytesPerSample);
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
    const std::size_t capacity = capacityPerService();
    std::lock_guard lock(series->mutex);
    // Samples arrive in time order; one that does not is a clock step back
    // and would break every reader's binary search, so it replaces the tail.
    while (!series->samples.empty() && series->samples.back().tsMs >= sample.tsMs)
        series->samples.pop_back();
    series->samples.push_back(sample);
    trim(*series, capacity);
}

void SeriesStore::prepend(const QString &service, const std::vector<vitals::VitalsSample> &older)
{
    const std::shared_ptr<Series> series = findOrAdd(service);
    const std::size_t capacity = capacityPerService();
    std::lock_guard lock(series->mutex);
    // Only what is older than the oldest held: what is held came live.
    const std::int64_t before = series->samples.empty() ? INT64_MAX : series->samples.front().tsMs;
    const auto end = std::lower_bound(older.begin(), older.end(), before,
                                      [](const vitals::VitalsSample &s, std::int64_t ts) { return s.tsMs < ts; });
    // The newest of them if not all fit: the oldest go first, as always.
    const std::size_t room = capacity > series->samples.size() ? capacity - series->samples.size() : 0;
    const auto begin = end - std::min<std::ptrdiff_t>(end - older.begin(), static_cast<std::ptrdiff_t>(room));
    m_dropped += static_cast<std::uint64_t>(begin - older.begin());
    series->samples.insert(series->samples.begin(), begin, end);
}

void SeriesStore::retain(const std::vector<QString> &keep)
{
    std::unique_lock lock(m_mapMutex);
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (std::find(keep.begin(), keep.end(), it.key()) == keep.end())
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

std::uint64_t SeriesStore::droppedSamples() const
{
    return m_dropped;
}

std::size_t SeriesStore::memoryBytes() const
{
    return sampleCount() * kBytesPerSample;
}

} // namespace gotriage::store
