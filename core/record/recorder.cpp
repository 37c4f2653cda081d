#include "recorder.h"

#include "analysis/findingjson.h"
#include "common/handover.h"
#include "common/logging.h"
#include "common/threadpriority.h"
#include "ingest/updatejson.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <unordered_map>

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

namespace {

// A series as the exposition text names it: `name{label="value",...}`,
// with the label values escaped as the text format escapes them.
void seriesKey(const formats::ParsedMetrics &metrics, const formats::SampleRef &sample, std::string &key)
{
    key.assign(metrics.name(sample));
    const auto labels = metrics.labelsOf(sample);
    if (labels.empty())
        return;
    key += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0)
            key += ',';
        key += metrics.text(labels[i].name);
        key += "=\"";
        for (const char c : metrics.text(labels[i].value)) {
            if (c == '\\' || c == '"')
                key += '\\', key += c;
            else if (c == '\n')
                key += "\\n";
            else
                key += c;
        }
        key += '"';
    }
    key += '}';
}

// A service's open block: whole in memory, and on disk as the tails that
// each commit added (RecordingWriter::kTailSlots), until it is full.
struct OpenBlock {
    qint64 number = -1; // -1: the file not asked yet for where to go on
    qint64 tails = 0;
    BlockBuilder whole, tail;

    explicit OpenBlock(std::size_t columns = 0) : whole(columns), tail(columns) { }
    void append(qint64 tsMs, std::span<const double> row)
    {
        whole.append(tsMs, row);
        tail.append(tsMs, row);
    }
    void addColumn()
    {
        whole.addColumn();
        tail.addColumn();
    }
    qint64 wholeSequence() const { return number * RecordingWriter::kTailSlots; }
    qint64 nextTailSequence() { return wholeSequence() + ++tails; }
    // Every kTailsPerRewrite commits the block so far replaces its tails:
    // a handful of small rows per service at most, and the pages they
    // freed are reused, rather than a block's worth of tails piling up.
    static constexpr qint64 kTailsPerRewrite = 16;
    bool rewriteDue() const { return tails > 0 && tails % kTailsPerRewrite == 0; }
    // The next block, of `columns` series.
    void next(std::size_t columns)
    {
        ++number;
        tails = 0;
        if (columns == whole.columnCount()) { // keeps the memory
            whole.clear();
            tail.clear();
        } else {
            whole = BlockBuilder(columns);
            tail = BlockBuilder(columns);
        }
    }
};

// The open block of a service's raw series: a column per series seen, in
// the order first seen. A series the service stops serving is dropped at
// the next block; one it starts serving gets a column (NaN before it).
struct RawOpen {
    qint64 keysId = 0; // the stored key list of `keys`; 0: not stored yet
    OpenBlock block;
    std::vector<std::string> keys;
    std::unordered_map<std::string, std::size_t> columnOf;
    std::vector<std::size_t> columnAt; // the column of the payload's i-th sample, last time
    std::vector<bool> served; // in this block
    std::vector<double> row;
    std::string key;

    std::size_t append(qint64 tsMs, const formats::ParsedMetrics &metrics)
    {
        row.assign(keys.size(), vitals::kUnknown);
        columnAt.resize(metrics.samples.size(), SIZE_MAX);
        for (std::size_t i = 0; i < metrics.samples.size(); ++i) {
            const formats::SampleRef &sample = metrics.samples[i];
            seriesKey(metrics, sample, key);
            // A payload lists its series in the same order scrape after
            // scrape: the last position is checked before the map.
            std::size_t column = columnAt[i];
            if (column >= keys.size() || keys[column] != key) {
                const auto [it, added] = columnOf.try_emplace(key, keys.size());
                if (added) {
                    keys.push_back(key);
                    block.addColumn();
                    served.push_back(false);
                    row.push_back(vitals::kUnknown);
                    keysId = 0;
                }
                column = it->second;
                columnAt[i] = column;
            }
            row[column] = sample.value;
            served[column] = true;
        }
        block.append(tsMs, row);
        return metrics.samples.size();
    }

    // The next block keeps the series served in this one.
    void nextBlock()
    {
        std::vector<std::string> kept;
        for (std::size_t c = 0; c < keys.size(); ++c) {
            if (served[c])
                kept.push_back(std::move(keys[c]));
        }
        if (kept.size() != keys.size())
            keysId = 0;
        keys = std::move(kept);
        columnOf.clear();
        for (std::size_t c = 0; c < keys.size(); ++c)
            columnOf.emplace(keys[c], c);
        columnAt.clear();
        served.assign(keys.size(), false);
        block.next(keys.size());
    }
};

} // namespace

