#include "recordingfile.h"

#include <QFile>
#include <QFileInfo>

#include "signals/vital.h"

#include <algorithm>
#include <iterator>

#include <sqlite3.h>

namespace gotriage::record {

// One prepared statement, finalized however the scope is left.
class Statement
{
public:
    Statement(sqlite3 *db, const char *sql) { sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr); }
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    explicit operator bool() const { return m_statement != nullptr; }
    sqlite3_stmt *get() const { return m_statement; }
    void bind(int index, const QString &text)
    {
        const QByteArray utf8 = text.toUtf8();
        sqlite3_bind_text(m_statement, index, utf8.constData(), static_cast<int>(utf8.size()), SQLITE_TRANSIENT);
    }
    void bind(int index, qint64 value) { sqlite3_bind_int64(m_statement, index, value); }
    void bindBlob(int index, const QByteArray &bytes)
    {
        sqlite3_bind_blob(m_statement, index, bytes.constData(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    }
    int step() { return sqlite3_step(m_statement); }
    // Ready to run again, with no values bound (a cached statement).
    void reset()
    {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
    QString text(int column) const
    {
        const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
        return bytes ? QString::fromUtf8(bytes, sqlite3_column_bytes(m_statement, column)) : QString();
    }
    qint64 integer(int column) const { return sqlite3_column_int64(m_statement, column); }
    QByteArray blob(int column) const
    {
        const void *bytes = sqlite3_column_blob(m_statement, column);
        return bytes ? QByteArray(static_cast<const char *>(bytes), sqlite3_column_bytes(m_statement, column))
                     : QByteArray();
    }

private:
    sqlite3_stmt *m_statement = nullptr;
};

namespace {

constexpr const char *kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS services (name TEXT PRIMARY KEY, config TEXT NOT NULL, columns TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (service TEXT NOT NULL, seq INTEGER NOT NULL, first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL, samples INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (service, seq));
CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (service, last_ms);
CREATE TABLE IF NOT EXISTS events (ts_ms INTEGER NOT NULL, kind TEXT NOT NULL, service TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_time ON events (ts_ms);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, service, ts_ms);
CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, kind TEXT NOT NULL,
    service TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS raw_keys (id INTEGER PRIMARY KEY, service TEXT NOT NULL, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS raw_blocks (service TEXT NOT NULL, seq INTEGER NOT NULL, first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL, samples INTEGER NOT NULL, keys_id INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (service, seq));
CREATE INDEX IF NOT EXISTS raw_blocks_by_time ON raw_blocks (service, last_ms);
)sql";

// What each older format needs to become the next one; step i turns
// format i + 1 into format i + 2. Blocks describe their own columns, so
// old blocks are read as they are.
constexpr const char *kMigrations[] = {
    // 1 -> 2: captures as blobs; events found by kind (a seek reads each
    // service's latest state without scanning the day).
    "CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, service, ts_ms);"
    "CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
    " service TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL);",
    // 2 -> 3: the raw scraped series beside the vitals (the tables come
    // with the schema; nothing older changes).
    "SELECT 1;",
};
static_assert(std::size(kMigrations) == kRecordingFormatVersion - 1);

QString dbError(sqlite3 *db, const QString &path)
{
    return QStringLiteral("%1: %2").arg(path,
                                        db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("cannot open"));
}

} // namespace

RecordingWriter::RecordingWriter() = default;

RecordingWriter::~RecordingWriter()
{
    m_statements.clear(); // finalized before the database closes
    sqlite3_close_v2(m_db);
}

QString RecordingWriter::lastError() const
{
    return dbError(m_db, m_path);
}

bool RecordingWriter::exec(const char *sql, QString *error)
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) == SQLITE_OK)
        return true;
    if (error)
        *error = QStringLiteral("%1: %2").arg(m_path, QString::fromUtf8(message ? message : "failed"));
    sqlite3_free(message);
    return false;
}

bool RecordingWriter::open(const QString &path, QString *error)
{
    m_path = path;
    if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK) {
        if (error)
            *error = lastError();
        return false;
    }
    sqlite3_busy_timeout(m_db, 2000);
    // WAL: readers (a replay of the file being written) never block the
    // writer; FULL: a commit is on disk before it returns.
    if (!exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error))
        return false;
    // An existing file: a newer format is left alone, an older one migrated.
    int found = 0;
    {
        Statement meta(m_db, "SELECT value FROM meta WHERE key = 'format_version'");
        if (meta && meta.step() == SQLITE_ROW)
            found = meta.text(0).toInt();
    }
    if (found > kRecordingFormatVersion || found < 0) {
        if (error)
            *error = QStringLiteral("%1: written by a newer gotriage (format %2); not appending to it")
                         .arg(path)
                         .arg(found);
        return false;
    }
    if (!exec("BEGIN", error))
        return false;
    bool ok = true;
    for (int from = std::max(found, 1); ok && found > 0 && from < kRecordingFormatVersion; ++from)
        ok = exec(kMigrations[from - 1], error);
    ok = ok && exec(kSchema, error)
        && putMeta(QStringLiteral("format_version"), QString::number(kRecordingFormatVersion), error);
    if (ok && found > 0 && found < kRecordingFormatVersion)
        ok = putMeta(QStringLiteral("migrated_from"), QString::number(found), error);
    return exec(ok ? "COMMIT" : "ROLLBACK", ok ? error : nullptr) && ok;
}

