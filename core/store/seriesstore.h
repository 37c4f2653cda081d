#pragma once

#include "signals/vital.h"
#include "store/tier.h"

#include <QHash>
#include <QString>

#include <array>
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

// Bounded in-memory history of every service's vitals, in tiers: every
// sample for the recent minutes, and behind them 10 s, 1 min and 5 min
// buckets (min, max and mean per vital), all fed as samples arrive.
//
// Thread-safe: one writer (the ingest thread) appends while readers on other
// threads read; a service's lock is held only while its part is copied. The
// memory budget is shared by all services, and each service's share is
// split between the tiers by fixed fractions, the oldest dropped first in
// each, so it holds however long the session runs. 384 MiB keeps a day of
// 5-minute buckets for 2 000 services at 1 s (docs/performance.md).
class SeriesStore
{
public:
    static constexpr std::size_t kBytesPerSample = sizeof(vitals::VitalsSample);
    static constexpr std::size_t kBytesPerBucket = sizeof(TierBucket);
    static constexpr std::size_t kDefaultBudgetBytes = 256U * 1024U * 1024U;
    static constexpr std::size_t kMinSamplesPerService = 60;
    static constexpr std::size_t kMinBucketsPerTier = 12;
    static constexpr std::size_t kTierCount = 3;
    static constexpr std::array<std::int64_t, kTierCount> kTierResolutionMs = {10'000, 60'000, 300'000};
    // Of each service's share: full resolution first, then each tier. The
    // coarsest gets half: it is what spans the day.
    static constexpr double kRawShare = 0.2;
    static constexpr std::array<double, kTierCount> kTierShares = {0.1, 0.2, 0.5};

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

    // Full-resolution samples with fromMs <= tsMs <= toMs: a replay's
    // playhead passes its time as `toMs`, so what comes after it stays
    // hidden. Only the recent minutes are held at full resolution; line()
    // and mean() reach further back.
    ServiceSnapshot snapshot(const QString &service, std::int64_t fromMs = INT64_MIN,
                             std::int64_t toMs = INT64_MAX) const;
    std::optional<vitals::VitalsSample> latest(const QString &service) const;
    // A vital's line over [fromMs, toMs] for a chart `columns` pixels wide:
    // read from the coarsest tier whose buckets are no wider than a pixel
    // column, coarser ones where it no longer reaches back, and full
    // resolution after its last complete bucket. At most 2 × columns + 2
    // points, with a neighbour beyond each edge (decimateMinMax). Only the
    // points drawn are copied, however long the range. Nothing after
    // `notAfterMs` is read: a replay's playhead.
    std::vector<std::pair<std::int64_t, double>> line(const QString &service, vitals::Vital vital, std::int64_t fromMs,
                                                      std::int64_t toMs, int columns,
                                                      std::int64_t notAfterMs = INT64_MAX) const;
    // Mean of a vital over [fromMs, toMs] at the finest resolution that
    // still holds fromMs; unknown when nothing is held there.
    double mean(const QString &service, vitals::Vital vital, std::int64_t fromMs, std::int64_t toMs) const;
    // The oldest time any tier holds, or nullopt.
    std::optional<std::int64_t> oldestMs(const QString &service) const;
    std::vector<QString> services() const;

    std::size_t capacityPerService() const; // full-resolution samples
    std::size_t bucketsPerTier(std::size_t tier) const;
    std::size_t sampleCount() const; // full-resolution samples, all services
    std::size_t bucketCount() const; // tier buckets, all services
    std::uint64_t droppedSamples() const; // no longer held at full resolution
    std::size_t memoryBytes() const; // samples and buckets held

private:
    struct Series {
        mutable std::mutex mutex;
        std::deque<vitals::VitalsSample> samples;
        std::array<Tier, kTierCount> tiers{Tier(kTierResolutionMs[0]), Tier(kTierResolutionMs[1]),
                                           Tier(kTierResolutionMs[2])};
    };
    struct Capacity {
        std::size_t samples = 0;
        std::array<std::size_t, kTierCount> buckets{};
    };
    Capacity capacity() const;

    std::shared_ptr<Series> find(const QString &service) const;
    std::shared_ptr<Series> findOrAdd(const QString &service);
    void trim(Series &series, std::size_t capacity);

    mutable std::shared_mutex m_mapMutex;
    QHash<QString, std::shared_ptr<Series>> m_series;
    std::atomic<std::size_t> m_budget;
    std::atomic<std::uint64_t> m_dropped{0};
};

} // namespace gotriage::store
