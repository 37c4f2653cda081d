#pragma once

#include <QString>

#include <algorithm>
#include <chrono>

namespace gotriage::scraping {

// How scraping one service is going: a value the UI and the CLI show as is.
struct ServiceHealth {
    bool up = false;
    QString lastError; // empty after a good scrape
    qint64 lastAttemptMs = 0; // wall clock
    qint64 lastGoodMs = 0; // wall clock; 0 = never
    qint64 scrapeDurationMs = 0;
    qint64 bytes = 0; // last scrape, all endpoints
    quint64 scrapes = 0;
    quint64 failures = 0; // total
    quint64 consecutiveFailures = 0;
    quint64 skipped = 0; // ticks that found the previous scrape still running
    // Of those, the ticks skipped while the last scrape ran: 0 once a scrape
    // kept to its interval, so a slow spell can be seen to be over.
    quint64 skippedSinceLast = 0;
    qint64 nextAttemptMs = 0; // wall clock, with backoff
    bool insecure = false; // certificate verification off

    // Whether the newest good data is too old to stand for now: older than
    // kStaleIntervals scrape intervals at `nowMs` on the source's clock. The
    // one rule the analysis (the `stale` finding) and the overview share.
    static constexpr int kStaleIntervals = 3;
    bool isStale(qint64 nowMs, std::chrono::milliseconds interval) const
    {
        return lastGoodMs > 0 && nowMs - lastGoodMs > interval.count() * kStaleIntervals;
    }
    // Whether a value seen at `seenMs` is still current at `nowMs`.
    static bool isFresh(qint64 seenMs, qint64 nowMs, std::chrono::milliseconds interval)
    {
        return seenMs > 0 && nowMs - seenMs <= interval.count() * kStaleIntervals;
    }

    // Takes the outcome of one scrape attempt (started at tsMs): the poller
    // keeps health this way, and a replay rebuilds it the same way.
    void recordAttempt(qint64 tsMs, bool wasUp, const QString &error, qint64 durationMs, qint64 receivedBytes)
    {
        up = wasUp;
        lastAttemptMs = tsMs;
        scrapeDurationMs = durationMs;
        bytes = receivedBytes;
        ++scrapes;
        if (wasUp) {
            lastError.clear();
            lastGoodMs = tsMs;
            consecutiveFailures = 0;
            nextAttemptMs = 0;
        } else {
            lastError = error;
            ++failures;
            ++consecutiveFailures;
        }
    }

    // Seconds since the last good scrape at `nowMs`, or -1 if there was none.
    double ageSeconds(qint64 nowMs) const
    {
        return lastGoodMs > 0 ? static_cast<double>(std::max<qint64>(0, nowMs - lastGoodMs)) / 1000.0 : -1.0;
    }
};

} // namespace gotriage::scraping
