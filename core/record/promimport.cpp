#include "promimport.h"

#include "common/clock.h"
#include "ingest/requestexecutor.h"
#include "record/recorder.h"
#include "session/sessionhub.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace gotriage::record {

namespace {

constexpr qint64 kFlushEveryMs = 60'000; // the hub hands on a minute of data at a time

} // namespace

PrometheusImport::PrometheusImport(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_queries(ingest::prometheusVitalQueries(m_settings.selector, m_settings.rateWindow))
{ }

PrometheusImport::~PrometheusImport() = default;

void PrometheusImport::start()
{
    const Settings &s = m_settings;
    if (!s.server.isValid()
        || (s.server.scheme() != QLatin1String("http") && s.server.scheme() != QLatin1String("https")) || s.stepMs <= 0
        || s.toMs < s.fromMs) {
        finish(QStringLiteral("%1: a Prometheus server is an http(s) URL, and the window needs a step and its end "
                              "after its start")
                   .arg(s.server.toString()));
        return;
    }
    if (QFileInfo::exists(s.outPath)) {
        finish(QStringLiteral("%1: exists already; not overwriting it").arg(s.outPath));
        return;
    }
    m_recorder = std::make_unique<Recorder>();
    QString error;
    if (!m_recorder->start(s.outPath, &error)) {
        finish(error);
        return;
    }
    m_clock = std::make_unique<common::ReplayClock>(s.fromMs, 1.0);
    m_hub = std::make_unique<session::SessionHub>(m_clock.get());
    m_hub->setAnalysisSettings(s.analysis);
    m_hub->setAdoptUnknownServices(true);
    connect(m_hub.get(), &session::SessionHub::batchReady, this, [this](const session::SessionBatchPtr &batch) {
        m_recorder->record(batch);
        for (const session::ServiceReportPtr &report : batch->reports)
            m_summary.findingChanges += static_cast<qint64>(report->findingChanges.size());
    });
    const qint64 steps = (s.toMs - s.fromMs) / s.stepMs + 1;
    const qint64 pieces = (steps + ingest::kMaxPointsPerQuery - 1) / ingest::kMaxPointsPerQuery;
    m_queriesTotal = static_cast<int>(pieces * static_cast<qint64>(m_queries.size()));
    m_recorder->recordEvent(
        {s.fromMs,
         QString::fromLatin1(kNoteEvent),
         {},
         QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("text"),
                                                      QStringLiteral("Imported from %1 (targets {%2}, step %3 s)")
                                                          .arg(s.server.toString(QUrl::RemoveUserInfo), s.selector)
                                                          .arg(double(s.stepMs) / 1000)},
                                                     {QStringLiteral("author"), QStringLiteral("gotriage import")}})
                               .toJson(QJsonDocument::Compact))});
    m_executor = std::make_unique<ingest::RequestExecutor>();
    m_pieceFromMs = s.fromMs;
    m_query = 0;
    fetchNext();
}

void PrometheusImport::cancel()
{
    m_executor.reset(); // aborts the query in flight; its callback never runs
    finish(QStringLiteral("cancelled"));
}

void PrometheusImport::fetchNext()
{
    const Settings &s = m_settings;
    const qint64 pieceTo = std::min(s.toMs, m_pieceFromMs + (ingest::kMaxPointsPerQuery - 1) * s.stepMs);
    ingest::HttpRequest request;
    request.url = ingest::queryRangeUrl(s.server, m_queries[m_query].promql, m_pieceFromMs, pieceTo, s.stepMs);
    request.origin = s.server;
    request.totalTimeout = std::chrono::milliseconds(s.timeoutMs);
    request.connectTimeout = std::chrono::milliseconds(std::min(s.timeoutMs, 5000));
    request.headersTimeout = std::chrono::milliseconds(s.timeoutMs);
    request.bodyLimit = 512LL * 1024 * 1024;
    // The server answers a bad query with 400 and its reason as JSON: read it.
    m_executor->start(std::move(request), [this](const ingest::FetchResult &result) { onAnswer(result); });
}

