#include "recordingsource.h"

#include "analysis/findingjson.h"
#include "common/handover.h"
#include "common/logging.h"
#include "record/recorder.h"
#include "record/recordingcursor.h"
#include "triage/incident.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <set>
#include <tuple>

namespace gotriage::record {

namespace {

constexpr std::size_t kMaxMarkers = 5000;

// The moments worth a jump: findings raised, actions, notes.
std::vector<ReplayMarker> markersOf(const RecordingReader &reader)
{
    std::vector<ReplayMarker> out;
    for (const StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(kFindingEvent))) {
        const auto change = analysis::findingChangeFromJson(e.json.toStdString());
        if (change && change->type == analysis::FindingChange::Type::Raised)
            out.push_back({ReplayMarker::Kind::Finding, e.tsMs, e.service,
                           analysis::kindName(change->finding.kind).replace(u'_', u' ')});
    }
    for (const StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(kTriageEvent))) {
        const auto event = triage::IncidentEvent::fromJson(QJsonDocument::fromJson(e.json.toUtf8()).object(), nullptr);
        if (!event)
            continue;
        using Type = triage::IncidentEvent::Type;
        // The action's name ("throttle"), not its run's id (action@service@ms).
        if (event->type == Type::ActionSent || event->type == Type::Reverted)
            out.push_back({ReplayMarker::Kind::Action, e.tsMs, event->service,
                           (event->type == Type::Reverted ? QStringLiteral("reverted ") : QString())
                               + event->actionId.section(u'@', 0, 0)});
        else if (event->type == Type::Note || event->type == Type::Opened)
            out.push_back({ReplayMarker::Kind::Note, e.tsMs, event->service, event->text});
    }
    for (const StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(kNoteEvent))) {
        out.push_back({ReplayMarker::Kind::Note, e.tsMs, e.service,
                       QJsonDocument::fromJson(e.json.toUtf8()).object().value(QStringLiteral("text")).toString()});
    }
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.tsMs < b.tsMs; });
    // A flapping day raises the same finding thousands of times: past
    // kMaxMarkers, a service's finding of one kind marks each minute once.
    if (out.size() > kMaxMarkers) {
        std::set<std::tuple<QString, QString, qint64>> seen;
        std::erase_if(out, [&seen](const ReplayMarker &m) {
            return m.kind == ReplayMarker::Kind::Finding && !seen.emplace(m.service, m.text, m.tsMs / 60'000).second;
        });
    }
    return out;
}

} // namespace

RecordingSource::RecordingSource(QString path, double rate, QObject *parent)
    : Source(parent), m_path(std::move(path)), m_clock(0, rate)
{
    qRegisterMetaType<RecordingInfoPtr>();
    qRegisterMetaType<ReplayMarker>();
    qRegisterMetaType<ingest::CaptureResultPtr>();
    m_timer.setParent(this); // moves with the source to the ingest thread
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RecordingSource::advance);
}

RecordingSource::~RecordingSource() = default;

void RecordingSource::onIngestThread(std::function<void()> work)
{
    common::postTo(this, std::move(work));
}

void RecordingSource::start()
{
    m_reader = std::make_unique<RecordingReader>();
    QString error;
    if (!m_reader->open(m_path, &error)) {
        m_atEnd = true;
        emit failed(error);
        emit ended();
        return;
    }
    auto info = std::make_shared<RecordingInfo>();
    info->path = m_path;
    info->formatVersion = m_reader->formatVersion();
    std::tie(m_firstMs, m_lastMs) = m_reader->timeRange();
    info->firstMs = m_firstMs;
    info->lastMs = m_lastMs;
    info->services = recordedServices(*m_reader);
    info->markers = markersOf(*m_reader);
    info->captures = m_reader->blobs();
    m_captures = info->captures;
    m_captureSent.assign(m_captures.size(), false);
    // Enough history for the charts after a seek, not so much that a seek
    // in a large fleet's recording takes long: about one sample a second.
    const auto services = static_cast<qint64>(std::max<std::size_t>(1, info->services.size()));
    m_contextMs = std::clamp(kContextSamples / services * 1000, kMinContextMs, kMaxContextMs);
    m_cursor = std::make_unique<RecordingCursor>(*m_reader);
    qCDebug(lcRecord) << "replaying" << m_path << info->services.size() << "services from" << m_firstMs << "to"
                      << m_lastMs;
    seekNow(m_firstMs);
    info->problems = m_cursor->takeProblems();
    emit opened(info);
    m_clock.play();
    advance();
}

void RecordingSource::play()
{
    onIngestThread([this] {
        if (!m_cursor)
            return;
        if (m_atEnd)
            seekNow(m_loopToMs > m_loopFromMs ? m_loopFromMs : m_firstMs);
        m_clock.play();
        advance();
    });
}

void RecordingSource::pause()
{
    onIngestThread([this] {
        m_clock.pause();
        m_timer.stop();
    });
}

