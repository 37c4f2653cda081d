#include "recorder.h"

#include "analysis/findingjson.h"
#include "common/logging.h"
#include "ingest/updatejson.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <map>

namespace gotriage::record {

namespace {

// A service's config as the recording keeps it: where and what it is, and
// never its credentials (those are references anyway, but a path names a
// secret's place).
QString configJson(const config::ServiceConfig &s)
{
    QJsonObject labels;
    for (const auto &[key, value] : s.labels)
        labels.insert(key, value);
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("name"), s.name},
                                  {QStringLiteral("url"), s.baseUrl.toString(QUrl::RemoveUserInfo)},
                                  {QStringLiteral("tier"), config::tierName(s.tier)},
                                  {QStringLiteral("labels"), labels}})
            .toJson(QJsonDocument::Compact));
}

} // namespace

QStringList vitalColumns()
{
    QStringList out;
    for (const vitals::VitalInfo &info : vitals::kVitals)
        out << QString::fromLatin1(info.name);
    return out;
}

QStringList recordedColumns()
{
    return vitalColumns() << QString::fromLatin1(kUpColumn) << QString::fromLatin1(kDurationColumn);
}

// In the writer's thread: the open block of each service, rewritten in
// place at each commit until it is full.
class Recorder::Writer : public QObject
{
public:
    explicit Writer(Recorder *owner) : m_owner(owner) { }

    bool open(const QString &path, QString *error)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        if (!m_file.open(path, error))
            return false;
        m_opened = true;
        m_timer = new QTimer(this);
        m_timer->setInterval(Recorder::kCommitIntervalMs);
        connect(m_timer, &QTimer::timeout, this, [this] { writeQueued(nullptr); });
        m_timer->start();
        return true;
    }

    bool writeQueued(QString *error)
    {
        if (!m_opened)
            return false;
        std::vector<Pending> samples;
        std::vector<StoredEvent> events;
        std::vector<StoredBlob> blobs;
        std::vector<config::ServiceConfig> services;
        bool servicesChanged = false;
        {
            QMutexLocker lock(&m_owner->m_mutex);
            samples.swap(m_owner->m_samples);
            events.swap(m_owner->m_events);
            blobs.swap(m_owner->m_blobs);
            m_owner->m_pendingBlobBytes = 0;
            if (m_owner->m_servicesChanged) {
                services = m_owner->m_services;
                servicesChanged = true;
                m_owner->m_servicesChanged = false;
            }
        }
        if (samples.empty() && events.empty() && blobs.empty() && !servicesChanged)
            return true;
        QString why;
        bool ok = m_file.begin(&why);
        if (ok && servicesChanged) {
            const QStringList columns = recordedColumns();
            for (const config::ServiceConfig &s : services)
                ok = ok && m_file.putService(s.name, configJson(s), columns, &why);
        }
        std::map<QString, bool> dirty;
        for (const Pending &p : samples) {
            Open &open = m_open[p.service];
            if (open.block.columns.empty())
                open.block.columns.resize(vitals::kVitalCount + 2);
            // Time order per service; a sample from the past is not a sample of this block.
            if (!open.block.timesMs.empty() && p.sample.tsMs <= open.block.timesMs.back())
                continue;
            open.block.timesMs.push_back(p.sample.tsMs);
            for (std::size_t i = 0; i < vitals::kVitalCount; ++i)
                open.block.columns[i].push_back(p.sample.values[i]);
            open.block.columns[vitals::kVitalCount].push_back(p.up ? 1.0 : 0.0);
            open.block.columns[vitals::kVitalCount + 1].push_back(static_cast<double>(p.durationMs));
            dirty[p.service] = true;
            if (open.block.sampleCount() >= Recorder::kBlockSamples) {
                ok = ok && m_file.putBlock(p.service, open.sequence, open.block, &why);
                ++open.sequence;
                open.block = SampleBlock{};
                dirty[p.service] = false;
            }
        }
        for (const auto &[service, isDirty] : dirty) {
            if (isDirty) {
                const Open &open = m_open[service];
                ok = ok && m_file.putBlock(service, open.sequence, open.block, &why);
            }
        }
        for (const StoredEvent &e : events)
            ok = ok && m_file.putEvent(e, &why);
        for (const StoredBlob &b : blobs)
            ok = ok && m_file.putBlob(b, &why);
        // The black box forgets what is older than its retention, once a minute.
        const qint64 retention = m_owner->m_retentionMs;
        const qint64 newest = samples.empty() ? 0 : samples.back().sample.tsMs;
        if (ok && retention > 0 && newest - m_lastPruneMs >= 60'000) {
            ok = m_file.prune(newest - retention, &why);
            m_lastPruneMs = newest;
        }
        ok = ok && m_file.commit(&why);
        QMutexLocker lock(&m_owner->m_mutex);
        if (ok) {
            m_owner->m_stats.capturesWritten += blobs.size();
            m_owner->m_stats.samplesWritten += samples.size();
            ++m_owner->m_stats.commits;
        } else {
            m_owner->m_stats.lastError = why;
            qCWarning(lcRecord).noquote() << "recording:" << why;
        }
        if (error)
            *error = why;
        return ok;
    }

