#pragma once

#include "common/clock.h"
#include "ingest/source.h"

#include <QTimer>

#include <map>
#include <vector>

namespace gotriage::ingest {

// Plays a capture of updates (readUpdateLog) on a ReplayClock: each update
// is delivered when the playhead passes its timestamp, at `rate` × real
// time, so what is downstream sees the same data at the same data times
// whatever the rate. Health is rebuilt from the sequence, as the poller
// would have kept it. The seed of replay (record/replay will add a file of
// its own); lives in the ingest thread.
class ReplaySource : public Source
{
    Q_OBJECT

public:
    // Longest wait between two looks at the playhead, so a rate change
    // (later: pause, seek) takes effect promptly.
    static constexpr int kMaxWaitMs = 50;

    explicit ReplaySource(std::vector<SourceUpdate> updates, double rate = 1.0, QObject *parent = nullptr);

    const common::Clock &clock() const override { return m_clock; }
    common::ReplayClock &replayClock() { return m_clock; }
    void setServices(const std::vector<config::ServiceConfig> &, bool) override { }
    void start() override;
    bool finished() const override { return m_next >= m_updates.size(); }

    qint64 firstMs() const { return m_firstMs; }
    qint64 lastMs() const { return m_lastMs; }

private:
    void advance();

    std::vector<SourceUpdate> m_updates; // by time; stable within equal times
    std::size_t m_next = 0;
    qint64 m_firstMs = 0;
    qint64 m_lastMs = 0;
    std::map<QString, ServiceHealth> m_health;
    common::ReplayClock m_clock;
    QTimer m_timer;
};

} // namespace gotriage::ingest
