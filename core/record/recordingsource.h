#pragma once

#include "common/clock.h"
#include "config/fleetconfig.h"
#include "ingest/profilecapture.h"
#include "ingest/source.h"
#include "record/recordingfile.h"

#include <QMetaType>
#include <QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace gotriage::record {

class RecordingCursor;

// A moment worth jumping to: a finding raised, an action, a note.
struct ReplayMarker {
    enum class Kind { Finding, Action, Note };
    Kind kind = Kind::Finding;
    qint64 tsMs = 0;
    QString service;
    QString text;
};

// What a recording holds, told once it is open.
struct RecordingInfo {
    QString path;
    int formatVersion = 0;
    qint64 firstMs = 0, lastMs = 0;
    std::vector<config::ServiceConfig> services; // as recorded: name, address, tier, labels
    std::vector<ReplayMarker> markers; // by time
    std::vector<RecordingReader::BlobInfo> captures;
    QStringList problems; // what could not be read (the rest plays)
};
using RecordingInfoPtr = std::shared_ptr<const RecordingInfo>;

// Plays a recording under a playhead: the same updates the session saw, at
// 1× to 1000×, paused, scrubbed, looped, each carrying the findings that
// were recorded (ingest::RecordedAnalysis). It opens the file and reads it
// in the ingest thread; the controls may be called from any thread and
// take effect there. A seek resets the hub and hands it the context before
// the playhead (a stretch of history for the charts, then each service's
// state at that moment).
class RecordingSource : public ingest::Source
{
    Q_OBJECT

public:
    static constexpr int kMaxWaitMs = 50; // longest pause between two looks at the playhead
    // History loaded after a seek: up to an hour, at most this many samples
    // fleet-wide (200 services get 5 minutes: the chart's default span).
    static constexpr qint64 kContextSamples = 60'000;
    static constexpr qint64 kMaxContextMs = 3'600'000;
    static constexpr qint64 kMinContextMs = 60'000;
    static constexpr qint64 kReadAheadMs = 5'000; // of data time, at 1×

    explicit RecordingSource(QString path, double rate = 1.0, QObject *parent = nullptr);
    ~RecordingSource() override;

    const common::Clock &clock() const override { return m_clock; }
    const common::ReplayClock &replayClock() const { return m_clock; }
    const QString &path() const { return m_path; }
    void setServices(const std::vector<config::ServiceConfig> &, bool) override { }
    void start() override;
    bool finished() const override { return m_atEnd; }

    // From any thread.
    void play();
    void pause();
    void setRate(double rate);
    void seek(qint64 tsMs);
    // Plays [fromMs, toMs] over and over; toMs <= fromMs ends the loop.
    void setLoop(qint64 fromMs, qint64 toMs);
    // Saved into the recording at `tsMs` (a replay's notes are kept).
    void addNote(qint64 tsMs, const QString &text, const QString &author);

signals:
    void opened(const gotriage::record::RecordingInfoPtr &info);
    void failed(const QString &error);
    void noteSaved(const gotriage::record::ReplayMarker &marker, const QString &error); // error empty: saved
    // The playhead reached (or a seek passed) a profile or dump captured
    // then; each once.
    void captureReached(const gotriage::ingest::CaptureResultPtr &capture);

private:
    void onIngestThread(std::function<void()> work);
    void seekNow(qint64 tsMs);
    void emitCapturesUpTo(qint64 tsMs);
    void advance();

    QString m_path;
    common::ReplayClock m_clock;
    std::unique_ptr<RecordingReader> m_reader; // in the ingest thread
    std::unique_ptr<RecordingCursor> m_cursor;
    std::vector<ingest::SourceUpdate> m_ahead; // read, not yet due
    std::size_t m_nextAhead = 0;
    qint64 m_firstMs = 0, m_lastMs = 0;
    qint64 m_contextMs = kMaxContextMs;
    qint64 m_loopFromMs = 0, m_loopToMs = 0;
    bool m_atEnd = false;
    std::vector<RecordingReader::BlobInfo> m_captures; // by time
    std::vector<bool> m_captureSent;
    QTimer m_timer;
    static constexpr qint64 kNoSeek = INT64_MIN;
    std::atomic<qint64> m_pendingSeekMs{kNoSeek}; // asked from any thread, done in the ingest thread
};

} // namespace gotriage::record

Q_DECLARE_METATYPE(gotriage::record::RecordingInfoPtr)
Q_DECLARE_METATYPE(gotriage::record::ReplayMarker)
