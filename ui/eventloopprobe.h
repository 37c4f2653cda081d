#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

namespace gotriage::ui {

// Measures how responsive the thread it lives in is: a fast timer notes how
// late each tick runs. A stall is a tick later than its period; the largest
// one is how long the GUI froze at worst. Also measures this process's CPU
// time over the same span.
class EventLoopProbe : public QObject
{
public:
    static constexpr int kPeriodMs = 4;

    explicit EventLoopProbe(QObject *parent = nullptr);

    void start();
    double maxStallMs() const;
    double percentileStallMs(double p) const;
    double cpuPercentOfOneCore() const; // process CPU time / wall time since start()
    QString summary() const;
    // One line on this process since the previous call: its RSS (and how
    // much of it SQLite holds), open file descriptors and threads now, and
    // the GUI thread's stalls over the
    // window (p99 and max), for a soak's slopes. The window's ticks are then
    // forgotten, so that a long soak measures without growing.
    QString windowLine();

private:
    void onTick();

    QTimer m_timer;
    QElapsedTimer m_wall;
    qint64 m_lastNs = 0;
    double m_cpuAtStart = 0;
    std::vector<double> m_stallsMs;
    QElapsedTimer m_windowClock;
};

} // namespace gotriage::ui