void RecordingWriter::sizePageCache(std::size_t services)
{
    constexpr std::size_t kPerServiceKiB = 16, kMinKiB = 2048, kMaxKiB = 32768;
    const std::size_t kib = std::clamp(services * kPerServiceKiB, kMinKiB, kMaxKiB);
    exec(QStringLiteral("PRAGMA cache_size=-%1;").arg(kib).toUtf8().constData(), nullptr);
}

qint64 RecordingWriter::pageCacheKiB() const
{
    Statement pragma(m_db, "PRAGMA cache_size");
    if (!pragma || pragma.step() != SQLITE_ROW)
        return 0;
    const qint64 value = pragma.integer(0);
    if (value < 0)
        return -value; // KiB
    Statement pageSize(m_db, "PRAGMA page_size"); // else in pages
    return pageSize && pageSize.step() == SQLITE_ROW ? value * pageSize.integer(0) / 1024 : 0;
}

bool RecordingWriter::stepDone(Statement &statement, QString *error)
{
    if (statement && statement.step() == SQLITE_DONE)
        return true;
    if (error)
        *error = lastError();
    return false;
}

bool RecordingWriter::begin(QString *error)
{
    return exec("BEGIN", error);
}

bool RecordingWriter::commit(QString *error)
{
    return exec("COMMIT", error);
}

