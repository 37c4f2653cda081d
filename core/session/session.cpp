#include "session.h"

#include "common/handover.h"
#include "common/logging.h"
#include "common/threadexit.h"
#include "common/threadpriority.h"
#include "ingest/source.h"
#include "session/evidencecollector.h"
#include "session/sessionhub.h"
#include "store/seriesstore.h"

#include <algorithm>

namespace gotriage::session {

Session::Session(std::unique_ptr<ingest::Source> source, QObject *parent)
    : QObject(parent)
    , m_source(source.release())
    , m_hub(new SessionHub(&m_source->clock()))
    , m_clock(&m_source->clock())
    , m_canCapture(m_source->canCapture())
{
    qRegisterMetaType<SessionBatchPtr>();
    qRegisterMetaType<ingest::CaptureResultPtr>();
    qRegisterMetaType<EvidencePtr>();
    m_thread.setObjectName(QStringLiteral("gotriage-ingest"));
    common::releaseTlsStateWhenFinished(m_thread);
    common::runBehindStarter(m_thread);
    m_source->setSink(m_hub);
    m_source->moveToThread(&m_thread);
    m_hub->moveToThread(&m_thread);
    // One queued event per tick reaches this thread, whatever the fleet's size.
    connect(
        m_hub, &SessionHub::batchReady, this,
        [this](const SessionBatchPtr &batch) {
            common::postTo(this, [this, batch]() mutable {
                emit batchReady(batch);
                // Its reports are freed on the ingest thread (see release()).
                auto held = std::make_shared<SessionBatchPtr>(std::move(batch));
                onIngestThread([held] { held->reset(); });
            });
        },
        Qt::DirectConnection);
    connect(
        m_source, &ingest::Source::ended, m_hub,
        [this] {
            m_hub->flush(); // the last batch goes before the news that there is no more
            common::postTo(this, [this] { emit sourceEnded(); });
        },
        Qt::DirectConnection);
    connect(
        m_source, &ingest::Source::servicesFound, this,
        [this](const std::vector<config::ServiceConfig> &services) {
            common::postTo(this, [this, services] { emit servicesFound(services); });
        },
        Qt::DirectConnection);
    connect(
        m_source, &ingest::Source::problem, this,
        [this](const QString &message) { common::postTo(this, [this, message] { emit sourceProblem(message); }); },
        Qt::DirectConnection);
    m_thread.start();
    if (m_canCapture)
        onIngestThread([this] { setUpCapture(); });
}

void Session::setUpCapture()
{
    m_capturer = new ingest::ProfileCapturer(m_source->executor(), m_clock);
    m_collector = new EvidenceCollector(m_capturer, m_clock);
    connect(m_hub, &SessionHub::batchReady, m_collector, &EvidenceCollector::onBatch, Qt::DirectConnection);
    connect(
        m_collector, &EvidenceCollector::evidenceChanged, this,
        [this](const EvidencePtr &evidence) {
            common::postTo(this, [this, evidence] { emit evidenceChanged(evidence); });
        },
        Qt::DirectConnection);
    // Captures the operator asked for are named by their tickets; the
    // collector's own are not passed on.
    connect(
        m_capturer, &ingest::ProfileCapturer::started, this,
        [this](quint64 id, qint64 expectedEndMs) {
            if (const quint64 ticket = m_ticketOfCapture.value(id))
                common::postTo(this, [this, ticket, expectedEndMs] { emit captureStarted(ticket, expectedEndMs); });
        },
        Qt::DirectConnection);
    connect(
        m_capturer, &ingest::ProfileCapturer::finished, this,
        [this](quint64 id, const ingest::CaptureResultPtr &result) {
            const quint64 ticket = m_ticketOfCapture.take(id);
            if (!ticket)
                return;
            m_captureOfTicket.remove(ticket);
            common::postTo(this, [this, ticket, result] { emit captureFinished(ticket, result); });
        },
        Qt::DirectConnection);
}

quint64 Session::capture(const ingest::CaptureRequest &request)
{
    const quint64 ticket = m_nextTicket++;
    if (!m_canCapture) {
        auto result = std::make_shared<ingest::CaptureResult>();
        result->request = request;
        result->error = QStringLiteral("a replay cannot capture: the service is not being watched live");
        common::postTo(this, [this, ticket, result] { emit captureFinished(ticket, result); });
        return ticket;
    }
    onIngestThread([this, ticket, request] {
        const quint64 id = m_capturer->capture(request);
        m_ticketOfCapture.insert(id, ticket);
        m_captureOfTicket.insert(ticket, id);
    });
    return ticket;
}

void Session::cancelCapture(quint64 ticket)
{
    onIngestThread([this, ticket] {
        if (const quint64 id = m_captureOfTicket.value(ticket))
            m_capturer->cancel(id);
    });
}

void Session::setEvidencePolicy(const EvidencePolicy &policy)
{
    onIngestThread([this, policy] {
        if (m_collector)
            m_collector->setPolicy(policy);
    });
}

QObject *Session::ingestContext() const
{
    return m_hub;
}

ingest::RequestExecutor *Session::executorInIngestThread() const
{
    Q_ASSERT(QThread::currentThread() == &m_thread);
    return m_source->executor();
}

Session::~Session()
{
    // The source and the hub are deleted in their thread: pollers abort their
    // fetches there, and the request executor closes its sockets there.
    common::runIn(m_hub, [this, source = m_source, hub = m_hub] {
        delete m_collector; // before the capturer it listens to
        delete m_capturer; // aborts its fetches before the executor goes with the source
        delete m_history;
        delete source;
        delete hub;
    });
    m_thread.quit();
    m_thread.wait();
}

store::SeriesStore &Session::store()
{
    return m_hub->store();
}

const store::SeriesStore &Session::store() const
{
    return m_hub->store();
}

void Session::release(std::vector<ServiceReportPtr> reports)
{
    if (reports.empty())
        return;
    // Held in one shared box, so that whichever copy of the work runs
    // empties it there, on the ingest thread.
    auto held = std::make_shared<std::vector<ServiceReportPtr>>(std::move(reports));
    onIngestThread([held] { held->clear(); });
}

void Session::onIngestThread(std::function<void()> work)
{
    common::postTo(m_hub, std::move(work));
}

void Session::setServices(const std::vector<config::ServiceConfig> &services)
{
    onIngestThread([this, services] {
        m_services = services;
        m_hub->setServices(services, true);
        m_source->setServices(services, true);
        if (m_history)
            m_history->setServices(services, true);
        if (m_collector)
            m_collector->setServices(services, true);
    });
}

void Session::addService(const config::ServiceConfig &service)
{
    onIngestThread([this, service] {
        const auto same = std::find_if(m_services.begin(), m_services.end(),
                                       [&service](const config::ServiceConfig &s) { return s.name == service.name; });
        if (same != m_services.end())
            *same = service;
        else
            m_services.push_back(service);
        m_hub->setServices({service}, false);
        m_source->setServices({service}, false);
        if (m_history)
            m_history->setServices({service}, false);
        if (m_collector)
            m_collector->setServices({service}, false);
    });
}

void Session::setAnalysisSettings(const analysis::AnalysisSettings &settings)
{
    onIngestThread([hub = m_hub, settings] { hub->setAnalysisSettings(settings); });
}

void Session::setAdoptUnknownServices(bool adopt)
{
    onIngestThread([hub = m_hub, adopt] { hub->setAdoptUnknownServices(adopt); });
}

void Session::setHistorySource(std::unique_ptr<ingest::Source> source)
{
    ingest::Source *history = source.release();
    history->setSink(m_hub);
    history->moveToThread(&m_thread);
    connect(
        history, &ingest::Source::problem, this,
        [this](const QString &message) { common::postTo(this, [this, message] { emit historyProblem(message); }); },
        Qt::DirectConnection);
    onIngestThread([this, history] {
        delete m_history; // the one before: its fetches are aborted
        m_history = history;
        m_history->setServices(m_services, true);
        m_history->start();
    });
}

void Session::start()
{
    onIngestThread([hub = m_hub, source = m_source] {
        hub->startTicking();
        source->start();
        qCDebug(lcSession) << "session started";
    });
}

} // namespace gotriage::session
