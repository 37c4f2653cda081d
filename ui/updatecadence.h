#pragma once

#include <QHash>
#include <QString>

#include <vector>

namespace gotriage::session {
struct SessionBatch;
}

namespace gotriage::ui {

// How often each service's state reaches the window: the time between two
// reports of the same service, with its vitals or why it is down, as the
// window gets them (a scrape that found no free connection is not one). It is
// the source's interval when every round keeps up; a round that outlasts
// its interval (a Prometheus server slow to answer its queries) shows as a
// gap of two intervals, and a service that stops answering as an open gap
// that grows until summary() is asked. For --measure.
class UpdateCadence
{
public:
    // Gaps are counted from `nowMs` on: a service's first report after it
    // only marks where its next gap begins.
    void start(qint64 nowMs);
    void note(const session::SessionBatch &batch, qint64 nowMs);

    // Over closed gaps, to a 10 ms bucket; 0 when none closed yet.
    double percentileGapMs(double p) const;
    // The longest gap, counting each service's open one at `nowMs`.
    double maxGapMs(qint64 nowMs) const;
    qsizetype services() const { return m_lastMs.size(); } // heard from since start()
    // "updates: …": count, median, p99, max, as --measure prints it.
    QString summary(qint64 nowMs) const;

private:
    static constexpr double kBucketMs = 10;
    static constexpr std::size_t kBuckets = 60'000; // 10 minutes; longer gaps share the last

    bool m_started = false;
    qint64 m_startMs = 0;
    QHash<QString, qint64> m_lastMs; // per service, its last report
    std::vector<quint32> m_buckets;
    double m_closedMaxMs = 0;
    std::size_t m_gaps = 0;
};

} // namespace gotriage::ui