bool RecordingWriter::putMeta(const QString &key, const QString &value, QString *error)
{
    Statement s(m_db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
    s.bind(1, key);
    s.bind(2, value);
    return stepDone(s, error);
}

bool RecordingWriter::prune(qint64 cutoffMs, QString *error)
{
    for (const char *sql : {"DELETE FROM blocks WHERE last_ms < ?1", "DELETE FROM events WHERE ts_ms < ?1",
                            "DELETE FROM raw_blocks WHERE last_ms < ?1",
                            "DELETE FROM raw_keys WHERE id < (SELECT coalesce(min(keys_id), 0) FROM raw_blocks)"}) {
        Statement s(m_db, sql);
        s.bind(1, cutoffMs);
        if (!stepDone(s, error))
            return false;
    }
    return true;
}

bool RecordingWriter::putService(const QString &service, const QString &configJson, const QStringList &columns,
                                 QString *error)
{
    Statement s(m_db, "INSERT OR REPLACE INTO services (name, config, columns) VALUES (?1, ?2, ?3)");
    s.bind(1, service);
    s.bind(2, configJson);
    s.bind(3, columns.join(u','));
    return stepDone(s, error);
}

Statement &RecordingWriter::cached(const char *sql)
{
    std::unique_ptr<Statement> &statement = m_statements[sql];
    if (!statement)
        statement = std::make_unique<Statement>(m_db, sql);
    else
        statement->reset();
    return *statement;
}

bool RecordingWriter::putBlock(const QString &service, qint64 sequence, const SampleBlock &block, QString *error)
{
    if (block.timesMs.empty())
        return true;
    return putBlock(service, sequence, block.timesMs.front(), block.timesMs.back(),
                    static_cast<qint64>(block.timesMs.size()), encodeBlock(block), error);
}

bool RecordingWriter::putBlock(const QString &service, qint64 sequence, const BlockBuilder &block, QString *error)
{
    if (block.sampleCount() == 0)
        return true;
    return putBlock(service, sequence, block.firstMs(), block.lastMs(), static_cast<qint64>(block.sampleCount()),
                    block.encode(), error);
}

bool RecordingWriter::putBlock(const QString &service, qint64 sequence, qint64 firstMs, qint64 lastMs, qint64 samples,
                               const QByteArray &data, QString *error)
{
    Statement &s = cached("INSERT OR REPLACE INTO blocks (service, seq, first_ms, last_ms, samples, data) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, service);
    s.bind(2, sequence);
    s.bind(3, firstMs);
    s.bind(4, lastMs);
    s.bind(5, samples);
    s.bindBlob(6, data);
    return stepDone(s, error);
}

qint64 RecordingWriter::putRawKeys(const QString &service, const std::vector<std::string> &keys, QString *error)
{
    QByteArray joined;
    for (const std::string &key : keys) {
        joined.append(key.data(), static_cast<qsizetype>(key.size()));
        joined += '\n';
    }
    Statement &s = cached("INSERT INTO raw_keys (service, keys) VALUES (?1, ?2)");
    s.bind(1, service);
    s.bindBlob(2, qCompress(joined));
    if (!stepDone(s, error))
        return 0;
    return sqlite3_last_insert_rowid(m_db);
}

bool RecordingWriter::putRawBlock(const QString &service, qint64 sequence, qint64 keysId, const BlockBuilder &block,
                                  QString *error)
{
    if (block.sampleCount() == 0)
        return true;
    Statement &s = cached("INSERT OR REPLACE INTO raw_blocks (service, seq, first_ms, last_ms, samples, keys_id, data) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, service);
    s.bind(2, sequence);
    s.bind(3, block.firstMs());
    s.bind(4, block.lastMs());
    s.bind(5, static_cast<qint64>(block.sampleCount()));
    s.bind(6, keysId);
    s.bindBlob(7, block.encode());
    return stepDone(s, error);
}

bool RecordingWriter::dropTails(const QString &service, qint64 block, bool raw, QString *error)
{
    Statement &s = cached(raw ? "DELETE FROM raw_blocks WHERE service = ?1 AND seq > ?2 AND seq < ?3"
                              : "DELETE FROM blocks WHERE service = ?1 AND seq > ?2 AND seq < ?3");
    s.bind(1, service);
    s.bind(2, block * kTailSlots);
    s.bind(3, (block + 1) * kTailSlots);
    return stepDone(s, error);
}

qint64 RecordingWriter::nextBlockNumber(const QString &service, bool raw)
{
    Statement &s = cached(raw ? "SELECT max(seq) FROM raw_blocks WHERE service = ?1"
                              : "SELECT max(seq) FROM blocks WHERE service = ?1");
    s.bind(1, service);
    if (s.step() != SQLITE_ROW || sqlite3_column_type(s.get(), 0) == SQLITE_NULL)
        return 0;
    return s.integer(0) / kTailSlots + 1;
}

bool RecordingWriter::putEvent(const StoredEvent &event, QString *error)
{
    Statement &s = cached("INSERT INTO events (ts_ms, kind, service, json) VALUES (?1, ?2, ?3, ?4)");
    s.bind(1, event.tsMs);
    s.bind(2, event.kind);
    s.bind(3, event.service);
    s.bind(4, event.json);
    return stepDone(s, error);
}

bool RecordingWriter::putBlob(const StoredBlob &blob, QString *error)
{
    Statement s(m_db, "INSERT INTO blobs (ts_ms, kind, service, name, data) VALUES (?1, ?2, ?3, ?4, ?5)");
    s.bind(1, blob.tsMs);
    s.bind(2, blob.kind);
    s.bind(3, blob.service);
    s.bind(4, blob.name);
    // A profile is gzipped already; a dump's text is not.
    s.bindBlob(5, blob.data.startsWith("\x1f\x8b") ? blob.data : qCompress(blob.data));
    return stepDone(s, error);
}

bool saveRange(const QString &source, qint64 fromMs, qint64 toMs, const QString &target, QString *error,
               const std::atomic<bool> *cancel)
{
    if (QFileInfo::exists(target)) {
        if (error)
            *error = QStringLiteral("%1: exists already; not overwriting it").arg(target);
        return false;
    }
    {
        // The source must be a recording this version reads.
        RecordingReader check;
        if (!check.open(source, error))
            return false;
    }
    bool copied = false;
    {
        RecordingWriter writer;
        if (!writer.open(target, error))
            return false;
        copied = writer.copyFrom(source, fromMs, toMs, error, cancel);
    } // closed: a failed copy leaves nothing behind
    if (!copied) {
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(target + QLatin1String(suffix));
    }
    return copied;
}

bool RecordingWriter::copyFrom(const QString &source, qint64 fromMs, qint64 toMs, QString *error,
                               const std::atomic<bool> *cancel)
{
    // SQLite asks every thousand virtual-machine steps whether to go on; a
    // non-zero answer interrupts the statement (SQLITE_INTERRUPT).
    if (cancel) {
        sqlite3_progress_handler(
            m_db, 1000, [](void *flag) { return static_cast<const std::atomic<bool> *>(flag)->load() ? 1 : 0; },
            const_cast<std::atomic<bool> *>(cancel));
    }
    const auto cancelled = [cancel, error] {
        if (cancel && cancel->load() && error)
            *error = QStringLiteral("cancelled");
    };
    Statement attach(m_db, "ATTACH DATABASE ?1 AS src");
    attach.bind(1, source);
    if (!stepDone(attach, error))
        return false;
    bool ok = begin(error);
    const char *copies[] = {
        "INSERT OR REPLACE INTO services SELECT * FROM src.services",
        "INSERT OR REPLACE INTO blocks SELECT * FROM src.blocks WHERE last_ms >= ?1 AND first_ms <= ?2",
        "INSERT INTO events SELECT * FROM src.events WHERE ts_ms BETWEEN ?1 AND ?2",
    };
    for (const char *sql : copies) {
        Statement s(m_db, sql);
        if (!s) {
            ok = false;
            if (error)
                *error = lastError();
            break;
        }
        if (sqlite3_bind_parameter_count(s.get()) == 2) {
            s.bind(1, fromMs);
            s.bind(2, toMs);
        }
        ok = ok && stepDone(s, error);
    }
    // A format-1 source has no captures.
    if (ok && Statement(m_db, "SELECT 1 FROM src.blobs LIMIT 0")) {
        Statement s(m_db,
                    "INSERT INTO blobs (ts_ms, kind, service, name, data) SELECT ts_ms, kind, service, name, data "
                    "FROM src.blobs WHERE ts_ms BETWEEN ?1 AND ?2");
        s.bind(1, fromMs);
        s.bind(2, toMs);
        ok = stepDone(s, error);
    }
    // Before format 3 there are no raw series.
    if (ok && Statement(m_db, "SELECT 1 FROM src.raw_blocks LIMIT 0")) {
        for (const char *sql : {"INSERT OR IGNORE INTO raw_keys SELECT * FROM src.raw_keys WHERE id IN (SELECT "
                                "keys_id FROM src.raw_blocks WHERE last_ms >= ?1 AND first_ms <= ?2)",
                                "INSERT OR REPLACE INTO raw_blocks SELECT * FROM src.raw_blocks WHERE last_ms >= ?1 "
                                "AND first_ms <= ?2"}) {
            Statement s(m_db, sql);
            s.bind(1, fromMs);
            s.bind(2, toMs);
            ok = ok && stepDone(s, error);
        }
    }
    ok = ok && putMeta(QStringLiteral("saved_from"), source, error)
        && putMeta(QStringLiteral("saved_range_ms"), QStringLiteral("%1-%2").arg(fromMs).arg(toMs), error);
    // A cancel that came between statements (or during short ones, which
    // SQLite never asks about) still keeps nothing.
    if (cancel && cancel->load())
        ok = false;
    ok = exec(ok ? "COMMIT" : "ROLLBACK", ok ? error : nullptr) && ok;
    exec("DETACH DATABASE src", nullptr);
    sqlite3_progress_handler(m_db, 0, nullptr, nullptr);
    if (!ok)
        cancelled(); // says so rather than SQLite's "interrupted"
    return ok;
}

RecordingReader::RecordingReader() = default;

RecordingReader::~RecordingReader()
{
    sqlite3_close_v2(m_db);
}

bool RecordingReader::open(const QString &path, QString *error)
{
    m_path = path;
    const auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    };
    if (!QFileInfo(path).isFile())
        return fail(QStringLiteral("%1: no such file").arg(path));
    // Read-write so that a WAL left by a crash is recovered into what is read
    // (SQLite replays committed frames, drops the rest).
    if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        sqlite3_close_v2(m_db); // a failed open still holds a handle
        m_db = nullptr;
        if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            return fail(dbError(m_db, path));
    }
    sqlite3_busy_timeout(m_db, 2000);
    Statement version(m_db, "SELECT value FROM meta WHERE key = 'format_version'");
    if (!version)
        return fail(
            QStringLiteral("%1: not a gotriage recording (%2)").arg(path, QString::fromUtf8(sqlite3_errmsg(m_db))));
    if (version.step() != SQLITE_ROW)
        return fail(QStringLiteral("%1: not a gotriage recording (no format version)").arg(path));
    m_version = version.text(0).toInt();
    if (m_version < 1 || m_version > kRecordingFormatVersion)
        return fail(QStringLiteral("%1: recording format %2; this gotriage reads up to %3")
                        .arg(path, version.text(0))
                        .arg(kRecordingFormatVersion));
    // The whole file is not checked here (a day of a large fleet is half a
    // gigabyte, and opening must take under a second): the tables are
    // checked, and damage further in is named by the read that meets it.
    for (const char *table : {"services", "blocks", "events"}) {
        Statement probe(m_db, (QByteArray("SELECT count(*) FROM (SELECT 1 FROM ") + table + " LIMIT 1)").constData());
        if (!probe || probe.step() != SQLITE_ROW)
            return fail(
                QStringLiteral("%1: the file is damaged (%2)").arg(path, QString::fromUtf8(sqlite3_errmsg(m_db))));
    }
    // Format 1 had no blobs: read as it is, not migrated (reading never
    // changes what was recorded).
    m_hasBlobs = Statement(m_db, "SELECT 1 FROM blobs LIMIT 0").operator bool();
    m_hasRaw = Statement(m_db, "SELECT 1 FROM raw_blocks LIMIT 0").operator bool();
    return true;
}

namespace {

// Steps a query of blocks (seq, data, first_ms, ...) ordered by last_ms,
// stopping at the first that starts after `toMs`: a seek early in a day
// reads its blocks, not the day's. A database error is named in `problems`.
template<typename Each>
void stepBlocks(Statement &s, sqlite3 *db, const QString &path, const QString &service, qint64 toMs,
                QStringList *problems, Each each)
{
    for (int step = s ? s.step() : SQLITE_ERROR;; step = s.step()) {
        if (step != SQLITE_ROW) {
            if (step != SQLITE_DONE && problems)
                *problems << QStringLiteral("%1: %2: %3").arg(path, service, QString::fromUtf8(sqlite3_errmsg(db)));
            return;
        }
        if (s.integer(2) > toMs)
            return;
        each(s);
    }
}

std::vector<QByteArray> splitKeys(const QByteArray &compressed)
{
    std::vector<QByteArray> keys;
    const QByteArray joined = qUncompress(compressed);
    qsizetype start = 0;
    for (qsizetype end = joined.indexOf('\n'); end >= 0; start = end + 1, end = joined.indexOf('\n', start))
        keys.push_back(joined.mid(start, end - start));
    return keys;
}

} // namespace

RecordingReader::RawSamples RecordingReader::rawSamples(const QString &service, qint64 fromMs, qint64 toMs,
                                                        QStringList *problems) const
{
    RawSamples out;
    if (!m_hasRaw)
        return out;
    Statement s(m_db,
                "SELECT b.seq, b.data, b.first_ms, k.keys FROM raw_blocks b JOIN raw_keys k ON k.id = b.keys_id "
                "WHERE b.service = ?1 AND b.last_ms >= ?2 ORDER BY b.last_ms");
    s.bind(1, service);
    s.bind(2, fromMs);
    std::map<QByteArray, std::size_t> columnOf;
    stepBlocks(s, m_db, m_path, service, toMs, problems, [&](const Statement &row) {
        QString why;
        const std::optional<SampleBlock> block = decodeBlock(row.blob(1), &why);
        const std::vector<QByteArray> keys = splitKeys(row.blob(3));
        if (!block || keys.size() != block->columns.size()) {
            if (problems)
                *problems << QStringLiteral("%1: %2: raw block %3: %4")
                                 .arg(m_path, service)
                                 .arg(row.integer(0))
                                 .arg(block ? QStringLiteral("its series list does not match it") : why);
            return;
        }
        // Where each of this block's series goes: a series new to the range
        // starts with NaN for the samples before it.
        std::vector<std::size_t> target(keys.size());
        for (std::size_t c = 0; c < keys.size(); ++c) {
            auto [it, added] = columnOf.try_emplace(keys[c], out.keys.size());
            if (added) {
                out.keys.push_back(keys[c]);
                out.block.columns.emplace_back(out.block.timesMs.size(), vitals::kUnknown);
            }
            target[c] = it->second;
        }
        for (std::size_t i = 0; i < block->sampleCount(); ++i) {
            const qint64 t = block->timesMs[i];
            if (t < fromMs || t > toMs || (!out.block.timesMs.empty() && t <= out.block.timesMs.back()))
                continue;
            out.block.timesMs.push_back(t);
            for (std::vector<double> &column : out.block.columns)
                column.push_back(vitals::kUnknown);
            for (std::size_t c = 0; c < keys.size(); ++c)
                out.block.columns[target[c]].back() = block->columns[c][i];
        }
    });
    return out;
}

RecordingReader::StorageStats RecordingReader::storageStats(QStringList *problems) const
{
    StorageStats stats;
    const auto count = [&](const char *sql, qint64 &blocks, qint64 &values, qint64 &bytes, bool unknownCounts) {
        Statement s(m_db, sql);
        while (s && s.step() == SQLITE_ROW) {
            const QByteArray data = s.blob(2);
            QString why;
            const std::optional<SampleBlock> block = decodeBlock(data, &why);
            if (!block) {
                if (problems)
                    *problems
                        << QStringLiteral("%1: %2: block %3: %4").arg(m_path, s.text(0)).arg(s.integer(1)).arg(why);
                continue;
            }
            ++blocks;
            bytes += data.size();
            for (const std::vector<double> &column : block->columns)
                values += unknownCounts ? static_cast<qint64>(column.size())
                                        : std::count_if(column.begin(), column.end(), vitals::isKnown);
        }
    };
    count("SELECT service, seq, data FROM blocks", stats.vitalBlocks, stats.vitalValues, stats.vitalBytes, true);
    if (!m_hasRaw)
        return stats;
    count("SELECT service, seq, data FROM raw_blocks", stats.rawBlocks, stats.rawValues, stats.rawBytes, false);
    Statement keys(m_db, "SELECT coalesce(sum(length(keys)), 0) FROM raw_keys");
    if (keys && keys.step() == SQLITE_ROW)
        stats.rawKeyBytes = keys.integer(0);
    return stats;
}

QStringList RecordingReader::services() const
{
    QStringList out;
    Statement s(m_db, "SELECT name FROM services ORDER BY name");
    while (s && s.step() == SQLITE_ROW)
        out << s.text(0);
    return out;
}

QStringList RecordingReader::columns(const QString &service) const
{
    Statement s(m_db, "SELECT columns FROM services WHERE name = ?1");
    s.bind(1, service);
    return s && s.step() == SQLITE_ROW ? s.text(0).split(u',', Qt::SkipEmptyParts) : QStringList();
}

QString RecordingReader::serviceConfig(const QString &service) const
{
    Statement s(m_db, "SELECT config FROM services WHERE name = ?1");
    s.bind(1, service);
    return s && s.step() == SQLITE_ROW ? s.text(0) : QString();
}

SampleBlock RecordingReader::samples(const QString &service, qint64 fromMs, qint64 toMs, QStringList *problems) const
{
    SampleBlock out;
    Statement s(m_db, "SELECT seq, data, first_ms FROM blocks WHERE service = ?1 AND last_ms >= ?2 ORDER BY last_ms");
    s.bind(1, service);
    s.bind(2, fromMs);
    stepBlocks(s, m_db, m_path, service, toMs, problems, [&](const Statement &row) {
        QString why;
        const std::optional<SampleBlock> block = decodeBlock(row.blob(1), &why);
        if (!block) {
            if (problems)
                *problems << QStringLiteral("%1: %2, block %3: %4").arg(m_path, service).arg(row.integer(0)).arg(why);
            return;
        }
        if (out.columns.empty())
            out.columns.resize(block->columns.size());
        if (block->columns.size() != out.columns.size()) {
            if (problems)
                *problems << QStringLiteral("%1: %2, block %3: %4 series, not %5")
                                 .arg(m_path, service)
                                 .arg(row.integer(0))
                                 .arg(block->columns.size())
                                 .arg(out.columns.size());
            return;
        }
        for (std::size_t i = 0; i < block->timesMs.size(); ++i) {
            const qint64 t = block->timesMs[i];
            if (t < fromMs || t > toMs || (!out.timesMs.empty() && t <= out.timesMs.back()))
                continue;
            out.timesMs.push_back(t);
            for (std::size_t c = 0; c < out.columns.size(); ++c)
                out.columns[c].push_back(block->columns[c][i]);
        }
    });
    return out;
}

std::vector<StoredEvent> RecordingReader::events(qint64 fromMs, qint64 toMs, const QString &kind) const
{
    std::vector<StoredEvent> out;
    Statement s(m_db,
                kind.isEmpty() ? "SELECT ts_ms, kind, service, json FROM events WHERE ts_ms BETWEEN ?1 AND ?2 "
                                 "ORDER BY ts_ms, rowid"
                               : "SELECT ts_ms, kind, service, json FROM events WHERE ts_ms BETWEEN ?1 AND ?2 "
                                 "AND kind = ?3 ORDER BY ts_ms, rowid");
    s.bind(1, fromMs);
    s.bind(2, toMs);
    if (!kind.isEmpty())
        s.bind(3, kind);
    while (s && s.step() == SQLITE_ROW)
        out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3)});
    return out;
}