void RecordingSource::setRate(double rate)
{
    onIngestThread([this, rate] {
        m_clock.setRate(std::clamp(rate, 0.01, 10'000.0));
        if (m_clock.playing())
            advance();
    });
}

void RecordingSource::seek(qint64 tsMs)
{
    // The playhead moves at once (whoever reads it sees the target), and
    // seeks asked faster than they are done collapse into the newest: a
    // held key or a drag never queues up work.
    m_clock.seek(tsMs);
    if (m_pendingSeekMs.exchange(tsMs) != kNoSeek)
        return; // the one on its way takes this target
    onIngestThread([this] {
        const qint64 target = m_pendingSeekMs.exchange(kNoSeek);
        if (!m_cursor || target == kNoSeek)
            return;
        seekNow(target);
        if (m_clock.playing())
            advance();
    });
}

void RecordingSource::setLoop(qint64 fromMs, qint64 toMs)
{
    onIngestThread([this, fromMs, toMs] {
        m_loopFromMs = fromMs;
        m_loopToMs = toMs;
    });
}

void RecordingSource::addNote(qint64 tsMs, const QString &text, const QString &author)
{
    onIngestThread([this, tsMs, text, author] {
        // A note is the one thing a replay adds to its recording.
        RecordingWriter writer;
        QString error;
        const QString json = QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("text"), text}, {QStringLiteral("author"), author}})
                .toJson(QJsonDocument::Compact));
        const bool ok = writer.open(m_path, &error) && writer.begin(&error)
            && writer.putEvent({tsMs, QString::fromLatin1(kNoteEvent), QString(), json}, &error)
            && writer.commit(&error);
        emit noteSaved({ReplayMarker::Kind::Note, tsMs, QString(), text}, ok ? QString() : error);
    });
}

void RecordingSource::seekNow(qint64 tsMs)
{
    tsMs = std::clamp(tsMs, m_firstMs, m_lastMs + 1);
    m_timer.stop();
    m_clock.seek(tsMs);
    m_ahead.clear();
    m_nextAhead = 0;
    m_atEnd = false;
    resetSink();
    RecordingCursor::Context context = m_cursor->seek(tsMs, m_contextMs);
    for (const auto &[service, samples] : context.history)
        backfill(service, samples, ingest::Backfill::Context);
    for (ingest::SourceUpdate &update : context.latest)
        deliver(std::move(update));
    contextComplete();
    emitCapturesUpTo(tsMs);
}

void RecordingSource::emitCapturesUpTo(qint64 tsMs)
{
    for (std::size_t i = 0; i < m_captures.size() && m_captures[i].tsMs <= tsMs; ++i) {
        if (m_captureSent[i])
            continue;
        m_captureSent[i] = true;
        QString error;
        const std::optional<StoredBlob> blob = m_reader->blob(m_captures[i].id, &error);
        if (!blob) {
            qCWarning(lcRecord).noquote() << error;
            continue;
        }
        auto capture = std::make_shared<ingest::CaptureResult>();
        capture->request.service = blob->service;
        capture->request.kind = ingest::captureKindFromName(blob->kind).value_or(ingest::CaptureKind::Heap);
        capture->startedMs = blob->tsMs;
        capture->body = blob->data;
        emit captureReached(capture);
    }
}

void RecordingSource::advance()
{
    if (!m_cursor || m_pendingSeekMs.load() != kNoSeek)
        return; // the seek on its way resumes playing
    qint64 now = m_clock.nowMs();
    const bool looping = m_loopToMs > m_loopFromMs;
    if (looping && now > m_loopToMs) {
        seekNow(m_loopFromMs);
        now = m_clock.nowMs();
    }
    // The clock runs while a seek loads its context (30 ms is 30 s at
    // 1000×): nothing past the loop's end goes out; the next look loops.
    if (looping)
        now = std::min(now, m_loopToMs);
    for (;;) {
        while (m_nextAhead < m_ahead.size() && m_ahead[m_nextAhead].tsMs() <= now)
            deliver(std::move(m_ahead[m_nextAhead++]));
        emitCapturesUpTo(now);
        if (m_nextAhead < m_ahead.size())
            break; // the next one is not due yet
        if (m_cursor->position() > m_lastMs) {
            m_atEnd = true;
            m_clock.pause();
            for (const QString &problem : m_cursor->takeProblems())
                qCWarning(lcRecord).noquote() << problem;
            emit ended();
            return;
        }
        // Read ahead by a few seconds of wall time at the current rate.
        const qint64 span = static_cast<qint64>(kReadAheadMs * std::max(1.0, m_clock.rate()));
        m_ahead = m_cursor->next(std::max(now + 1, m_cursor->position() + span));
        m_nextAhead = 0;
    }
    for (const QString &problem : m_cursor->takeProblems())
        qCWarning(lcRecord).noquote() << problem;
    if (!m_clock.playing())
        return;
    const double rate = std::max(m_clock.rate(), 1e-3);
    const auto wait = static_cast<double>(m_ahead[m_nextAhead].tsMs() - now) / rate;
    m_timer.start(static_cast<int>(std::clamp(wait, 0.0, static_cast<double>(kMaxWaitMs))));
}

} // namespace gotriage::record