private:
    struct Open {
        qint64 sequence = 0;
        SampleBlock block;
    };
    Recorder *m_owner;
    RecordingWriter m_file;
    QTimer *m_timer = nullptr;
    std::map<QString, Open> m_open;
    qint64 m_lastPruneMs = 0;
    bool m_opened = false;
};

Recorder::Recorder(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("gotriage-recorder"));
}

Recorder::~Recorder()
{
    if (m_writer) {
        QMetaObject::invokeMethod(
            m_writer,
            [writer = m_writer] {
                writer->writeQueued(nullptr);
                delete writer;
            },
            Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

void Recorder::setRetention(qint64 retentionMs)
{
    m_retentionMs = retentionMs;
}

void Recorder::startInBackground(const QString &path)
{
    m_path = path;
    m_thread.start();
    m_writer = new Writer(this);
    m_writer->moveToThread(&m_thread);
    QMetaObject::invokeMethod(m_writer, [this, path] {
        QString why;
        if (!m_writer->open(path, &why)) {
            QMutexLocker lock(&m_mutex);
            m_stats.lastError = why;
        }
        QMetaObject::invokeMethod(
            this, [this, why] { emit started(why); }, Qt::QueuedConnection);
    });
}

bool Recorder::start(const QString &path, QString *error)
{
    m_path = path;
    m_thread.start();
    m_writer = new Writer(this);
    m_writer->moveToThread(&m_thread);
    bool ok = false;
    QString why;
    QMetaObject::invokeMethod(
        m_writer, [&] { ok = m_writer->open(path, &why); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        QMetaObject::invokeMethod(
            m_writer, [writer = m_writer] { delete writer; }, Qt::BlockingQueuedConnection);
        m_writer = nullptr;
        if (error)
            *error = why;
    }
    return ok;
}

void Recorder::setServices(const std::vector<config::ServiceConfig> &services)
{
    QMutexLocker lock(&m_mutex);
    m_services = services;
    m_servicesChanged = true;
}

void Recorder::record(const session::SessionBatchPtr &batch)
{
    QMutexLocker lock(&m_mutex);
    for (const session::ServiceReportPtr &report : batch->reports) {
        if (m_samples.size() >= kQueueLimit) {
            ++m_stats.samplesDropped;
            continue;
        }
        ++m_stats.samplesQueued;
        m_samples.push_back({report->service(), report->vitals, report->scrape->up, report->scrape->durationMs});
        for (const analysis::FindingChange &change : report->findingChanges)
            m_events.push_back({change.tsMs, QString::fromLatin1(kFindingEvent), report->service(),
                                QString::fromStdString(analysis::toJson(change))});
        recordStateChanges(*report);
    }
}

void Recorder::recordStateChanges(const session::ServiceReport &report)
{
    LastState &last = m_lastState[report.service()];
    const ingest::SourceUpdate &update = report;
    // The scrape's state without what changes every time (vitals, times, size).
    const ingest::ScrapeResult &scrape = *update.scrape;
    const vitals::RuntimeInfo &r = update.runtime;
    const QString key = QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8")
                            .arg(scrape.up)
                            .arg(scrape.error, r.goVersion)
                            .arg(r.gomaxprocs.value_or(-1))
                            .arg(r.gogcPercent.value_or(-1))
                            .arg(r.gomemlimitBytes.value_or(-1))
                            .arg(r.startTimeSeconds.value_or(-1))
                            .arg(scrape.problems.join(u'\n'));
    if (key != last.scrapeKey || update.restarted) {
        last.scrapeKey = key;
        m_events.push_back({update.tsMs(), QString::fromLatin1(kScrapeEvent), update.service(),
                            QString::fromStdString(ingest::toJsonLine(update))});
    }
    // Only a trend that matters is worth its bytes: a material rise or a
    // time to a limit; and an empty list once, when the last one goes.
    QJsonArray projections;
    for (const analysis::Projection &p : report.projections) {
        if (p.material || p.etaSeconds)
            projections.append(QJsonDocument::fromJson(QByteArray::fromStdString(analysis::toJson(p))).object());
    }
    const bool due = last.projectionsMs == INT64_MIN || update.tsMs() - last.projectionsMs >= kProjectionIntervalMs;
    if ((!projections.isEmpty() && (due || !last.hadProjections)) || (projections.isEmpty() && last.hadProjections)) {
        last.projectionsMs = update.tsMs();
        last.hadProjections = !projections.isEmpty();
        m_events.push_back({update.tsMs(), QString::fromLatin1(kProjectionsEvent), update.service(),
                            QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("projections"), projections}})
                                                  .toJson(QJsonDocument::Compact))});
    }
}