void PrometheusImport::onAnswer(const ingest::FetchResult &result)
{
    const ingest::PromVitalQuery &query = m_queries[m_query];
    QString why;
    const std::optional<std::vector<ingest::PromSeries>> series
        = result.ok || result.failure == ingest::FetchFailure::HttpStatus ? ingest::parseQueryRange(result.body, &why)
                                                                          : std::nullopt;
    if (!series || !result.ok) {
        // The server's own reason when it gave one (a bad query: HTTP 400
        // and JSON), else what went wrong on the way.
        const bool explained = result.body.trimmed().startsWith('{') && !why.isEmpty();
        finish(QStringLiteral("%1: %2 (%3): %4")
                   .arg(m_settings.server.toString(QUrl::RemoveUserInfo), query.column, query.promql,
                        explained       ? QStringLiteral("HTTP %1, %2").arg(result.httpStatus).arg(why)
                            : result.ok ? why
                                        : result.error));
        return;
    }
    // The first answer (every target's `up`) tells how many instances each
    // job has, and so how the targets are named.
    if (m_query == 0 && m_instancesOfJob.empty()) {
        for (const ingest::PromSeries &s : *series)
            ++m_instancesOfJob[ingest::promTargetKey(s.labels).section(u'\n', 0, 0)];
    }
    for (const ingest::PromSeries &s : *series)
        serviceOf(s.labels); // a new target becomes a service of the recording
    ingest::addPromAnswer(m_rows, query.column, *series);
    ++m_queriesDone;
    emit progress(m_queriesDone, m_queriesTotal);
    if (++m_query < m_queries.size()) {
        fetchNext();
        return;
    }
    replayPiece();
    m_rows.clear();
    m_query = 0;
    m_pieceFromMs += ingest::kMaxPointsPerQuery * m_settings.stepMs;
    if (m_pieceFromMs > m_settings.toMs) {
        finish({});
        return;
    }
    fetchNext();
}

QString PrometheusImport::serviceOf(const std::map<QString, QString> &labels)
{
    const QString key = ingest::promTargetKey(labels);
    const auto known = m_names.find(key);
    if (known != m_names.end())
        return known->second;
    const QString job = key.section(u'\n', 0, 0);
    const QString instance = key.section(u'\n', 1);
    // A job with one instance is named by the job; a second instance seen
    // later gets job/instance, as the first piece's several did.
    const bool taken
        = std::any_of(m_names.begin(), m_names.end(), [&](const auto &entry) { return entry.second == job; });
    const QString name = m_instancesOfJob[job] > 1 || taken || job.isEmpty()
        ? (job.isEmpty() ? instance : job + u'/' + instance)
        : job;
    m_names.emplace(key, name);
    config::ServiceConfig service;
    service.name = name;
    service.baseUrl = QUrl(QStringLiteral("http://") + instance);
    service.labels = {{QStringLiteral("instance"), instance}, {QStringLiteral("job"), job}};
    std::vector<config::ServiceConfig> all;
    all.push_back(service);
    m_hub->setServices(all, false);
    ++m_summary.services;
    // The recorder keeps every service it was told of, with its config.
    m_services.push_back(service);
    m_recorder->setServices(m_services);
    return name;
}

// This piece's samples through the hub in time order, as a live session
// would have brought them.
void PrometheusImport::replayPiece()
{
    std::vector<std::tuple<qint64, const QString *, const ingest::PromRow *>> order;
    for (const auto &[key, rows] : m_rows) {
        const QString &service = m_names.at(key);
        for (const auto &[t, row] : rows)
            order.emplace_back(t, &service, &row);
    }
    std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) {
        return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b) : *std::get<1>(a) < *std::get<1>(b);
    });
    qint64 flushedAt = order.empty() ? 0 : std::get<0>(order.front());
    for (const auto &[t, service, row] : order) {
        if (t - flushedAt >= kFlushEveryMs) {
            // Written as it goes: the recorder's queue holds minutes of a
            // large fleet, not the hours an import may bring.
            m_hub->flush();
            m_recorder->flush();
            flushedAt = t;
        }
        m_clock->seek(t);
        m_hub->consume(ingest::promUpdate(*service, t, *row, m_health[*service]));
        ++m_summary.samples;
    }
    m_hub->flush();
    m_recorder->flush();
}

void PrometheusImport::finish(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_summary.queries = m_queriesDone;
    QString why = error;
    if (m_recorder) {
        QString flushError;
        if (!m_recorder->flush(&flushError) && why.isEmpty())
            why = flushError;
        m_recorder.reset();
        if (!why.isEmpty()) {
            for (const char *suffix : {"", "-wal", "-shm"})
                QFile::remove(m_settings.outPath + QLatin1String(suffix));
        }
    }
    emit finished(why);
}

} // namespace gotriage::record
