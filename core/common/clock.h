#pragma once

#include <QElapsedTimer>
#include <QtGlobal>

#include <atomic>
#include <functional>
#include <mutex>

namespace gotriage::common {

// What "now" is for a source and everything downstream of it: scheduling,
// sample timestamps, staleness, the refresh timer, the Issues' times. Live
// data runs on a LiveClock, replayed data (later) on its own playhead. Reads
// are safe from any thread.
class Clock
{
public:
    virtual ~Clock() = default;
    // Milliseconds since the Unix epoch, on this clock. Never goes back
    // (a replay clock does when the operator seeks back).
    virtual qint64 nowMs() const = 0;
};

// Wall time, anchored to a monotonic timer: a wall-clock step backwards (NTP,
// a VM resumed, an operator fixing the date) cannot reorder or delete
// history, because this clock never goes back. A step forward is followed,
// so timestamps stay comparable with the services' own, after a gap.
class LiveClock : public Clock
{
public:
    using WallSource = std::function<qint64()>;

    // `wall` reads the system's wall clock unless a test gives its own.
    explicit LiveClock(WallSource wall = {});

    qint64 nowMs() const override;

    // The system's wall clock: the one place below app/ that reads it.
    static qint64 systemWallMs();
    // One clock for a process that has only live sources.
    static const LiveClock &instance();

private:
    // How far the wall clock may run ahead of the monotonic reading before
    // the clock follows it (forward only).
    static constexpr qint64 kFollowForwardMs = 1000;

    WallSource m_wall;
    QElapsedTimer m_monotonic;
    mutable std::atomic<qint64> m_offsetMs; // added to the monotonic reading
    mutable std::atomic<qint64> m_lastMs;
};

// Replayed time: a playhead that moves at `rate` × real time while playing,
// and stands still while paused. It goes back only when seeked there. Reads
// are safe from any thread.
class ReplayClock : public Clock
{
public:
    explicit ReplayClock(qint64 playheadMs = 0, double rate = 1.0);

    qint64 nowMs() const override;

    void play();
    void pause();
    bool playing() const;
    // The playhead stays where it is; from now on it moves at `rate`.
    void setRate(double rate);
    double rate() const;
    void seek(qint64 playheadMs);

private:
    qint64 nowLocked() const;

    mutable std::mutex m_mutex;
    QElapsedTimer m_sinceAnchor;
    qint64 m_anchorMs; // the playhead when m_sinceAnchor started
    double m_rate;
    bool m_playing = false;
};

} // namespace gotriage::common
