#pragma once

#include "analysis/serviceanalyzer.h"
#include "config/fleetconfig.h"
#include "ingest/httprequest.h"
#include "ingest/promql.h"
#include "ingest/promvitals.h"
#include "scraping/servicehealth.h"

#include <QObject>
#include <QUrl>

#include <map>
#include <memory>

namespace gotriage::common {
class ReplayClock;
}
namespace gotriage::ingest {
class RequestExecutor;
}
namespace gotriage::session {
class SessionHub;
}

namespace gotriage::record {

class Recorder;

// Imports a past window from a Prometheus-compatible server into a new
// recording, so that an incident gotriage did not watch can be replayed,
// analysed and reported like one it did. Each vital is one query_range for
// every target (ingest/promql.h), asked one at a time (the server is busy
// too), in pieces of at most kMaxPointsPerQuery steps. The samples go
// through the same hub and analysis as live ones, at full speed, so the
// recording holds findings and projections as gotriage would have drawn
// them, and a note saying where the data came from.
//
// A target is named by its job, or job/instance when a job has several.
// Runs in the thread that calls start(); finished() comes once.
class PrometheusImport : public QObject
{
    Q_OBJECT

public:
    struct Settings {
        QUrl server; // http://prometheus:9090 (a path prefix is kept)
        qint64 fromMs = 0;
        qint64 toMs = 0;
        qint64 stepMs = 15'000; // the server's scrape interval is the useful floor
        QString selector; // PromQL matchers without braces; empty: every target
        QString rateWindow = QStringLiteral("1m");
        QString outPath; // must not exist
        analysis::AnalysisSettings analysis;
        int timeoutMs = 60'000; // per query
    };
    struct Summary {
        int services = 0;
        qint64 samples = 0; // a service's vitals at one step
        qint64 findingChanges = 0;
        int queries = 0;
    };

    explicit PrometheusImport(Settings settings, QObject *parent = nullptr);
    ~PrometheusImport() override;

    void start();
    // Stops at once: what was asked is dropped, the partial file removed,
    // and finished() says it was cancelled. Call in the import's thread.
    void cancel();
    const Summary &summary() const { return m_summary; }

signals:
    void progress(int queriesDone, int queriesTotal);
    // Empty: the recording is written. Otherwise what failed, naming the
    // server, the query and why; a partial file is removed.
    void finished(const QString &error);

private:
    void fetchNext();
    void onAnswer(const ingest::FetchResult &result);
    void replayPiece();
    QString serviceOf(const std::map<QString, QString> &labels);
    void finish(const QString &error);

    Settings m_settings;
    std::vector<ingest::PromVitalQuery> m_queries;
    std::unique_ptr<ingest::RequestExecutor> m_executor;
    std::unique_ptr<Recorder> m_recorder;
    std::unique_ptr<common::ReplayClock> m_clock;
    std::unique_ptr<session::SessionHub> m_hub;
    qint64 m_pieceFromMs = 0;
    std::size_t m_query = 0;
    int m_queriesDone = 0;
    int m_queriesTotal = 0;
    ingest::PromRows m_rows; // this piece's answers
    std::map<QString, QString> m_names; // "job\ninstance" → service name
    std::map<QString, int> m_instancesOfJob;
    std::vector<config::ServiceConfig> m_services;
    std::map<QString, scraping::ServiceHealth> m_health; // kept as the poller keeps it

    Summary m_summary;
    bool m_done = false;
};

} // namespace gotriage::record