std::vector<StoredEvent> RecordingReader::latestEvents(const QString &kind, qint64 atMs) const
{
    // SQLite fills the bare columns from the row that has the MAX().
    std::vector<StoredEvent> out;
    Statement s(m_db,
                "SELECT MAX(ts_ms), kind, service, json FROM events WHERE kind = ?1 AND ts_ms <= ?2 "
                "GROUP BY service ORDER BY service");
    s.bind(1, kind);
    s.bind(2, atMs);
    while (s && s.step() == SQLITE_ROW)
        out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3)});
    return out;
}

std::vector<RecordingReader::BlobInfo> RecordingReader::blobs() const
{
    std::vector<BlobInfo> out;
    if (!m_hasBlobs)
        return out;
    Statement s(m_db, "SELECT id, ts_ms, kind, service, name, length(data) FROM blobs ORDER BY ts_ms, id");
    while (s && s.step() == SQLITE_ROW)
        out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.integer(5)});
    return out;
}

std::optional<StoredBlob> RecordingReader::blob(qint64 id, QString *error) const
{
    Statement s(m_db, "SELECT ts_ms, kind, service, name, data FROM blobs WHERE id = ?1");
    if (s)
        s.bind(1, id);
    if (!m_hasBlobs || !s || s.step() != SQLITE_ROW) {
        if (error)
            *error = QStringLiteral("%1: no capture %2").arg(m_path).arg(id);
        return std::nullopt;
    }
    StoredBlob out{s.integer(0), s.text(1), s.text(2), s.text(3), s.blob(4)};
    if (!out.data.startsWith("\x1f\x8b")) {
        out.data = qUncompress(out.data);
        if (out.data.isEmpty()) {
            if (error)
                *error = QStringLiteral("%1: capture %2 (%3 of %4) is damaged")
                             .arg(m_path)
                             .arg(id)
                             .arg(out.kind, out.service);
            return std::nullopt;
        }
    }
    return out;
}

std::pair<qint64, qint64> RecordingReader::timeRange() const
{
    // Per service along the indexes: a MIN/MAX over the table would read
    // every block (half a gigabyte for a large fleet's day).
    qint64 first = INT64_MAX, last = INT64_MIN;
    Statement firsts(m_db, "SELECT first_ms FROM blocks WHERE service = ?1 ORDER BY seq LIMIT 1");
    Statement lasts(m_db, "SELECT last_ms FROM blocks WHERE service = ?1 ORDER BY last_ms DESC LIMIT 1");
    if (!firsts || !lasts)
        return {0, 0};
    for (const QString &service : services()) {
        sqlite3_reset(firsts.get());
        sqlite3_reset(lasts.get());
        firsts.bind(1, service);
        lasts.bind(1, service);
        if (firsts.step() == SQLITE_ROW)
            first = std::min(first, firsts.integer(0));
        if (lasts.step() == SQLITE_ROW)
            last = std::max(last, lasts.integer(0));
    }
    return first <= last ? std::make_pair(first, last) : std::make_pair(qint64(0), qint64(0));
}

qint64 sqliteMemoryBytes()
{
    return static_cast<qint64>(sqlite3_memory_used());
}

} // namespace gotriage::record
