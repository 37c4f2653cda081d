#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace gotriage::triage {

// An append-only, hash-chained log of what was done to running systems:
// one JSON object a line, each carrying the hash of the line before it
// ("prev") and of its own content ("hash", SHA-256 over the entry's
// canonical JSON without "hash"), so that a line changed, removed or cut
// short is found by verify(). Each append is flushed and synced before it
// returns. Secrets must be masked before they reach an entry
// (maskSecrets()). Not thread-safe: one writer.
class AuditLog
{
public:
    struct Entry {
        qint64 seq = 0; // 1, 2, 3 … in file order
        qint64 tsMs = 0;
        QString user; // the OS user
        QString host;
        QString kind; // "action_sent", "action_reverted", "incident_opened", …
        QJsonObject details; // what was done: the rendered request (masked), status, values before and after
    };

    explicit AuditLog(QString path);

    const QString &path() const { return m_path; }
    // Appends and syncs; false with `error` when the file cannot be written
    // or the chain on disk is already broken (nothing is appended then).
    bool append(Entry entry, QString *error);

    struct Verification {
        bool ok = false;
        int entries = 0;
        QStringList problems; // "audit.log:7: the hash does not match the line (changed after it was written)"
    };
    // Reads the whole file and checks every line and link.
    Verification verify() const;
    // The same over the log's bytes; `path` names it in problems.
    static Verification verifyText(const QByteArray &text, const QString &path);
    // The entries as written, for the UI and export; unreadable lines are skipped.
    std::vector<Entry> read() const;

    // The OS user and host name, as entries record them.
    static QString currentUser();
    static QString currentHost();

private:
    bool loadTail(QString *error);

    QString m_path;
    bool m_tailKnown = false;
    qint64 m_lastSeq = 0;
    QString m_lastHash;
};

// A copy of `object` with every value under a key that names a secret
// (authorization, password, token, secret, credentials, cookie, api_key)
// replaced by "***", recursively, and `secrets` masked wherever they occur
// in a string.
QJsonObject maskSecrets(const QJsonObject &object, const QStringList &secrets = {});

} // namespace gotriage::triage