void Recorder::recordCapture(const ingest::CaptureResultPtr &capture)
{
    if (!capture || !capture->ok())
        return;
    const QString kind = ingest::captureKindName(capture->request.kind);
    const QString key = QStringLiteral("%1|%2|%3").arg(capture->request.service, kind).arg(capture->startedMs);
    QMutexLocker lock(&m_mutex);
    if (m_capturesSeen.contains(key))
        return;
    if (m_pendingBlobBytes + capture->body.size() > kMaxPendingCaptureBytes) {
        ++m_stats.capturesDropped;
        return;
    }
    m_capturesSeen.insert(key);
    m_pendingBlobBytes += capture->body.size();
    m_blobs.push_back({capture->startedMs, kind, capture->request.service,
                       QStringLiteral("%1 of %2").arg(kind, capture->request.service), capture->body});
}

void Recorder::recordEvent(StoredEvent event)
{
    QMutexLocker lock(&m_mutex);
    m_events.push_back(std::move(event));
}

bool Recorder::flush(QString *error)
{
    if (!m_writer)
        return false;
    bool ok = false;
    QString why;
    QMetaObject::invokeMethod(
        m_writer, [&] { ok = m_writer->writeQueued(&why); }, Qt::BlockingQueuedConnection);
    if (error)
        *error = why;
    return ok;
}

void Recorder::saveWindow(qint64 fromMs, qint64 toMs, const QString &target)
{
    if (!m_writer) {
        emit windowSaved(target, tr("not recording: nothing to save"));
        return;
    }
    QMetaObject::invokeMethod(m_writer, [this, fromMs, toMs, target] {
        QString why;
        if (m_writer->writeQueued(&why) || why.isEmpty()) {
            why.clear();
            QDir().mkpath(QFileInfo(target).absolutePath());
            saveRange(m_path, fromMs, toMs, target, &why);
        }
        QMetaObject::invokeMethod(
            this, [this, target, why] { emit windowSaved(target, why); }, Qt::QueuedConnection);
    });
}

Recorder::Stats Recorder::stats() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats;
}

} // namespace gotriage::record