// In the writer's thread: the open blocks of each service.
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
            const std::lock_guard lock(m_owner->m_mutex);
            samples.swap(m_owner->m_samples);
            m_owner->m_pendingRawValues = 0;
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
        if (servicesChanged)
            m_file.sizePageCache(services.size());
        bool ok = m_file.begin(&why);
        if (ok && servicesChanged) {
            const QStringList columns = recordedColumns();
            for (const config::ServiceConfig &s : services)
                ok = ok && m_file.putService(s.name, configJson(s), columns, &why);
        }
        quint64 rawValues = 0;
        for (const Pending &p : samples) {
            Open &open = m_open.try_emplace(p.service, vitals::kVitalCount + 2).first->second;
            // Time order per service; a sample from the past is not a sample of this block.
            if (open.whole.sampleCount() > 0 && p.sample.tsMs <= open.whole.lastMs())
                continue;
            if (open.number < 0)
                open.number = m_file.nextBlockNumber(p.service, false);
            std::array<double, vitals::kVitalCount + 2> row;
            std::copy(p.sample.values.begin(), p.sample.values.end(), row.begin());
            row[vitals::kVitalCount] = p.up ? 1.0 : 0.0;
            row[vitals::kVitalCount + 1] = static_cast<double>(p.durationMs);
            open.append(p.sample.tsMs, row);
            if (open.whole.sampleCount() >= Recorder::kBlockSamples) {
                ok = ok && m_file.putBlock(p.service, open.wholeSequence(), open.whole, &why)
                    && m_file.dropTails(p.service, open.number, false, &why);
                open.next(vitals::kVitalCount + 2);
            }
            if (p.metrics) {
                RawOpen &raw = m_raw[p.service];
                if (raw.block.number < 0)
                    raw.block.number = m_file.nextBlockNumber(p.service, true);
                rawValues += raw.append(p.sample.tsMs, *p.metrics);
                if (raw.block.whole.sampleCount() >= Recorder::kRawBlockSamples) {
                    ok = ok && storeRawKeys(p.service, raw, &why)
                        && m_file.putRawBlock(p.service, raw.block.wholeSequence(), raw.keysId, raw.block.whole, &why)
                        && m_file.dropTails(p.service, raw.block.number, true, &why);
                    raw.nextBlock();
                }
            }
        }
        // What each open block gained since the last commit, as a tail (or
        // now and then the block so far, in place of its tails).
        for (auto &[service, open] : m_open) {
            if (open.tail.sampleCount() == 0)
                continue;
            if (open.rewriteDue()) {
                ok = ok && m_file.putBlock(service, open.wholeSequence(), open.whole, &why)
                    && m_file.dropTails(service, open.number, false, &why);
                ++open.tails;
            } else {
                ok = ok && m_file.putBlock(service, open.nextTailSequence(), open.tail, &why);
            }
            open.tail.clear();
        }
        for (auto &[service, raw] : m_raw) {
            OpenBlock &open = raw.block;
            if (open.tail.sampleCount() == 0)
                continue;
            ok = ok && storeRawKeys(service, raw, &why);
            if (open.rewriteDue()) {
                ok = ok && m_file.putRawBlock(service, open.wholeSequence(), raw.keysId, open.whole, &why)
                    && m_file.dropTails(service, open.number, true, &why);
                ++open.tails;
            } else {
                ok = ok && m_file.putRawBlock(service, open.nextTailSequence(), raw.keysId, open.tail, &why);
            }
            open.tail.clear();
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
        const std::lock_guard lock(m_owner->m_mutex);
        if (ok) {
            m_owner->m_stats.capturesWritten += blobs.size();
            m_owner->m_stats.samplesWritten += samples.size();
            m_owner->m_stats.rawValuesWritten += rawValues;
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
    using Open = OpenBlock;
    bool storeRawKeys(const QString &service, RawOpen &raw, QString *why)
    {
        if (raw.keysId == 0)
            raw.keysId = m_file.putRawKeys(service, raw.keys, why);
        return raw.keysId != 0;
    }
    Recorder *m_owner;
    RecordingWriter m_file;
    QTimer *m_timer = nullptr;
    std::map<QString, Open> m_open;
    std::map<QString, RawOpen> m_raw;
    qint64 m_lastPruneMs = 0;
    bool m_opened = false;
};

Recorder::Recorder(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("gotriage-recorder"));
    common::runBehindStarter(m_thread);
}

