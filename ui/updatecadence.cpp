#include "updatecadence.h"

#include "session/servicereport.h"

#include <algorithm>

namespace gotriage::ui {

void UpdateCadence::start(qint64 nowMs)
{
    m_started = true;
    m_startMs = nowMs;
    m_lastMs.clear();
    m_buckets.assign(kBuckets, 0);
    m_closedMaxMs = 0;
    m_gaps = 0;
}

void UpdateCadence::note(const session::SessionBatch &batch, qint64 nowMs)
{
    if (!m_started)
        return;
    for (const session::ServiceReportPtr &report : batch.reports) {
        // Down is news too (the row shows why); a scrape that found no
        // free connection says nothing of the service.
        if (report->scrape->congested)
            continue;
        auto last = m_lastMs.find(report->service());
        if (last == m_lastMs.end()) {
            m_lastMs.insert(report->service(), nowMs);
            continue;
        }
        // Reports of one service in the same batch (a backlog) are one
        // arrival: the window shows them at once.
        const double gapMs = static_cast<double>(nowMs - *last);
        if (gapMs <= 0)
            continue;
        *last = nowMs;
        const auto bucket = std::min(kBuckets - 1, static_cast<std::size_t>(gapMs / kBucketMs));
        ++m_buckets[bucket];
        m_closedMaxMs = std::max(m_closedMaxMs, gapMs);
        ++m_gaps;
    }
}

double UpdateCadence::percentileGapMs(double p) const
{
    if (m_gaps == 0)
        return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(m_gaps - 1));
    std::size_t seen = 0;
    for (std::size_t bucket = 0; bucket < m_buckets.size(); ++bucket) {
        seen += m_buckets[bucket];
        if (seen > k)
            return std::min(static_cast<double>(bucket + 1) * kBucketMs, m_closedMaxMs);
    }
    return m_closedMaxMs;
}

double UpdateCadence::maxGapMs(qint64 nowMs) const
{
    double longest = m_closedMaxMs;
    for (const qint64 lastMs : m_lastMs)
        longest = std::max(longest, static_cast<double>(nowMs - lastMs));
    return longest;
}

QString UpdateCadence::summary(qint64 nowMs) const
{
    return QStringLiteral("updates: %1 of %2 services; a service updated every %3 s (median), 99 % within %4 s, "
                          "%5 s at most")
        .arg(m_gaps)
        .arg(m_lastMs.size())
        .arg(percentileGapMs(0.5) / 1000, 0, 'f', 1)
        .arg(percentileGapMs(0.99) / 1000, 0, 'f', 1)
        .arg(maxGapMs(nowMs) / 1000, 0, 'f', 1);
}

} // namespace gotriage::ui
