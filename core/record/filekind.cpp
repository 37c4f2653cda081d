#include "filekind.h"

#include "formats/gzip.h"

#include <QFile>
#include <QRegularExpression>

namespace gotriage::record {

namespace {

constexpr qint64 kSniffBytes = 4096;

bool looksLikeText(const QByteArray &head)
{
    return !head.contains('\0');
}

} // namespace

FileKind sniffFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return FileKind::Unknown;
    }
    const QByteArray head = file.read(kSniffBytes);
    if (head.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1: the file is empty").arg(path);
        return FileKind::Unknown;
    }
    // SQLite's header; whether it is ours the recording reader tells, by name.
    if (head.startsWith(QByteArrayLiteral("SQLite format 3\0")))
        return FileKind::Recording;
    if (formats::looksGzipped(std::string_view(head.constData(), static_cast<std::size_t>(head.size()))))
        return FileKind::Profile;
    if (!looksLikeText(head)) {
        // A raw (ungzipped) profile is protobuf: field 1 (sample_type), length-delimited.
        if (static_cast<unsigned char>(head.at(0)) == 0x0a)
            return FileKind::Profile;
        if (error)
            *error = QStringLiteral("%1: not a recording, profile, goroutine dump or fleet file").arg(path);
        return FileKind::Unknown;
    }
    static const QRegularExpression goroutine(QStringLiteral(R"(^(goroutine \d+ \[|goroutine profile: total \d+))"));
    if (goroutine.match(QString::fromUtf8(head)).hasMatch())
        return FileKind::GoroutineDump;
    const QByteArray firstLine = head.left(head.indexOf('\n')).trimmed();
    if (firstLine.startsWith('{') && firstLine.contains("\"ts_ms\"") && firstLine.contains("\"service\""))
        return FileKind::UpdateLog;
    return FileKind::FleetFile;
}

QString fileKindName(FileKind kind)
{
    switch (kind) {
    case FileKind::Recording:
        return QStringLiteral("recording");
    case FileKind::Profile:
        return QStringLiteral("profile");
    case FileKind::GoroutineDump:
        return QStringLiteral("goroutine dump");
    case FileKind::UpdateLog:
        return QStringLiteral("update log");
    case FileKind::FleetFile:
        return QStringLiteral("fleet file");
    case FileKind::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

} // namespace gotriage::record
