#include "auditlog.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <array>

#include <pwd.h>
#include <unistd.h>

namespace gotriage::triage {

namespace {

const QString kGenesis(64, u'0');

// The canonical form hashed: the entry's JSON with sorted keys, compact,
// without "hash". QJsonDocument writes object keys sorted.
QByteArray canonical(QJsonObject object)
{
    object.remove(QStringLiteral("hash"));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QJsonObject toJson(const AuditLog::Entry &e)
{
    return {{QStringLiteral("seq"), e.seq},   {QStringLiteral("ts_ms"), e.tsMs},
            {QStringLiteral("user"), e.user}, {QStringLiteral("host"), e.host},
            {QStringLiteral("kind"), e.kind}, {QStringLiteral("details"), e.details}};
}

bool isSecretKey(const QString &key)
{
    static const char *const names[]
        = {"authorization", "password", "token", "secret", "credentials", "cookie", "api_key", "apikey"};
    const QString lower = key.toLower();
    for (const char *name : names) {
        if (lower.contains(QLatin1String(name)))
            return true;
    }
    return false;
}

QJsonValue maskValue(const QJsonValue &value, const QStringList &secrets)
{
    if (value.isObject())
        return maskSecrets(value.toObject(), secrets);
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(maskValue(v, secrets));
        return out;
    }
    if (value.isString()) {
        QString text = value.toString();
        for (const QString &secret : secrets) {
            if (!secret.isEmpty())
                text.replace(secret, QStringLiteral("***"));
        }
        return text;
    }
    return value;
}

} // namespace

QJsonObject maskSecrets(const QJsonObject &object, const QStringList &secrets)
{
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out.insert(it.key(),
                   isSecretKey(it.key()) ? QJsonValue(QStringLiteral("***")) : maskValue(it.value(), secrets));
    return out;
}

AuditLog::AuditLog(QString path) : m_path(std::move(path))
{ }

QString AuditLog::currentUser()
{
    // The account the process runs as, from the password database: $USER
    // is whatever the environment says, and is unset under a service manager.
    std::array<char, 4096> buffer{};
    passwd entry{};
    passwd *found = nullptr;
    if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name)
        return QString::fromLocal8Bit(found->pw_name);
    return QString::number(getuid());
}

QString AuditLog::currentHost()
{
    return QHostInfo::localHostName();
}

bool AuditLog::loadTail(QString *error)
{
    const Verification v = verify();
    if (!v.ok) {
        if (error)
            *error = QStringLiteral("%1: the audit log's chain is broken; not appending to it (%2)")
                         .arg(m_path, v.problems.value(0));
        return false;
    }
    m_lastSeq = v.entries;
    m_lastHash = kGenesis;
    QFile file(m_path);
    if (file.open(QIODevice::ReadOnly)) {
        QByteArray last;
        while (!file.atEnd()) {
            const QByteArray line = file.readLine().trimmed();
            if (!line.isEmpty())
                last = line;
        }
        if (!last.isEmpty())
            m_lastHash = QJsonDocument::fromJson(last).object().value(QStringLiteral("hash")).toString();
    }
    m_tailKnown = true;
    return true;
}

bool AuditLog::append(Entry entry, QString *error)
{
    if (!m_tailKnown && !loadTail(error))
        return false;
    entry.seq = m_lastSeq + 1;
    QJsonObject object = toJson(entry);
    object.insert(QStringLiteral("prev"), m_lastHash);
    const QString hash = sha256(canonical(object));
    object.insert(QStringLiteral("hash"), hash);
    QFile file(m_path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, file.errorString());
        return false;
    }
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    // A crash never leaves an entry half on disk that the next append would
    // chain onto: written whole, flushed, synced.
    if (file.write(line) != line.size() || !file.flush() || fsync(file.handle()) != 0) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, file.errorString());
        m_tailKnown = false; // read the file again before the next append
        return false;
    }
    m_lastSeq = entry.seq;
    m_lastHash = hash;
    return true;
}

AuditLog::Verification AuditLog::verify() const
{
    Verification out;
    QFile file(m_path);
    if (!file.exists()) {
        out.ok = true;
        return out;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        out.problems << QStringLiteral("%1: %2").arg(m_path, file.errorString());
        return out;
    }
    return verifyText(file.readAll(), m_path);
}

AuditLog::Verification AuditLog::verifyText(const QByteArray &all, const QString &path)
{
    Verification out;
    QString prev = kGenesis;
    qint64 expectedSeq = 1;
    int lineNumber = 0;
    const QList<QByteArray> lines = all.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        ++lineNumber;
        if (line.isEmpty()) {
            if (i != lines.size() - 1)
                out.problems << QStringLiteral("%1:%2: an empty line (a line was removed?)").arg(path).arg(lineNumber);
            continue;
        }
        const auto where = QStringLiteral("%1:%2: ").arg(path).arg(lineNumber);
        if (i == lines.size() - 1) {
            out.problems << where + QStringLiteral("the last line has no end (the log was cut short)");
            break;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        if (!doc.isObject()) {
            out.problems << where + QStringLiteral("not a JSON object (%1)").arg(parseError.errorString());
            break;
        }
        const QJsonObject object = doc.object();
        if (sha256(canonical(object)) != object.value(QStringLiteral("hash")).toString()) {
            out.problems << where + QStringLiteral("the hash does not match the line (changed after it was written)");
            break;
        }
        if (object.value(QStringLiteral("prev")).toString() != prev) {
            out.problems << where
                    + QStringLiteral("does not follow the line before it (a line was removed or reordered)");
            break;
        }
        if (object.value(QStringLiteral("seq")).toInteger() != expectedSeq) {
            out.problems << where
                    + QStringLiteral("sequence %1 where %2 was expected")
                          .arg(object.value(QStringLiteral("seq")).toInteger())
                          .arg(expectedSeq);
            break;
        }
        prev = object.value(QStringLiteral("hash")).toString();
        ++expectedSeq;
        ++out.entries;
    }
    out.ok = out.problems.isEmpty();
    return out;
}

std::vector<AuditLog::Entry> AuditLog::read() const
{
    std::vector<Entry> out;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    while (!file.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
        if (o.isEmpty())
            continue;
        out.push_back({o.value(QStringLiteral("seq")).toInteger(), o.value(QStringLiteral("ts_ms")).toInteger(),
                       o.value(QStringLiteral("user")).toString(), o.value(QStringLiteral("host")).toString(),
                       o.value(QStringLiteral("kind")).toString(), o.value(QStringLiteral("details")).toObject()});
    }
    return out;
}

} // namespace gotriage::triage
