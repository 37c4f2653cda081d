#pragma once

#include "eventloopprobe.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace gotriage::ui {

// The machine's own floor under the GUI thread's stalls: a bare thread that
// sleeps to a grid of EventLoopProbe::kPeriodMs and notes how late the
// kernel wakes it. It does nothing else and takes no lock the GUI takes, so
// the lateness it sees is the machine's (other processes, the hypervisor,
// the kernel), over the same span as the probe. On a shared 2-core VM it
// has been woken 127 ms late beside a 10 000-target run; a GUI stall of
// that size in the same run is not the GUI's own.
//
// Started from the GUI thread, it inherits that thread's nice value: the
// same claim on a core.
class WakeupFloor
{
public:
    WakeupFloor() = default;
    ~WakeupFloor();
    WakeupFloor(const WakeupFloor &) = delete;
    WakeupFloor &operator=(const WakeupFloor &) = delete;

    void start(); // from the thread whose priority it should have; restarts afresh
    void stop();
    double maxLateMs() const;
    double percentileLateMs(double p) const;
    std::size_t wakeups() const;

private:
    void run();

    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex; // guards m_late: written by the sleeper, read by the GUI
    EventLoopProbe::Distribution m_late;
};

} // namespace gotriage::ui
