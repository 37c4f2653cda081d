#pragma once

#include "config/fleetconfig.h"
#include "formats/metrics.h"
#include "ingest/profilecapture.h"
#include "record/recordingfile.h"
#include "session/servicereport.h"

#include <QHash>
#include <QObject>
#include <QThread>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace gotriage::record {

// Records a session into one crash-safe file: every service's vitals and
// scrape outcome as compressed blocks; as events, the finding changes, the
// projections of services with a trend that matters (every
// kProjectionIntervalMs), and each change of scrape state (error, runtime,
// restart), so that a replay can rebuild every update. The writer has a
// thread of its own behind a bounded queue: record() only appends to the
// queue (from any thread: the hub's, the GUI's), so neither scraping nor
// the screen ever waits on the disk. The writer commits at least once a
// second; if the disk cannot keep up, samples over the queue's bound are
// dropped and counted (stats()), never waited for.
class Recorder : public QObject
{
    Q_OBJECT

public:
    static constexpr std::size_t kQueueLimit = 200'000; // samples waiting for the writer
    static constexpr std::size_t kBlockSamples = 240; // samples per block before a new one starts
    static constexpr int kCommitIntervalMs = 1000;
    static constexpr qint64 kProjectionIntervalMs = 10'000;
    // The raw scraped series: a block per service of this many scrapes, and
    // at most this many values waiting for the writer (past it a scrape's
    // raw series are dropped and counted; its vitals still go in).
    static constexpr std::size_t kRawBlockSamples = 120;
    static constexpr std::size_t kRawQueueLimit = 2'000'000;

    explicit Recorder(QObject *parent = nullptr);
    ~Recorder() override; // writes and commits what is queued, then stops

    // Opens (creates) the file in the writer's thread; false with `error`.
    bool start(const QString &path, QString *error);
    // The same without waiting (the GUI thread never waits on the disk):
    // started() tells how it went. Samples recorded meanwhile are queued.
    void startInBackground(const QString &path);
    // Keep only this much history (a rolling black box); 0 keeps everything.
    void setRetention(qint64 retentionMs);
    const QString &path() const { return m_path; }
    // What the services are (their config, secrets left out); thread-safe.
    void setServices(const std::vector<config::ServiceConfig> &services);
    // Thread-safe, never blocks on the disk.
    void record(const session::SessionBatchPtr &batch);
    void recordEvent(StoredEvent event);
    // A profile or goroutine dump, kept whole (thread-safe, never blocks).
    // The same capture given twice (by hand, then as a finding's evidence)
    // is kept once; past kMaxPendingCaptureBytes waiting, it is dropped and
    // counted.
    void recordCapture(const ingest::CaptureResultPtr &capture);
    static constexpr qint64 kMaxPendingCaptureBytes = 64LL * 1024 * 1024;
    // Writes and commits everything queued now; blocks until it is done.
    bool flush(QString *error = nullptr);
    // "Save incident": keeps [fromMs, toMs] of the black box for good, as a
    // recording of its own at `target`, in the writer's thread after what
    // is queued is committed; windowSaved() tells how it went.
    // `cancel` set while it runs stops it (windowSaved() says "cancelled").
    void saveWindow(qint64 fromMs, qint64 toMs, const QString &target, std::shared_ptr<std::atomic<bool>> cancel = {});

    struct Stats {
        quint64 samplesQueued = 0;
        quint64 samplesWritten = 0;
        quint64 samplesDropped = 0; // over the queue's bound: the disk did not keep up
        quint64 commits = 0;
        quint64 rawValuesQueued = 0; // the raw scraped series' values
        quint64 rawValuesWritten = 0;
        quint64 rawScrapesDropped = 0;
        quint64 capturesWritten = 0;
        quint64 capturesDropped = 0;
        QString lastError;
    };
    Stats stats() const;

signals:
    void started(const QString &error); // empty: recording
    void windowSaved(const QString &target, const QString &error); // error empty: saved

private:
    class Writer;

    QThread m_thread;
    Writer *m_writer = nullptr;
    QString m_path;
    std::atomic<qint64> m_retentionMs{0};
    mutable std::mutex m_mutex; // std, not QMutex: TSan sees through pthread, not through Qt's futex
    struct Pending {
        QString service;
        vitals::VitalsSample sample;
        bool up = false;
        qint64 durationMs = 0;
        std::shared_ptr<const formats::ParsedMetrics> metrics; // the raw series, when kept
    };
    // A scrape's state without what changes every time (vitals, times, size).
    struct ScrapeState {
        bool up = false;
        QString error;
        vitals::RuntimeInfo runtime;
        QStringList problems;
        bool operator==(const ScrapeState &) const = default;
    };
    // What was last recorded of a service's state, to record only changes.
    struct LastState {
        std::optional<ScrapeState> scrape;
        qint64 projectionsMs = INT64_MIN;
        bool hadProjections = false;
    };
    // Compared field by field, and the projections turned into JSON only
    // when they are recorded: this runs for every report of every service,
    // on the thread that takes the scrapes.
    void recordStateChanges(const session::ServiceReport &report); // under m_mutex
    QHash<QString, LastState> m_lastState; // guarded by m_mutex
    std::vector<Pending> m_samples; // guarded by m_mutex
    std::size_t m_pendingRawValues = 0; // guarded by m_mutex
    std::vector<StoredEvent> m_events; // guarded by m_mutex
    std::vector<StoredBlob> m_blobs; // guarded by m_mutex
    qint64 m_pendingBlobBytes = 0; // guarded by m_mutex
    std::map<QString, qint64> m_capturesSeen; // key → taken at; guarded by m_mutex
    std::vector<config::ServiceConfig> m_services; // guarded by m_mutex
    bool m_servicesChanged = false;
    Stats m_stats; // guarded by m_mutex
};

// The series a block stores, in order: the vitals by name, then the scrape's
// outcome (kUpColumn: 1 or 0) and duration (kDurationColumn, ms).
QStringList vitalColumns();
QStringList recordedColumns();
inline constexpr const char *kUpColumn = "scrape_up";
inline constexpr const char *kDurationColumn = "scrape_ms";
// Event kinds.
inline constexpr const char *kFindingEvent = "finding"; // one FindingChange
inline constexpr const char *kProjectionsEvent = "projections"; // {"projections": [...]} (findingjson.h)
inline constexpr const char *kScrapeEvent = "scrape"; // a changed scrape state: one update line (updatejson.h)
inline constexpr const char *kTriageEvent = "triage"; // an incident's event
inline constexpr const char *kNoteEvent = "note"; // {"text": ..., "author": ...}

} // namespace gotriage::record
