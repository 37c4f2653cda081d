#include "fleetwatcher.h"

#include "common/clock.h"
#include "store/seriesstore.h"

#include "ingest/requestexecutor.h"

#include <map>

namespace gotriage::ingest {

namespace {

// Whether two configs scrape the same way; the rest (limits, tier, labels)
// is applied to the running poller without starting it over.
bool sameSettings(const config::ServiceConfig &a, const config::ServiceConfig &b)
{
    return a.baseUrl == b.baseUrl && a.interval == b.interval && a.varsIntervalSetting == b.varsIntervalSetting
        && a.paths.metrics == b.paths.metrics && a.paths.vars == b.paths.vars && a.paths.pprof == b.paths.pprof
        && a.timeout == b.timeout && a.connectTimeout == b.connectTimeout && a.bodyLimit == b.bodyLimit
        && a.requestCounter == b.requestCounter && a.latencyHistogram == b.latencyHistogram
        && a.tls.caFile == b.tls.caFile && a.tls.certFile == b.tls.certFile && a.tls.keyFile == b.tls.keyFile
        && a.tls.serverName == b.tls.serverName && a.tls.insecureSkipVerify == b.tls.insecureSkipVerify
        && a.auth.kind == b.auth.kind && a.auth.credentialsFile == b.auth.credentialsFile
        && a.auth.credentialsEnv == b.auth.credentialsEnv && a.auth.username == b.auth.username
        && a.auth.passwordFile == b.auth.passwordFile;
}

} // namespace

// Owns the request executor and the pollers; every method runs in the ingest thread.
class IngestWorker : public QObject
{
public:
    IngestWorker(FleetWatcher *watcher, store::SeriesStore *store, const common::Clock *clock)
        : m_watcher(watcher), m_store(store), m_clock(clock)
    { }

    void setServices(const std::vector<config::ServiceConfig> &services, bool replace)
    {
        if (!m_executor)
            m_executor = new RequestExecutor(this);
        std::map<QString, ServicePoller *> keep;
        std::vector<QString> names;
        for (const config::ServiceConfig &service : services) {
            names.push_back(service.name);
            const auto it = m_pollers.find(service.name);
            if (it != m_pollers.end() && sameSettings(it->second->service(), service)) {
                it->second->updateService(service); // limits, tier, labels reach the analysis
                keep[service.name] = it->second;
                m_pollers.erase(it);
                continue;
            }
            auto *poller = new ServicePoller(service, m_executor, m_store, this, m_analysis, m_clock);
            QObject::connect(poller, &ServicePoller::reportAvailable, m_watcher, &FleetWatcher::reportAvailable,
                             Qt::QueuedConnection);
            poller->start();
            keep[service.name] = poller;
        }
        if (replace) {
            for (auto &[name, poller] : m_pollers)
                delete poller; // aborts its fetch in flight
            m_pollers = std::move(keep);
            m_store->retain(names);
        } else {
            for (auto &[name, poller] : keep) {
                if (auto it = m_pollers.find(name); it != m_pollers.end())
                    delete it->second;
                m_pollers[name] = poller;
            }
        }
    }

    void stop()
    {
        for (auto &[name, poller] : m_pollers)
            delete poller;
        m_pollers.clear();
        delete m_executor;
        m_executor = nullptr;
    }

    analysis::AnalysisSettings m_analysis;

private:
    FleetWatcher *m_watcher;
    store::SeriesStore *m_store;
    const common::Clock *m_clock;
    RequestExecutor *m_executor = nullptr;
    std::map<QString, ServicePoller *> m_pollers;
};

FleetWatcher::FleetWatcher(QObject *parent, const common::Clock *clock)
    : QObject(parent)
    , m_clock(clock ? clock : &common::LiveClock::instance())
    , m_store(std::make_unique<store::SeriesStore>())
{
    qRegisterMetaType<ScrapeReportPtr>();
    m_thread.setObjectName(QStringLiteral("gotriage-ingest"));
    m_worker = new IngestWorker(this, m_store.get(), m_clock);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

FleetWatcher::~FleetWatcher()
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->stop(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void FleetWatcher::setServices(const std::vector<config::ServiceConfig> &services)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, services] { worker->setServices(services, true); }, Qt::QueuedConnection);
}

void FleetWatcher::setAnalysisSettings(const analysis::AnalysisSettings &settings)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, settings] { worker->m_analysis = settings; }, Qt::QueuedConnection);
}

void FleetWatcher::addService(const config::ServiceConfig &service)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, service] { worker->setServices({service}, false); }, Qt::QueuedConnection);
}

} // namespace gotriage::ingest
