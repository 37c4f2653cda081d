#include "localprocess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QSet>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <limits>

namespace gotriage::ingest {

namespace {

// "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode"
// with local_address as hex "0100007F:1F90"; st 0A is LISTEN.
void readListeningInodes(const QString &path, QHash<QByteArray, quint16> &inodes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    file.readLine(); // the header
    while (!file.atEnd()) {
        const QList<QByteArray> fields = file.readLine().simplified().split(' ');
        if (fields.size() < 10 || fields[3] != "0A")
            continue;
        const QByteArray &local = fields[1];
        const qsizetype colon = local.lastIndexOf(':');
        bool ok = false;
        const uint port = local.mid(colon + 1).toUInt(&ok, 16);
        if (ok && port <= 0xffff)
            inodes.insert(fields[9], static_cast<quint16>(port));
    }
}

} // namespace

std::optional<ProcessCpuTimes> readProcessCpuTimes(qint64 pid, QString *why)
{
    // Read once a scrape for every local service: plain read(2) into the
    // stack and a scan in place, without a QFile and fifty QByteArrays
    // (that was 9 % of the ingest thread at 2 000 local services).
    char path[48];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (why)
            *why
                = QStringLiteral("%1: %2").arg(QString::fromLatin1(path), QString::fromLocal8Bit(std::strerror(errno)));
        return std::nullopt;
    }
    char buffer[1024]; // the line is a few hundred bytes; what matters is near its start
    const ssize_t size = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    const auto unexpected = [&]() -> std::optional<ProcessCpuTimes> {
        if (why)
            *why = QStringLiteral("%1: unexpected format").arg(QString::fromLatin1(path));
        return std::nullopt;
    };
    if (size <= 0)
        return unexpected();
    // The command name (field 2) is in parentheses and may hold spaces;
    // fields 14 and 15 (utime, stime) are the 12th and 13th after its closing one.
    const std::string_view stat(buffer, static_cast<std::size_t>(size));
    const std::size_t close = stat.rfind(')');
    if (close == std::string_view::npos)
        return unexpected();
    std::string_view rest = stat.substr(close + 1);
    unsigned long long ticks[2] = {};
    for (int field = 1; field <= 13; ++field) {
        const std::size_t start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos)
            return unexpected();
        rest.remove_prefix(start);
        const std::size_t end = std::min(rest.find(' '), rest.size());
        if (field >= 12) {
            const auto [next, error] = std::from_chars(rest.data(), rest.data() + end, ticks[field - 12]);
            if (error != std::errc() || next != rest.data() + end)
                return unexpected();
        }
        rest.remove_prefix(end);
    }
    static const double ticksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));
    return ProcessCpuTimes{static_cast<double>(ticks[0]) / ticksPerSecond,
                           static_cast<double>(ticks[1]) / ticksPerSecond};
}

