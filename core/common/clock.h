#pragma once

#include <QElapsedTimer>
#include <QtGlobal>

#include <atomic>
#include <functional>

namespace gotriage::common {

// What "now" is for a source and everything downstream of it: scheduling,
// sample timestamps, staleness, the refresh timer, the Issues' times. Live
// data runs on a LiveClock, replayed data (later) on its own playhead. Reads
// are safe from any thread.
class Clock
{
public:
    virtual ~Clock() = default;
    // Milliseconds since the Unix epoch, on this clock. Never goes back.
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

} // namespace gotriage::common
