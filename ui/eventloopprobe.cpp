#include "eventloopprobe.h"

#include "record/recordingfile.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <algorithm>
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

} // namespace

EventLoopProbe::EventLoopProbe(QObject *parent) : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kPeriodMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::onTick);
}

void EventLoopProbe::start()
{
    m_stallsMs.clear();
    m_stallsMs.reserve(1 << 16);
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
}

double EventLoopProbe::maxStallMs() const
{
    return m_stallsMs.empty() ? 0 : *std::max_element(m_stallsMs.begin(), m_stallsMs.end());
}

double EventLoopProbe::percentileStallMs(double p) const
{
    if (m_stallsMs.empty())
        return 0;
    std::vector<double> sorted = m_stallsMs;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
    return sorted[k];
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
    return line;
}

QString EventLoopProbe::summary() const
{
    return QStringLiteral("cpu: %1 % of one core over %2 s; gui stall: max %3 ms, p99 %4 ms, p50 %5 ms (%6 ticks)")
        .arg(cpuPercentOfOneCore(), 0, 'f', 1)
        .arg(static_cast<double>(m_wall.elapsed()) / 1000.0, 0, 'f', 0)
        .arg(maxStallMs(), 0, 'f', 1)
        .arg(percentileStallMs(0.99), 0, 'f', 2)
        .arg(percentileStallMs(0.5), 0, 'f', 2)
        .arg(m_stallsMs.size());
}

} // namespace gotriage::ui
