#include "eventloopprobe.h"

#include "record/recordingfile.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>

namespace gotriage::ui {

namespace {

double processCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds
        = [](const timeval &t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    return statm.readAll().split(' ').value(1).toLongLong() * sysconf(_SC_PAGESIZE);
}

qsizetype entriesIn(const QString &dir, QDir::Filters filters)
{
    return QDir(dir).entryList(filters | QDir::NoDotAndDotDot).size();
}

double maxOf(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

double percentileOf(const std::vector<double> &values, double p)
{
    if (values.empty())
        return 0;
    std::vector<double> sorted = values;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
    return sorted[k];
}

} // namespace

EventLoopProbe::EventLoopProbe(QObject *parent) : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kPeriodMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::onTick);
}

EventLoopProbe::~EventLoopProbe()
{
    if (m_schedstat >= 0)
        ::close(m_schedstat);
}

bool EventLoopProbe::readSchedstat(qint64 &runNs, qint64 &waitNs) const
{
    // "<ns on a cpu> <ns in the run queue> <timeslices>\n": read in place,
    // 250 times a second, so no QFile.
    char buffer[96];
    const ssize_t size = m_schedstat < 0 ? -1 : ::pread(m_schedstat, buffer, sizeof buffer, 0);
    if (size <= 0)
        return false;
    const char *end = buffer + size;
    const auto run = std::from_chars(buffer, end, runNs);
    if (run.ec != std::errc() || run.ptr == end)
        return false;
    return std::from_chars(run.ptr + 1, end, waitNs).ec == std::errc();
}

void EventLoopProbe::start()
{
    m_stallsMs.clear();
    m_stallsMs.reserve(1 << 16);
    m_workMs.clear();
    m_waitMs.clear();
    m_longest = {};
    // Opened here, in the thread being measured: thread-self is whoever opens it.
    if (m_schedstat < 0)
        m_schedstat = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (!readSchedstat(m_lastRunNs, m_lastWaitNs) && m_schedstat >= 0) {
        ::close(m_schedstat);
        m_schedstat = -1;
    }
    m_cpuAtStart = processCpuSeconds();
    m_wall.start();
    m_lastNs = 0;
    m_windowClock.start();
    m_timer.start();
}

void EventLoopProbe::onTick()
{
    const qint64 now = m_wall.nsecsElapsed();
    const double gapMs = static_cast<double>(now - m_lastNs) / 1e6;
    m_lastNs = now;
    m_stallsMs.push_back(std::max(0.0, gapMs - kPeriodMs));
    qint64 runNs = 0, waitNs = 0;
    if (readSchedstat(runNs, waitNs)) {
        const double workMs = static_cast<double>(runNs - m_lastRunNs) / 1e6;
        const double waitMs = static_cast<double>(waitNs - m_lastWaitNs) / 1e6;
        m_workMs.push_back(workMs);
        m_waitMs.push_back(waitMs);
        m_lastRunNs = runNs;
        m_lastWaitNs = waitNs;
        if (gapMs > m_longest.gapMs)
            m_longest = {gapMs, workMs, waitMs};
    }
}

double EventLoopProbe::maxStallMs() const
{
    return maxOf(m_stallsMs);
}

double EventLoopProbe::percentileStallMs(double p) const
{
    return percentileOf(m_stallsMs, p);
}

double EventLoopProbe::maxWorkMs() const
{
    return maxOf(m_workMs);
}

double EventLoopProbe::percentileWorkMs(double p) const
{
    return percentileOf(m_workMs, p);
}

double EventLoopProbe::maxRunQueueWaitMs() const
{
    return maxOf(m_waitMs);
}

double EventLoopProbe::percentileRunQueueWaitMs(double p) const
{
    return percentileOf(m_waitMs, p);
}

double EventLoopProbe::cpuPercentOfOneCore() const
{
    const double wall = static_cast<double>(m_wall.nsecsElapsed()) / 1e9;
    return wall > 0 ? 100.0 * (processCpuSeconds() - m_cpuAtStart) / wall : 0;
}

QString EventLoopProbe::windowLine()
{
    const QString line
        = QStringLiteral("soak: t=%1 rss_mib=%2 fds=%3 threads=%4 p99_ms=%5 max_ms=%6 cpu_pct=%7 sqlite_mib=%8")
              .arg(static_cast<double>(m_wall.elapsed()) / 1000.0, 0, 'f', 1)
              .arg(static_cast<double>(residentBytes()) / (1024.0 * 1024.0), 0, 'f', 1)
              .arg(entriesIn(QStringLiteral("/proc/self/fd"), QDir::System | QDir::Files | QDir::Dirs))
              .arg(entriesIn(QStringLiteral("/proc/self/task"), QDir::Dirs))
              .arg(percentileStallMs(0.99), 0, 'f', 2)
              .arg(maxStallMs(), 0, 'f', 1)
              .arg(cpuPercentOfOneCore(), 0, 'f', 1)
              .arg(static_cast<double>(record::sqliteMemoryBytes()) / (1024.0 * 1024.0), 0, 'f', 1);
    m_stallsMs.clear();
    m_workMs.clear();
    m_waitMs.clear();
    m_longest = {};
    return line;
}

QString EventLoopProbe::summary() const
{
    QString line
        = QStringLiteral("cpu: %1 % of one core over %2 s; gui stall: max %3 ms, p99 %4 ms, p50 %5 ms (%6 ticks)")
              .arg(cpuPercentOfOneCore(), 0, 'f', 1)
              .arg(static_cast<double>(m_wall.elapsed()) / 1000.0, 0, 'f', 0)
              .arg(maxStallMs(), 0, 'f', 1)
              .arg(percentileStallMs(0.99), 0, 'f', 2)
              .arg(percentileStallMs(0.5), 0, 'f', 2)
              .arg(m_stallsMs.size());
    if (!m_workMs.empty()) {
        // What the stalls were made of: the thread's own work, or a wait for a core.
        line += QStringLiteral("; gui work per tick: max %1 ms, p99 %2 ms; run-queue wait per tick: max %3 ms, "
                               "p99 %4 ms")
                    .arg(maxWorkMs(), 0, 'f', 1)
                    .arg(percentileWorkMs(0.99), 0, 'f', 2)
                    .arg(maxRunQueueWaitMs(), 0, 'f', 1)
                    .arg(percentileRunQueueWaitMs(0.99), 0, 'f', 2);
        // The rest of the longest gap the thread was neither running nor
        // runnable: asleep in the event loop, or blocked (a lock, a fault).
        line += QStringLiteral("; longest gap %1 ms: %2 ms on a CPU, %3 ms in the run queue, %4 ms asleep or blocked")
                    .arg(m_longest.gapMs, 0, 'f', 1)
                    .arg(m_longest.workMs, 0, 'f', 1)
                    .arg(m_longest.waitMs, 0, 'f', 1)
                    .arg(std::max(0.0, m_longest.gapMs - m_longest.workMs - m_longest.waitMs), 0, 'f', 1);
    }
    return line;
}

} // namespace gotriage::ui