bool isThisHost(const QString &host)
{
    if (host.compare(QStringLiteral("localhost"), Qt::CaseInsensitive) == 0
        || host.compare(QHostInfo::localHostName(), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

std::optional<qint64> LocalProcessTable::pidFor(quint16 port, qint64 nowMs, QString *why)
{
    if (m_scannedMs < 0 || (!m_pids.contains(port) && nowMs - m_scannedMs >= kRescanMs))
        rescan(nowMs);
    if (const auto it = m_pids.constFind(port); it != m_pids.constEnd())
        return *it;
    if (why) {
        *why = m_scanProblem.isEmpty() ? QStringLiteral("no process listens on port %1").arg(port) : m_scanProblem;
    }
    return std::nullopt;
}

std::optional<LocalProcessTable::CpuReading> LocalProcessTable::cpuTimes(qint64 pid, qint64 nowMs, QString *why)
{
    if (const auto it = m_cpu.constFind(pid);
        it != m_cpu.constEnd() && nowMs >= it->readMs && nowMs - it->readMs < kCpuReuseMs)
        return *it;
    const std::optional<ProcessCpuTimes> times = readProcessCpuTimes(pid, why);
    if (!times) {
        m_cpu.remove(pid);
        return std::nullopt;
    }
    const CpuReading reading{*times, nowMs};
    m_cpu.insert(pid, reading);
    if (nowMs - m_cpuPrunedMs >= kRescanMs) {
        // Processes that ended (or stopped being watched) leave their last reading.
        m_cpuPrunedMs = nowMs;
        m_cpu.removeIf([nowMs](const auto &entry) { return nowMs - entry.value().readMs >= kRescanMs; });
    }
    return reading;
}

void LocalProcessTable::rescan(qint64 nowMs)
{
    m_scannedMs = nowMs;
    m_pids.clear();
    m_scanProblem.clear();
    QHash<QByteArray, quint16> inodes;
    readListeningInodes(QStringLiteral("/proc/net/tcp"), inodes);
    readListeningInodes(QStringLiteral("/proc/net/tcp6"), inodes);
    if (inodes.isEmpty()) {
        m_scanProblem = QStringLiteral("/proc/net/tcp lists no listening sockets (no /proc here?)");
        return;
    }
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pidText : pids) {
        bool ok = false;
        const qint64 pid = pidText.toLongLong(&ok);
        if (!ok)
            continue;
        const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
        for (const QString &fd : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
            const QString target = QFileInfo(fds.filePath(fd)).symLinkTarget();
            // symLinkTarget() resolves "socket:[123]" relative to the folder.
            const qsizetype open = target.lastIndexOf(QStringLiteral("socket:["));
            if (open < 0)
                continue;
            const QByteArray inode = target.mid(open + 8).chopped(1).toLatin1();
            if (const auto it = inodes.constFind(inode); it != inodes.constEnd())
                m_pids.insert(*it, pid);
        }
    }
}

LocalCpuProbe::LocalCpuProbe(const QUrl &baseUrl)
    : m_local(isThisHost(baseUrl.host()))
    , m_host(baseUrl.host())
    , m_port(static_cast<quint16>(baseUrl.port(baseUrl.scheme() == QLatin1String("https") ? 443 : 80)))
{ }

LocalCpuProbe::Reading LocalCpuProbe::read(LocalProcessTable &processes, qint64 nowMs)
{
    Reading out;
    if (!m_local) {
        out.source = QStringLiteral("on %1, not on this host").arg(m_host);
        return out;
    }
    if (!m_pid) {
        m_pid = processes.pidFor(m_port, nowMs, &out.source);
        m_last.reset();
        m_statPath.clear();
        if (!m_pid)
            return out;
    }
    if (*m_pid == QCoreApplication::applicationPid()) {
        out.source = QStringLiteral("runs inside gotriage");
        return out;
    }
    const std::optional<LocalProcessTable::CpuReading> reading = processes.cpuTimes(*m_pid, nowMs, &out.source);
    if (!reading) {
        m_pid.reset(); // the process is gone: look the port up again next time
        m_statPath.clear();
        processes.forget(m_port);
        return out;
    }
    if (m_statPath.isEmpty())
        m_statPath = QStringLiteral("/proc/%1/stat").arg(*m_pid);
    out.source = m_statPath;
    const ProcessCpuTimes *times = &reading->times;
    if (m_last && reading->readMs > m_lastMs && times->userSeconds >= m_last->userSeconds
        && times->systemSeconds >= m_last->systemSeconds) {
        const double seconds = static_cast<double>(reading->readMs - m_lastMs) / 1000.0;
        out.userCores = (times->userSeconds - m_last->userSeconds) / seconds;
        out.systemCores = (times->systemSeconds - m_last->systemSeconds) / seconds;
        out.available = true;
    }
    m_last = *times;
    m_lastMs = reading->readMs;
    return out;
}

} // namespace gotriage::ingest
