#pragma once

#include "analysis/serviceanalyzer.h"
#include "config/fleetconfig.h"
#include "ingest/profilecapture.h"
#include "session/evidence.h"
#include "session/servicereport.h"

#include <QObject>
#include <QThread>

#include <memory>
#include <vector>

namespace gotriage::common {
class Clock;
}
namespace gotriage::ingest {
class RequestExecutor;
class Source;
} // namespace gotriage::ingest
namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::session {

class EvidenceCollector;
struct EvidencePolicy;
class SessionHub;

// A watching session: one source and the hub it feeds, running together on
// the session's own ingest thread. Created by app/ (live, replay) and handed
// to the window or a CLI command, which only subscribe: batchReady() arrives
// in the thread that created the session, once per hub tick. Every method is
// called from that thread.
class Session : public QObject
{
    Q_OBJECT

public:
    explicit Session(std::unique_ptr<ingest::Source> source, QObject *parent = nullptr);
    ~Session() override; // stops the source and joins the ingest thread

    // The source's clock: what "now" is for everything shown.
    const common::Clock &clock() const { return *m_clock; }
    // Readable from any thread.
    store::SeriesStore &store();
    const store::SeriesStore &store() const;
    // For subscribers that must run on the ingest thread, beside the hub
    // (connect with Qt::DirectConnection).
    SessionHub *hub() const { return m_hub; }

    void setServices(const std::vector<config::ServiceConfig> &services);
    void addService(const config::ServiceConfig &service);
    // Before start(): analysis thresholds (the defaults, or fast ones for tests and demos).
    void setAnalysisSettings(const analysis::AnalysisSettings &settings);
    // Replay: analyse every service the source names, fleet or not.
    void setAdoptUnknownServices(bool adopt);
    // The source begins producing; the hub ticks.
    void start();
    // Reports the GUI is done with, freed on the ingest thread: a round of
    // 2 000 freed at once held the GUI thread for milliseconds.
    void release(std::vector<ServiceReportPtr> reports);
    // A second source that brings only history for the session's services
    // (a Prometheus server that scrapes them, named by the fleet file). It
    // is given the services as they change and its backfills go to the
    // hub; it starts at once. It replaces the one before.
    void setHistorySource(std::unique_ptr<ingest::Source> source);

    // Profiles and dumps, through the source's request executor (live
    // sources only), at most two at once fleet-wide. The ticket names the
    // capture in captureStarted/captureFinished and cancelCapture.
    bool canCapture() const { return m_canCapture; }
    quint64 capture(const ingest::CaptureRequest &request);
    void cancelCapture(quint64 ticket);
    // Evidence captured by itself when a finding is raised (live sources).
    void setEvidencePolicy(const EvidencePolicy &policy);

    // For the layer above (triage's action runner, which must send through
    // the same executor as scraping): an object living in the ingest
    // thread, to run work there with QMetaObject::invokeMethod, and the
    // source's executor, to be used only there (nullptr for a replay).
    QObject *ingestContext() const;
    ingest::RequestExecutor *executorInIngestThread() const;

signals:
    void batchReady(const gotriage::session::SessionBatchPtr &batch);
    // The source has nothing more (a capture played to its end); the last
    // batch has been sent.
    void sourceEnded();
    // The source found its own fleet (a Prometheus server's targets): the
    // services to watch, to be given back through setServices().
    void servicesFound(const std::vector<gotriage::config::ServiceConfig> &services);
    // The source's own trouble (its server unreachable); empty once over.
    void sourceProblem(const QString &message);
    // The history source's trouble (its server unreachable); empty once over.
    void historyProblem(const QString &message);
    void captureStarted(quint64 ticket, qint64 expectedEndMs);
    void captureFinished(quint64 ticket, const gotriage::ingest::CaptureResultPtr &result);
    void evidenceChanged(const gotriage::session::EvidencePtr &evidence);

private:
    void onIngestThread(std::function<void()> work);
    void setUpCapture(); // in the ingest thread

    QThread m_thread;
    ingest::Source *m_source; // lives in m_thread
    ingest::Source *m_history = nullptr; // lives in m_thread
    std::vector<config::ServiceConfig> m_services; // in m_thread: what a history source is given
    SessionHub *m_hub; // lives in m_thread
    const common::Clock *m_clock;
    bool m_canCapture = false;
    quint64 m_nextTicket = 1;
    // In the ingest thread, for live sources:
    ingest::ProfileCapturer *m_capturer = nullptr;
    EvidenceCollector *m_collector = nullptr;
    QHash<quint64, quint64> m_ticketOfCapture; // capturer id → ticket
    QHash<quint64, quint64> m_captureOfTicket;
};

} // namespace gotriage::session
