#pragma once

#include <QHash>
#include <QString>
#include <QUrl>

#include <limits>
#include <optional>

namespace gotriage::ingest {

// CPU time of one process, from /proc/<pid>/stat, in seconds.
struct ProcessCpuTimes {
    double userSeconds = 0;
    double systemSeconds = 0;
};

// Reads utime and stime of `pid`; nullopt with `why` when it cannot.
std::optional<ProcessCpuTimes> readProcessCpuTimes(qint64 pid, QString *why);

// Is `host` this machine (a loopback address or name, or this host's name)?
bool isThisHost(const QString &host);

// This machine's processes as the ingest thread sees them: which one
// listens on a port (through /proc/net/tcp{,6} and /proc/*/fd; the table of
// listening ports is read at most every kRescanMs unless a port is unknown),
// and their CPU times. Lives in one thread (the ingest thread).
class LocalProcessTable
{
public:
    static constexpr qint64 kRescanMs = 30'000;
    // A process's CPU times read this recently serve every service it
    // hosts: one read of /proc/<pid>/stat, not one per service (a demo
    // fleet process serves 250).
    static constexpr qint64 kCpuReuseMs = 100;

    // The pid listening on `port`, or nullopt with `why`.
    std::optional<qint64> pidFor(quint16 port, qint64 nowMs, QString *why);
    // The process on `port` is gone (restarted): look it up again.
    void forget(quint16 port) { m_pids.remove(port); }

    struct CpuReading {
        ProcessCpuTimes times;
        qint64 readMs = 0; // when /proc said so
    };
    // `pid`'s CPU times as of nowMs (or up to kCpuReuseMs before it);
    // nullopt with `why` when /proc cannot say.
    std::optional<CpuReading> cpuTimes(qint64 pid, qint64 nowMs, QString *why);

private:
    void rescan(qint64 nowMs);

    QHash<quint16, qint64> m_pids;
    QHash<qint64, CpuReading> m_cpu; // the latest reading, by pid
    qint64 m_cpuPrunedMs = 0;
    qint64 m_scannedMs = -1;
    QString m_scanProblem;
};

// The user/system split of a service's CPU, where its process runs on this
// machine: two readings make a rate. Everywhere else it says why there is
// no split (not on this host, no process on the port, the demo fleet runs
// inside gotriage).
class LocalCpuProbe
{
public:
    explicit LocalCpuProbe(const QUrl &baseUrl);

    struct Reading {
        double userCores = std::numeric_limits<double>::quiet_NaN();
        double systemCores = std::numeric_limits<double>::quiet_NaN();
        QString source; // "/proc/4242/stat", or why there is no split (short: it goes in a chart's title)
        bool available = false;
    };
    Reading read(LocalProcessTable &processes, qint64 nowMs);

private:
    bool m_local;
    QString m_host;
    quint16 m_port;
    std::optional<qint64> m_pid;
    QString m_statPath; // /proc/<m_pid>/stat, made once
    std::optional<ProcessCpuTimes> m_last;
    qint64 m_lastMs = 0;
};

} // namespace gotriage::ingest
