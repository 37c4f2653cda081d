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
//
// Format versions: 1 (gotriage 0.x up to issue 13's first part): vitals
// only, no scrape outcome, no blobs. 2: blocks may carry the scrape's
// outcome (recorder.h's columns) and a blobs table holds captures. An older
// file is migrated when opened for writing, and read as it is otherwise.
inline constexpr int kRecordingFormatVersion = 2;

// A capture kept whole (a profile, a goroutine dump), compressed.
struct StoredBlob {
    qint64 tsMs = 0;
    QString kind; // "cpu", "heap", "goroutine", ... (ingest/profilecapture.h)
    QString service;
    QString name; // what it is shown as
    QByteArray data; // as fetched (a .pb.gz profile, a dump's text)
};

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
    bool putBlob(const StoredBlob &blob, QString *error);
    bool putMeta(const QString &key, const QString &value, QString *error);
    // Drops blocks and events that ended before `cutoffMs` (a rolling black box).
    bool prune(qint64 cutoffMs, QString *error);
    // Outside a transaction: copies [fromMs, toMs] of the recording at `source` (saveRange()).
    bool copyFrom(const QString &source, qint64 fromMs, qint64 toMs, QString *error);

private:
    bool exec(const char *sql, QString *error);
    bool stepDone(Statement &statement, QString *error); // steps it; false with the database's error
    QString lastError() const;

    QString m_path;
    sqlite3 *m_db = nullptr;
};

// Keeps [fromMs, toMs] of the recording at `source` (a black box still
// being written, say) as a recording of its own at `target`: the services,
// the blocks that overlap the range (whole: up to a block's span more at
// each end), the events and captures within it. `target` must not exist.
// false with `error` naming the file.
bool saveRange(const QString &source, qint64 fromMs, qint64 toMs, const QString &target, QString *error);

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
    const QString &path() const { return m_path; }
    // The file's format as found: an older one is read as it is.
    int formatVersion() const { return m_version; }
    QStringList services() const;
    QStringList columns(const QString &service) const;
    QString serviceConfig(const QString &service) const;
    // The samples of `service` with fromMs <= t <= toMs, in time order; a
    // block that cannot be decoded is skipped and named in `problems`.
    SampleBlock samples(const QString &service, qint64 fromMs, qint64 toMs, QStringList *problems = nullptr) const;
    // In time order (as written, within a millisecond); `kind` empty: every kind.
    std::vector<StoredEvent> events(qint64 fromMs, qint64 toMs, const QString &kind = {}) const;
    // Each service's last event of `kind` at or before `atMs`.
    std::vector<StoredEvent> latestEvents(const QString &kind, qint64 atMs) const;
    // Captures without their data (blob() reads one), by time.
    struct BlobInfo {
        qint64 id = 0;
        qint64 tsMs = 0;
        QString kind, service, name;
        qint64 bytes = 0;
    };
    std::vector<BlobInfo> blobs() const;
    std::optional<StoredBlob> blob(qint64 id, QString *error = nullptr) const;
    // The first and last sample time of the whole recording (0, 0 when empty).
    std::pair<qint64, qint64> timeRange() const;

private:
    QString m_path;
    sqlite3 *m_db = nullptr;
    int m_version = 0;
    bool m_hasBlobs = false;
};

} // namespace gotriage::record
