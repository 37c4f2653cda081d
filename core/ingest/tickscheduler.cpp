#include "tickscheduler.h"

#include <algorithm>

namespace gotriage::ingest {

TickScheduler::TickScheduler(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TickScheduler::onTimer);
    m_clock.start();
}

TickScheduler::Id TickScheduler::callAfter(qint64 delayMs, std::function<void()> tick)
{
    const Id id = m_nextId++;
    m_ticks.emplace(id, std::move(tick));
    m_due.push({m_clock.nsecsElapsed() + std::max<qint64>(0, delayMs) * 1'000'000, id});
    arm();
    return id;
}

void TickScheduler::cancel(Id id)
{
    m_ticks.erase(id);
}

void TickScheduler::arm()
{
    // Cancelled ticks at the front would only wake the thread for nothing.
    while (!m_due.empty() && !m_ticks.count(m_due.top().id))
        m_due.pop();
    if (m_due.empty()) {
        m_timer.stop();
        m_armedAtNs = -1;
        return;
    }
    const qint64 at = m_due.top().atNs;
    if (m_timer.isActive() && m_armedAtNs == at)
        return; // most ticks land after the soonest one: the timer stays as it is
    m_armedAtNs = at;
    // Rounded up: a tick must never run early. A service's next phase is
    // reckoned from the moment its tick runs, and a tick a fraction of a
    // millisecond early would find its phase still ahead and tick again at
    // once (a scrape counted as skipped).
    const qint64 waitNs = std::max<qint64>(0, at - m_clock.nsecsElapsed());
    m_timer.start(static_cast<int>((waitNs + 999'999) / 1'000'000));
}

void TickScheduler::onTimer()
{
    m_armedAtNs = -1;
    const qint64 now = m_clock.nsecsElapsed();
    // The ids due are collected first: a tick usually schedules its next
    // one, which must wait for the next round even with a zero delay. Each is
    // looked up again as it runs, as an earlier tick may have cancelled it.
    std::vector<Id> due;
    while (!m_due.empty() && m_due.top().atNs <= now) {
        due.push_back(m_due.top().id);
        m_due.pop();
    }
    for (const Id id : due) {
        const auto found = m_ticks.find(id);
        if (found == m_ticks.end())
            continue;
        const std::function<void()> tick = std::move(found->second);
        m_ticks.erase(found);
        tick();
    }
    arm();
}

} // namespace gotriage::ingest
