#pragma once

// What the kernel says about a process, for tests that check vitals against
// /proc/<pid> rather than against the process' own metrics.
#include <QByteArray>
#include <QDir>
#include <QFile>

namespace gotriage::testing {

// utime + stime in seconds, from /proc/<pid>/stat (fields 14 and 15, counted
// after the command name's closing parenthesis).
inline double procCpuSeconds(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) / 100.0; // USER_HZ
}

// A field of /proc/<pid>/status ("VmRSS", "Threads"): its first word.
inline QByteArray procStatusField(qint64 pid, const QByteArray &key)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(key + ':'))
            return line.mid(key.size() + 1).trimmed().split(' ').value(0);
    }
    return {};
}

inline double procRssBytes(qint64 pid)
{
    const QByteArray kib = procStatusField(pid, "VmRSS");
    return kib.isEmpty() ? -1 : kib.toDouble() * 1024;
}

inline int procOpenFds(qint64 pid)
{
    return static_cast<int>(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                                .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                                .size());
}

} // namespace gotriage::testing
