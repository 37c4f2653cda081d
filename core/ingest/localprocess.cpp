#include "localprocess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QHostInfo>
#include <QScopeGuard>

#include "common/logging.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include <limits>

namespace gotriage::ingest {

namespace {

// The next space-separated field of `rest`, taken off it; empty at the end.
std::string_view nextField(std::string_view &rest)
{
    const std::size_t start = std::min(rest.find_first_not_of(' '), rest.size());
    rest.remove_prefix(start);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view field = rest.substr(0, end);
    rest.remove_prefix(end);
    return field;
}

// "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode"
// with local_address as hex "0100007F:1F90"; st 0A is LISTEN. Read with
// read(2) and scanned in place: at 2 000 local targets the file has some
// 6 000 lines, and the whole scan ran in the first round of scrapes.
void readListeningInodes(const char *path, std::unordered_map<std::uint64_t, quint16> &inodes)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    std::string text;
    char chunk[65536];
    for (ssize_t got; (got = ::read(fd, chunk, sizeof chunk)) > 0;)
        text.append(chunk, static_cast<std::size_t>(got));
    ::close(fd);
    std::string_view rest(text);
    rest.remove_prefix(std::min(rest.find('\n'), rest.size())); // the header
    while (!rest.empty()) {
        const std::size_t eol = std::min(rest.find('\n'), rest.size());
        std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(std::min(eol + 1, rest.size()));
        std::string_view fields[10];
        int count = 0;
        while (count < 10 && !(fields[count] = nextField(line)).empty())
            ++count;
        if (count < 10 || fields[3] != "0A")
            continue;
        const std::string_view local = fields[1];
        const std::size_t colon = local.rfind(':');
        unsigned port = 0;
        std::uint64_t inode = 0;
        const auto portEnd = local.data() + local.size();
        if (colon == std::string_view::npos
            || std::from_chars(local.data() + colon + 1, portEnd, port, 16).ptr != portEnd || port > 0xffff)
            continue;
        const auto inodeEnd = fields[9].data() + fields[9].size();
        if (std::from_chars(fields[9].data(), inodeEnd, inode).ptr == inodeEnd)
            inodes.emplace(inode, static_cast<quint16>(port));
    }
}

// Calls `each(pid, dirfd)` for every process whose fd folder this user may read.
template<typename Each> void forEachProcessFdDir(Each each)
{
    DIR *proc = ::opendir("/proc");
    if (!proc)
        return;
    while (const dirent *entry = ::readdir(proc)) {
        qint64 pid = 0;
        const std::string_view name(entry->d_name);
        if (std::from_chars(name.data(), name.data() + name.size(), pid).ptr != name.data() + name.size())
            continue;
        char path[48];
        std::snprintf(path, sizeof path, "/proc/%lld/fd", static_cast<long long>(pid));
        DIR *fds = ::opendir(path);
        if (!fds)
            continue; // gone, or another user's
        each(pid, fds);
        ::closedir(fds);
    }
    ::closedir(proc);
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
        const std::string_view text = nextField(rest);
        if (text.empty())
            return unexpected();
        if (field >= 12) {
            const auto [next, error] = std::from_chars(text.data(), text.data() + text.size(), ticks[field - 12]);
            if (error != std::errc() || next != text.data() + text.size())
                return unexpected();
        }
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
    QElapsedTimer took;
    took.start();
    const auto log = qScopeGuard([&] {
        qCDebug(lcIngest) << "found" << m_pids.size() << "listening ports' processes in" << took.elapsed() << "ms";
    });
    m_scannedMs = nowMs;
    m_pids.clear();
    m_scanProblem.clear();
    std::unordered_map<std::uint64_t, quint16> inodes;
    readListeningInodes("/proc/net/tcp", inodes);
    readListeningInodes("/proc/net/tcp6", inodes);
    if (inodes.empty()) {
        m_scanProblem = QStringLiteral("/proc/net/tcp lists no listening sockets (no /proc here?)");
        return;
    }
    forEachProcessFdDir([&](qint64 pid, DIR *fds) {
        constexpr std::string_view kSocket = "socket:[";
        while (const dirent *fd = ::readdir(fds)) {
            if (fd->d_name[0] == '.')
                continue;
            char target[64];
            const ssize_t size = ::readlinkat(::dirfd(fds), fd->d_name, target, sizeof target);
            const std::string_view link(target, size > 0 ? static_cast<std::size_t>(size) : 0);
            if (link.size() < kSocket.size() + 2 || link.substr(0, kSocket.size()) != kSocket || link.back() != ']')
                continue;
            std::uint64_t inode = 0;
            const char *end = link.data() + link.size() - 1;
            if (std::from_chars(link.data() + kSocket.size(), end, inode).ptr != end)
                continue;
            if (const auto it = inodes.find(inode); it != inodes.end())
                m_pids.insert(it->second, pid);
        }
    });
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