Recorder::~Recorder()
{
    if (m_writer) {
        common::runIn(m_writer, [writer = m_writer] {
            writer->writeQueued(nullptr);
            delete writer;
        });
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
    common::postTo(m_writer, [this, path] {
        QString why;
        if (!m_writer->open(path, &why)) {
            const std::lock_guard lock(m_mutex);
            m_stats.lastError = why;
        }
        common::postTo(this, [this, why] { emit started(why); });
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
    common::runIn(m_writer, [&] { ok = m_writer->open(path, &why); });
    if (!ok) {
        common::runIn(m_writer, [writer = m_writer] { delete writer; });
        m_writer = nullptr;
        if (error)
            *error = why;
    }
    return ok;
}

void Recorder::setServices(const std::vector<config::ServiceConfig> &services)
{
    const std::lock_guard lock(m_mutex);
    m_services = services;
    m_servicesChanged = true;
    // A fleet that churns (pods replaced at every deploy) must not keep the
    // last state of every service it ever had; one that comes back has its
    // state recorded afresh.
    QSet<QString> watched;
    for (const config::ServiceConfig &service : services)
        watched.insert(service.name);
    m_lastState.removeIf([&watched](const auto &entry) { return !watched.contains(entry.key()); });
}

void Recorder::record(const session::SessionBatchPtr &batch)
{
    const std::lock_guard lock(m_mutex);
    for (const session::ServiceReportPtr &report : batch->reports) {
        if (m_samples.size() >= kQueueLimit) {
            ++m_stats.samplesDropped;
            continue;
        }
        ++m_stats.samplesQueued;
        Pending pending{report->service(), report->vitals, report->scrape->up, report->scrape->durationMs, {}};
        if (const auto &metrics = report->scrape->metrics) {
            if (m_pendingRawValues + metrics->samples.size() <= kRawQueueLimit) {
                m_pendingRawValues += metrics->samples.size();
                m_stats.rawValuesQueued += metrics->samples.size();
                pending.metrics = metrics;
            } else {
                ++m_stats.rawScrapesDropped;
            }
        }
        m_samples.push_back(std::move(pending));
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
    const ingest::ScrapeResult &scrape = *update.scrape;
    if (ScrapeState state{scrape.up, scrape.error, update.runtime, scrape.problems};
        state != last.scrape || update.restarted) {
        last.scrape = std::move(state);
        m_events.push_back({update.tsMs(), QString::fromLatin1(kScrapeEvent), update.service(),
                            QString::fromStdString(ingest::toJsonLine(update))});
    }
    // Only a trend that matters is worth its bytes: a material rise or a
    // time to a limit; and an empty list once, when the last one goes.
    const auto matters = [](const analysis::Projection &p) { return p.material || p.etaSeconds; };
    const bool any = std::any_of(report.projections.begin(), report.projections.end(), matters);
    const bool due = last.projectionsMs == INT64_MIN || update.tsMs() - last.projectionsMs >= kProjectionIntervalMs;
    if (!((any && (due || !last.hadProjections)) || (!any && last.hadProjections)))
        return;
    QJsonArray projections;
    for (const analysis::Projection &p : report.projections) {
        if (matters(p))
            projections.append(QJsonDocument::fromJson(QByteArray::fromStdString(analysis::toJson(p))).object());
    }
    last.projectionsMs = update.tsMs();
    last.hadProjections = any;
    m_events.push_back(
        {update.tsMs(), QString::fromLatin1(kProjectionsEvent), update.service(),
         QString::fromUtf8(
             QJsonDocument(QJsonObject{{QStringLiteral("projections"), projections}}).toJson(QJsonDocument::Compact))});
}

void Recorder::recordCapture(const ingest::CaptureResultPtr &capture)
{
    if (!capture || !capture->ok())
        return;
    const QString kind = ingest::captureKindName(capture->request.kind);
    const QString key = QStringLiteral("%1|%2|%3").arg(capture->request.service, kind).arg(capture->startedMs);
    const std::lock_guard lock(m_mutex);
    if (m_capturesSeen.count(key) > 0)
        return;
    if (m_pendingBlobBytes + capture->body.size() > kMaxPendingCaptureBytes) {
        ++m_stats.capturesDropped;
        return;
    }
    // What was seen an hour before this capture cannot come again (evidence
    // is handed over as it is taken): the set stays small over a long session.
    if (m_capturesSeen.size() > 1024) {
        for (auto it = m_capturesSeen.begin(); it != m_capturesSeen.end();)
            it = it->second < capture->startedMs - 3'600'000 ? m_capturesSeen.erase(it) : std::next(it);
    }
    m_capturesSeen.emplace(key, capture->startedMs);
    m_pendingBlobBytes += capture->body.size();
    m_blobs.push_back({capture->startedMs, kind, capture->request.service,
                       QStringLiteral("%1 of %2").arg(kind, capture->request.service), capture->body});
}

void Recorder::recordEvent(StoredEvent event)
{
    const std::lock_guard lock(m_mutex);
    m_events.push_back(std::move(event));
}

bool Recorder::flush(QString *error)
{
    if (!m_writer)
        return false;
    bool ok = false;
    QString why;
    common::runIn(m_writer, [&] { ok = m_writer->writeQueued(&why); });
    if (error)
        *error = why;
    return ok;
}

void Recorder::saveWindow(qint64 fromMs, qint64 toMs, const QString &target, std::shared_ptr<std::atomic<bool>> cancel)
{
    if (!m_writer) {
        emit windowSaved(target, tr("not recording: nothing to save"));
        return;
    }
    common::postTo(m_writer, [this, fromMs, toMs, target, cancel] {
        QString why;
        if (m_writer->writeQueued(&why) || why.isEmpty()) {
            why.clear();
            QDir().mkpath(QFileInfo(target).absolutePath());
            saveRange(m_path, fromMs, toMs, target, &why, cancel.get());
        }
        common::postTo(this, [this, target, why] { emit windowSaved(target, why); });
    });
}

Recorder::Stats Recorder::stats() const
{
    const std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace gotriage::record
