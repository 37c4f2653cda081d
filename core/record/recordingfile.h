#pragma once

#include "record/chunkcodec.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

struct sqlite3;

namespace gotriage::record {
class Statement;
}

namespace gotriage::record {

// The recording's on-disk form: one SQLite file in WAL mode. Samples live
// as encoded blocks (chunkcodec.h), one row per service and block, so a
// block still being filled is rewritten in place until it is full; events
// (findings, triage, audit) are rows of JSON. A commit is durable (WAL,
// synchronous=FULL): what was committed survives a crash or a power loss.
inline constexpr int kRecordingFormatVersion = 1;

struct StoredEvent {
    qint64 tsMs = 0;
    QString kind; // "finding", "triage", "audit", "note"
    QString service;
    QString json;
};

class RecordingWriter
{
public:
    RecordingWriter();
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter &) = delete;
    RecordingWriter &operator=(const RecordingWriter &) = delete;

    // Creates the file (or continues one this version wrote); false with
    // `error` naming the file.
    bool open(const QString &path, QString *error);
    const QString &path() const { return m_path; }

    bool begin(QString *error);
    bool commit(QString *error);
    // Within a transaction. `columns` names the block's series once per
    // service (the vitals, in order).
    bool putService(const QString &service, const QString &configJson, const QStringList &columns, QString *error);
    bool putBlock(const QString &service, qint64 sequence, const SampleBlock &block, QString *error);
    bool putEvent(const StoredEvent &event, QString *error);
    bool putMeta(const QString &key, const QString &value, QString *error);
    // Drops blocks and events that ended before `cutoffMs` (a rolling black box).
    bool prune(qint64 cutoffMs, QString *error);

private:
    bool exec(const char *sql, QString *error);
    bool stepDone(Statement &statement, QString *error); // steps it; false with the database's error
    QString lastError() const;

    QString m_path;
    sqlite3 *m_db = nullptr;
};

// Reads a recording: what services it holds, their samples over a range,
// the events. A file that is not a recording, is damaged, or was written by
// a newer version gets an error naming the file; a recording cut short by a
// crash opens up to its last commit.
class RecordingReader
{
public:
    RecordingReader();
    ~RecordingReader();
    RecordingReader(const RecordingReader &) = delete;
    RecordingReader &operator=(const RecordingReader &) = delete;

    bool open(const QString &path, QString *error);
    int formatVersion() const { return m_version; }
    QStringList services() const;
    QStringList columns(const QString &service) const;
    QString serviceConfig(const QString &service) const;
    // The samples of `service` with fromMs <= t <= toMs, in time order; a
    // block that cannot be decoded is skipped and named in `problems`.
    SampleBlock samples(const QString &service, qint64 fromMs, qint64 toMs, QStringList *problems = nullptr) const;
    std::vector<StoredEvent> events(qint64 fromMs, qint64 toMs) const;
    // The first and last sample time of the whole recording (0, 0 when empty).
    std::pair<qint64, qint64> timeRange() const;

private:
    QString m_path;
    sqlite3 *m_db = nullptr;
    int m_version = 0;
};

} // namespace gotriage::record
