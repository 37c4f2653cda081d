#pragma once

#include "signals/vital.h"

#include <QHash>
#include <QString>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <vector>

namespace gotriage::store {

// One service's vitals over time, oldest first: a copy the reader owns.
struct ServiceSnapshot {
    std::vector<vitals::VitalsSample> samples;

    // (ts, value) pairs of one vital, skipping unknown values.
    std::vector<std::pair<std::int64_t, double>> series(vitals::Vital vital) const;
};

// Bounded in-memory history of every service's vitals.
//
// Thread-safe: one writer (the ingest thread) appends while readers on other
// threads take snapshots; locks are held only while copying. The memory
// budget is shared by all services: each keeps budget / services samples,
// the oldest dropped first, so it holds however long the session runs.
class SeriesStore
{
public:
    static constexpr std::size_t kBytesPerSample = sizeof(vitals::VitalsSample);
    static constexpr std::size_t kDefaultBudgetBytes = 256U * 1024U * 1024U;
    static constexpr std::size_t kMinSamplesPerService = 60;

    explicit SeriesStore(std::size_t budgetBytes = kDefaultBudgetBytes);

    void setBudget(std::size_t budgetBytes);
    std::size_t budget() const;

    void append(const QString &service, const vitals::VitalsSample &sample);
    // History older than what the service holds (a server's past hours,
    // arriving after live samples may have): `older` in time order; what is
    // not older than the oldest held is ignored.
    void prepend(const QString &service, const std::vector<vitals::VitalsSample> &older);
    // Forgets services not in `keep` (after a fleet reload).
    void retain(const std::vector<QString> &keep);

    // Samples with fromMs <= tsMs <= toMs: a replay's playhead passes its
    // time as `toMs`, so what comes after it stays hidden.
    ServiceSnapshot snapshot(const QString &service, std::int64_t fromMs = INT64_MIN,
                             std::int64_t toMs = INT64_MAX) const;
    std::optional<vitals::VitalsSample> latest(const QString &service) const;
    std::vector<QString> services() const;

    std::size_t capacityPerService() const;
    std::size_t sampleCount() const; // all services
    std::uint64_t droppedSamples() const; // evicted to stay within budget
    std::size_t memoryBytes() const; // samples held × bytes per sample

private:
    struct Series {
        mutable std::mutex mutex;
        std::deque<vitals::VitalsSample> samples;
    };

    std::shared_ptr<Series> find(const QString &service) const;
    std::shared_ptr<Series> findOrAdd(const QString &service);
    void trim(Series &series, std::size_t capacity);

    mutable std::shared_mutex m_mapMutex;
    QHash<QString, std::shared_ptr<Series>> m_series;
    std::atomic<std::size_t> m_budget;
    std::atomic<std::uint64_t> m_dropped{0};
};

} // namespace gotriage::store
