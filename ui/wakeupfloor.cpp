#include "wakeupfloor.h"

#include <algorithm>
#include <ctime>

namespace gotriage::ui {

namespace {

constexpr long kPeriodNs = static_cast<long>(EventLoopProbe::kPeriodMs) * 1'000'000;

timespec monotonicNow()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now;
}

double msBetween(const timespec &from, const timespec &to)
{
    return static_cast<double>(to.tv_sec - from.tv_sec) * 1e3 + static_cast<double>(to.tv_nsec - from.tv_nsec) / 1e6;
}

void addNs(timespec &at, long ns)
{
    at.tv_nsec += ns;
    while (at.tv_nsec >= 1'000'000'000) {
        at.tv_nsec -= 1'000'000'000;
        ++at.tv_sec;
    }
}

} // namespace

WakeupFloor::~WakeupFloor()
{
    stop();
}

void WakeupFloor::start()
{
    stop();
    {
        const std::lock_guard lock(m_mutex);
        m_late = {};
    }
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void WakeupFloor::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void WakeupFloor::run()
{
    timespec due = monotonicNow();
    while (!m_stop) {
        addNs(due, kPeriodNs);
        // Absolute deadlines: the time spent noting one wake-up does not
        // push the next one later.
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nullptr) != 0 && !m_stop) { }
        const timespec woke = monotonicNow();
        const double lateMs = std::max(0.0, msBetween(due, woke));
        {
            const std::lock_guard lock(m_mutex);
            m_late.add(lateMs);
        }
        // Woken after the next deadline too: a new grid from now, so that one
        // late wake-up counts once, as one long gap does in the probe.
        if (lateMs * 1e6 >= static_cast<double>(kPeriodNs))
            due = woke;
    }
}

double WakeupFloor::maxLateMs() const
{
    const std::lock_guard lock(m_mutex);
    return m_late.max();
}

double WakeupFloor::percentileLateMs(double p) const
{
    const std::lock_guard lock(m_mutex);
    return m_late.percentile(p);
}

std::size_t WakeupFloor::wakeups() const
{
    const std::lock_guard lock(m_mutex);
    return m_late.count();
}

} // namespace gotriage::ui
