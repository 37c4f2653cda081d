#pragma once

#include "record/chunkcodec.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
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
// outcome (recorder.h's columns) and a blobs table holds captures. 3: the
// raw scraped series beside the vitals (raw_blocks, raw_keys), and decimal
// columns to 10^-9. An older file is migrated when opened for writing, and
// read as it is otherwise.
inline constexpr int kRecordingFormatVersion = 3;

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

// What SQLite holds in memory in this process (every connection: page
// caches, statements). A soak tells it apart from the rest of the RSS.
qint64 sqliteMemoryBytes();

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

    // SQLite's page cache for `services` recorded at once: each keeps its
    // open blocks' B-tree pages hot (about 16 KiB), between SQLite's default
    // 2 MiB and 32 MiB (2 000 services). Sized to the fleet rather than the
    // largest one, so that a small fleet's process does not creep towards
    // 32 MiB as the file grows.
    void sizePageCache(std::size_t services);
    qint64 pageCacheKiB() const; // as SQLite holds it
    bool begin(QString *error);
    bool commit(QString *error);
    // Within a transaction. `columns` names the block's series once per
    // service (the vitals, in order).
    bool putService(const QString &service, const QString &configJson, const QStringList &columns, QString *error);
    bool putBlock(const QString &service, qint64 sequence, const SampleBlock &block, QString *error);
    bool putBlock(const QString &service, qint64 sequence, const BlockBuilder &block, QString *error);
    // The raw scraped series of a service: a block of them names its series
    // by a row of keys (putRawKeys(): the id, 0 on failure), each key the
    // series as the exposition text writes it, `name{label="value",...}`.
    qint64 putRawKeys(const QString &service, const std::vector<std::string> &keys, QString *error);
    bool putRawBlock(const QString &service, qint64 sequence, qint64 keysId, const BlockBuilder &block, QString *error);
    // An open block is written as tails: each commit adds a small block of
    // what came since the last (at sequence block * kTailSlots + 1, + 2,
    // ...), so a commit writes what it adds rather than the block again.
    // When the block is full it is written whole at block * kTailSlots, and
    // its tails go (dropTails()) in the same transaction.
    static constexpr qint64 kTailSlots = 4096;
    bool dropTails(const QString &service, qint64 block, bool raw, QString *error);
    // The number the next block of `service` gets: after what the file holds.
    qint64 nextBlockNumber(const QString &service, bool raw);
    bool putEvent(const StoredEvent &event, QString *error);
    bool putBlob(const StoredBlob &blob, QString *error);
    bool putMeta(const QString &key, const QString &value, QString *error);
    // Drops blocks and events that ended before `cutoffMs` (a rolling black box).
    bool prune(qint64 cutoffMs, QString *error);
    // Outside a transaction: copies [fromMs, toMs] of the recording at `source` (saveRange()).
    // `cancel`, when set while it runs, interrupts it with an error.
    bool copyFrom(const QString &source, qint64 fromMs, qint64 toMs, QString *error,
                  const std::atomic<bool> *cancel = nullptr);

private:
    bool exec(const char *sql, QString *error);
    bool putBlock(const QString &service, qint64 sequence, qint64 firstMs, qint64 lastMs, qint64 samples,
                  const QByteArray &data, QString *error);
    // A statement prepared once and kept (the writer runs the same few
    // statements thousands of times a second), reset for its next use.
    Statement &cached(const char *sql);
    bool stepDone(Statement &statement, QString *error); // steps it; false with the database's error
    QString lastError() const;

    QString m_path;
    sqlite3 *m_db = nullptr;
    std::map<const char *, std::unique_ptr<Statement>> m_statements;
};

// Keeps [fromMs, toMs] of the recording at `source` (a black box still
// being written, say) as a recording of its own at `target`: the services,
// the blocks that overlap the range (whole: up to a block's span more at
// each end), the events and captures within it. `target` must not exist.
// false with `error` naming the file.
// `cancel`, when set while it runs, stops it: nothing is left at `target`.
bool saveRange(const QString &source, qint64 fromMs, qint64 toMs, const QString &target, QString *error,
               const std::atomic<bool> *cancel = nullptr);

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

    // The raw scraped series of `service` with fromMs <= t <= toMs: every
    // series seen in the range (keys in the exposition's form), a column
    // each, NaN where the service did not serve it. Empty before format 3.
    struct RawSamples {
        std::vector<QByteArray> keys;
        SampleBlock block;
    };
    RawSamples rawSamples(const QString &service, qint64 fromMs, qint64 toMs, QStringList *problems = nullptr) const;
    // What the samples cost on disk: the blocks of vitals (derived) and of
    // raw series (as scraped), the raw series' key lists, and the values
    // they hold (a series not served at a scrape is not a value; an unknown
    // vital is). Reads every block: for benchmarks and `record`'s summary.
    struct StorageStats {
        qint64 vitalBlocks = 0, vitalValues = 0, vitalBytes = 0;
        qint64 rawBlocks = 0, rawValues = 0, rawBytes = 0, rawKeyBytes = 0;
    };
    StorageStats storageStats(QStringList *problems = nullptr) const;

private:
    QString m_path;
    sqlite3 *m_db = nullptr;
    int m_version = 0;
    bool m_hasBlobs = false;
    bool m_hasRaw = false;
};

} // namespace gotriage::record
