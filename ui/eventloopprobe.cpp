#include "eventloopprobe.h"
#include "wakeupfloor.h"

#include "record/recordingfile.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <limits>
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

constexpr double kFineLimitMs = 100; // 10 µs buckets below, 1 ms buckets above
constexpr std::size_t kFineBuckets = 10'000;
constexpr std::size_t kBuckets = kFineBuckets + 9'900; // to 10 s; longer ones count in the last

std::size_t bucketOf(double ms)
{
    if (ms < kFineLimitMs)
        return static_cast<std::size_t>(std::max(0.0, ms) * 100);
    return std::min(kBuckets - 1, kFineBuckets + static_cast<std::size_t>(ms - kFineLimitMs));
}

double upperEdgeOf(std::size_t bucket)
{
    if (bucket == kBuckets - 1) // holds everything longer: no edge below the max
        return std::numeric_limits<double>::infinity();
    return bucket < kFineBuckets ? static_cast<double>(bucket + 1) / 100
                                 : kFineLimitMs + static_cast<double>(bucket - kFineBuckets + 1);
}

} // namespace

void EventLoopProbe::Distribution::add(double ms)
{
    if (m_buckets.empty())
        m_buckets.resize(kBuckets);
    ++m_buckets[bucketOf(ms)];
    m_max = std::max(m_max, ms);
    ++m_count;
}

double EventLoopProbe::Distribution::percentile(double p) const
{
    if (m_count == 0)
        return 0;
    // The k-th smallest tick (0-based), as a sorted list would have it.
    const auto k = static_cast<std::size_t>(p * static_cast<double>(m_count - 1));
    std::size_t seen = 0;
    for (std::size_t bucket = 0; bucket < m_buckets.size(); ++bucket) {
        seen += m_buckets[bucket];
        if (seen > k)
            return std::min(upperEdgeOf(bucket), m_max);
    }
    return m_max;
}

EventLoopProbe::EventLoopProbe(QObject *parent) : QObject(parent), m_floor(std::make_unique<WakeupFloor>())
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
    m_run = {};
    m_window = {};
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
    m_floor->start(); // from this thread: at its priority
}

void EventLoopProbe::onTick()
{
    const qint64 now = m_wall.nsecsElapsed();
    const double gapMs = static_cast<double>(now - m_lastNs) / 1e6;
    m_lastNs = now;
    const double stallMs = std::max(0.0, gapMs - kPeriodMs);
    qint64 runNs = 0, waitNs = 0;
    const bool split = readSchedstat(runNs, waitNs);
    const double workMs = static_cast<double>(runNs - m_lastRunNs) / 1e6;
    const double waitMs = static_cast<double>(waitNs - m_lastWaitNs) / 1e6;
    if (split) {
        m_lastRunNs = runNs;
        m_lastWaitNs = waitNs;
    }
    for (Stats *stats : {&m_run, &m_window}) {
        stats->stalls.add(stallMs);
        if (!split)
            continue;
        stats->work.add(workMs);
        stats->wait.add(waitMs);
        if (gapMs > stats->longest.gapMs)
            stats->longest = {gapMs, workMs, waitMs};
    }
}

double EventLoopProbe::maxStallMs() const
{
    return m_run.stalls.max();
}

double EventLoopProbe::percentileStallMs(double p) const
{
    return m_run.stalls.percentile(p);
}

double EventLoopProbe::maxWorkMs() const
{
    return m_run.work.max();
}

double EventLoopProbe::percentileWorkMs(double p) const
{
    return m_run.work.percentile(p);
}

double EventLoopProbe::maxRunQueueWaitMs() const
{
    return m_run.wait.max();
}

double EventLoopProbe::percentileRunQueueWaitMs(double p) const
{
    return m_run.wait.percentile(p);
}

double EventLoopProbe::floorMaxMs() const
{
    return m_floor->maxLateMs();
}

double EventLoopProbe::floorPercentileMs(double p) const
{
    return m_floor->percentileLateMs(p);
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
              .arg(m_window.stalls.percentile(0.99), 0, 'f', 2)
              .arg(m_window.stalls.max(), 0, 'f', 1)
              .arg(cpuPercentOfOneCore(), 0, 'f', 1)
              .arg(static_cast<double>(record::sqliteMemoryBytes()) / (1024.0 * 1024.0), 0, 'f', 1);
    m_window = {};
    return line;
}

QString EventLoopProbe::summary() const
{
    QString line
        = QStringLiteral("cpu: %1 % of one core over %2 s; gui stall: max %3 ms, p99 %4 ms, p50 %5 ms (%6 ticks); "
                         "resident %7 MiB")
              .arg(cpuPercentOfOneCore(), 0, 'f', 1)
              .arg(static_cast<double>(m_wall.elapsed()) / 1000.0, 0, 'f', 0)
              .arg(maxStallMs(), 0, 'f', 1)
              .arg(percentileStallMs(0.99), 0, 'f', 2)
              .arg(percentileStallMs(0.5), 0, 'f', 2)
              .arg(m_run.stalls.count())
              .arg(static_cast<double>(residentBytes()) / (1024.0 * 1024.0), 0, 'f', 1);
    if (m_run.work.count() > 0) {
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
                    .arg(m_run.longest.gapMs, 0, 'f', 1)
                    .arg(m_run.longest.workMs, 0, 'f', 1)
                    .arg(m_run.longest.waitMs, 0, 'f', 1)
                    .arg(std::max(0.0, m_run.longest.gapMs - m_run.longest.workMs - m_run.longest.waitMs), 0, 'f', 1);
    }
    if (m_floor->wakeups() > 0) {
        // The machine's share: a stall no longer than this one may not be ours.
        line += QStringLiteral("; the machine's floor: a bare thread sleeping beside it woke up to %1 ms late "
                               "(p99 %2 ms, %3 wake-ups)")
                    .arg(floorMaxMs(), 0, 'f', 1)
                    .arg(floorPercentileMs(0.99), 0, 'f', 2)
                    .arg(m_floor->wakeups());
    }
    return line;
}

} // namespace gotriage::ui
