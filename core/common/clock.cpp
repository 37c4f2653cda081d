#include "clock.h"

#include <QDateTime>

#include <algorithm>

namespace gotriage::common {

LiveClock::LiveClock(WallSource wall) : m_wall(wall ? std::move(wall) : WallSource(&LiveClock::systemWallMs))
{
    m_monotonic.start();
    m_offsetMs = m_wall();
    m_lastMs = m_offsetMs.load();
}

qint64 LiveClock::systemWallMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

const LiveClock &LiveClock::instance()
{
    static const LiveClock clock;
    return clock;
}

qint64 LiveClock::nowMs() const
{
    const qint64 elapsed = m_monotonic.elapsed();
    qint64 now = m_offsetMs.load(std::memory_order_relaxed) + elapsed;
    const qint64 wall = m_wall();
    if (wall > now + kFollowForwardMs) {
        // The wall clock jumped ahead (or the monotonic timer paused in a
        // suspend): follow it forward. Backwards steps are never followed.
        m_offsetMs.store(wall - elapsed, std::memory_order_relaxed);
        now = wall;
    }
    // Monotonic across threads: no caller sees time go back.
    qint64 last = m_lastMs.load(std::memory_order_relaxed);
    while (now > last && !m_lastMs.compare_exchange_weak(last, now, std::memory_order_relaxed)) { }
    return std::max(now, last);
}

ReplayClock::ReplayClock(qint64 playheadMs, double rate) : m_anchorMs(playheadMs), m_rate(rate)
{
    m_sinceAnchor.start();
}

qint64 ReplayClock::nowLocked() const
{
    if (!m_playing)
        return m_anchorMs;
    return m_anchorMs + static_cast<qint64>(static_cast<double>(m_sinceAnchor.nsecsElapsed()) / 1e6 * m_rate);
}

qint64 ReplayClock::nowMs() const
{
    const std::lock_guard lock(m_mutex);
    return nowLocked();
}

void ReplayClock::play()
{
    const std::lock_guard lock(m_mutex);
    if (m_playing)
        return;
    m_sinceAnchor.restart();
    m_playing = true;
}

void ReplayClock::pause()
{
    const std::lock_guard lock(m_mutex);
    m_anchorMs = nowLocked();
    m_playing = false;
}

bool ReplayClock::playing() const
{
    const std::lock_guard lock(m_mutex);
    return m_playing;
}

void ReplayClock::setRate(double rate)
{
    const std::lock_guard lock(m_mutex);
    m_anchorMs = nowLocked();
    m_sinceAnchor.restart();
    m_rate = rate;
}

double ReplayClock::rate() const
{
    const std::lock_guard lock(m_mutex);
    return m_rate;
}

void ReplayClock::seek(qint64 playheadMs)
{
    const std::lock_guard lock(m_mutex);
    m_anchorMs = playheadMs;
    m_sinceAnchor.restart();
}

} // namespace gotriage::common
