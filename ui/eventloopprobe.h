#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace gotriage::ui {

class WakeupFloor;

// Measures how responsive the thread it lives in is: a fast timer notes how
// late each tick runs. A stall is a tick later than its period; the largest
// one is how long the GUI froze at worst. Also measures this process's CPU
// time over the same span.
//
// A stall is either work on the thread (a paint, a model reset) or the
// thread waiting for a CPU while other processes hold both cores. The
// kernel's per-thread schedstat tells them apart: each tick also notes the
// thread's time on a CPU and in the run queue since the previous tick.
// Beside it, a bare sleeper thread (WakeupFloor) measures how late the
// machine wakes a thread that does nothing, over the same span.
class EventLoopProbe : public QObject
{
public:
    static constexpr int kPeriodMs = 4;

    // Per-tick milliseconds in fixed buckets (10 µs wide below 100 ms, 1 ms
    // wide up to 10 s): the whole of a long soak in constant memory.
    class Distribution
    {
    public:
        void add(double ms);
        double max() const { return m_max; }
        double percentile(double p) const; // the upper edge of its bucket
        std::size_t count() const { return m_count; }

    private:
        std::vector<quint32> m_buckets; // sized at the first add
        double m_max = 0;
        std::size_t m_count = 0;
    };

    explicit EventLoopProbe(QObject *parent = nullptr);
    ~EventLoopProbe() override;

    void start();
    // Since start(), across windowLine() calls.
    double maxStallMs() const;
    double percentileStallMs(double p) const;
    double cpuPercentOfOneCore() const; // process CPU time / wall time since start()
    // Per tick: the thread's time on a CPU, and waiting in the run queue
    // (empty where /proc/thread-self/schedstat is not readable).
    double maxWorkMs() const;
    double percentileWorkMs(double p) const;
    double maxRunQueueWaitMs() const;
    double percentileRunQueueWaitMs(double p) const;
    // The bare sleeper's lateness over the same span.
    double floorMaxMs() const;
    double floorPercentileMs(double p) const;
    // The whole run since start(): CPU, stalls and what they were made of, RSS.
    QString summary() const;
    // One line on this process since the previous call: its RSS (and how
    // much of it SQLite holds), open file descriptors and threads now, and
    // the GUI thread's stalls over the window (p99 and max), for a soak's
    // slopes. The next window starts then; summary() still covers them all.
    QString windowLine();

private:
    struct Gap {
        double gapMs = 0, workMs = 0, waitMs = 0;
    };
    struct Stats {
        Distribution stalls, work, wait;
        Gap longest; // between two ticks, and what it was made of
    };

    void onTick();
    // Nanoseconds on a CPU and waiting in the run queue, for this thread.
    bool readSchedstat(qint64 &runNs, qint64 &waitNs) const;

    QTimer m_timer;
    QElapsedTimer m_wall;
    qint64 m_lastNs = 0;
    double m_cpuAtStart = 0;
    Stats m_run; // since start(): summary()
    Stats m_window; // since the previous windowLine()
    int m_schedstat = -1; // fd of this thread's /proc/thread-self/schedstat
    qint64 m_lastRunNs = 0;
    qint64 m_lastWaitNs = 0;
    QElapsedTimer m_windowClock;
    std::unique_ptr<WakeupFloor> m_floor;
};

} // namespace gotriage::ui
