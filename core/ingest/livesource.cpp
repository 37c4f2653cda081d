#include "livesource.h"

#include "common/clock.h"
#include "common/logging.h"
#include "ingest/localprocess.h"
#include "ingest/requestexecutor.h"
#include "ingest/requestsettings.h"
#include "ingest/servicepoller.h"
#include "signals/vitalsderiver.h"

namespace gotriage::ingest {

namespace {

// Whether two configs scrape the same way; the rest (limits, tier, labels)
// goes to the running poller and, downstream, to the analysis.
bool sameScrapeSettings(const config::ServiceConfig &a, const config::ServiceConfig &b)
{
    return a.baseUrl == b.baseUrl && a.interval == b.interval && a.varsIntervalSetting == b.varsIntervalSetting
        && a.paths.metrics == b.paths.metrics && a.paths.vars == b.paths.vars && a.paths.pprof == b.paths.pprof
        && a.timeout == b.timeout && a.connectTimeout == b.connectTimeout && a.bodyLimit == b.bodyLimit
        && a.sampleLimit == b.sampleLimit && a.labelValueLengthLimit == b.labelValueLengthLimit
        && a.requestCounter == b.requestCounter && a.latencyHistogram == b.latencyHistogram
        && a.tls.caFile == b.tls.caFile && a.tls.certFile == b.tls.certFile && a.tls.keyFile == b.tls.keyFile
        && a.tls.serverName == b.tls.serverName && a.tls.insecureSkipVerify == b.tls.insecureSkipVerify
        && a.auth.kind == b.auth.kind && a.auth.credentialsFile == b.auth.credentialsFile
        && a.auth.credentialsEnv == b.auth.credentialsEnv && a.auth.username == b.auth.username
        && a.auth.passwordFile == b.auth.passwordFile && a.auth.credentialsKeychain == b.auth.credentialsKeychain
        && a.auth.passwordKeychain == b.auth.passwordKeychain && a.allowLinkLocal == b.allowLinkLocal;
}

} // namespace

struct LiveSource::Watched {
    std::unique_ptr<ServicePoller> poller;
    vitals::VitalsDeriver deriver;
    vitals::RuntimeInfo runtime;
    qint64 runtimeReadMs = 0;
    std::optional<LocalCpuProbe> cpu; // the user/system split, for a process on this host
};

LiveSource::LiveSource(const common::Clock *clock, QObject *parent)
    : Source(parent)
    , m_clock(clock ? clock : &common::LiveClock::instance())
    , m_processes(std::make_unique<LocalProcessTable>())
{
    qRegisterMetaType<ScrapeResultPtr>();
    qRegisterMetaType<ServiceHealth>();
}

LiveSource::~LiveSource()
{
    m_watched.clear(); // pollers abort their fetches before the executor goes
    delete m_executor;
}

RequestExecutor *LiveSource::executor()
{
    if (!m_executor)
        m_executor = new RequestExecutor();
    return m_executor;
}

void LiveSource::setServices(const std::vector<config::ServiceConfig> &services, bool replace)
{
    std::map<QString, std::unique_ptr<Watched>> next;
    std::vector<ServicePoller *> added;
    for (const config::ServiceConfig &service : services) {
        auto it = m_watched.find(service.name);
        if (it != m_watched.end() && sameScrapeSettings(it->second->poller->service(), service)) {
            it->second->poller->updateService(service);
            next[service.name] = std::move(it->second);
            m_watched.erase(it);
            continue;
        }
        // Resolved once (it reads the files the settings name), here on the
        // ingest thread, and kept by the executor for everything that talks
        // to this service: scrapes now, captures and actions later.
        executor()->setServiceSettings(service.name,
                                       std::make_shared<const RequestSettings>(resolveRequestSettings(service)));
        auto watched = std::make_unique<Watched>();
        watched->deriver
            = vitals::VitalsDeriver({service.requestCounter, service.latencyHistogram, service.paths.metrics});
        watched->poller = std::make_unique<ServicePoller>(service, executor(), nullptr, m_clock);
        watched->cpu.emplace(service.baseUrl);
        Watched *raw = watched.get();
        connect(watched->poller.get(), &ServicePoller::scraped, this,
                [this, raw](const ScrapeResultPtr &scrape, const ServiceHealth &health) {
                    onScraped(*raw, scrape, health);
                });
        added.push_back(watched->poller.get());
        next[service.name] = std::move(watched);
    }
    if (m_started) {
        const auto firstRound = ServicePoller::firstRoundWindow(added.size());
        for (ServicePoller *poller : added)
            poller->start(firstRound);
    }
    if (replace) {
        for (const auto &[name, watched] : m_watched) {
            if (!next.count(name))
                executor()->forgetService(name);
        }
        m_watched = std::move(next); // the rest are deleted, aborting their fetches
    } else {
        for (auto &[name, watched] : next)
            m_watched[name] = std::move(watched);
    }
    qCDebug(lcIngest) << "watching" << m_watched.size() << "services live";
}

void LiveSource::start()
{
    m_started = true;
    const auto firstRound = ServicePoller::firstRoundWindow(m_watched.size());
    for (auto &[name, watched] : m_watched)
        watched->poller->start(firstRound);
}

void LiveSource::onScraped(Watched &watched, const ScrapeResultPtr &scrape, const ServiceHealth &health)
{
    SourceUpdate update;
    update.vitals = watched.deriver.derive(*scrape);
    update.restarted = watched.deriver.sawProcessRestart();
    if (update.restarted)
        watched.runtimeReadMs = 0; // settings may have changed with the restart
    if (scrape->metrics && (watched.runtimeReadMs == 0 || scrape->tsMs - watched.runtimeReadMs >= kRuntimeReadMs)) {
        watched.runtimeReadMs = scrape->tsMs;
        vitals::readRuntimeInfo(*scrape->metrics, watched.runtime);
    }
    update.runtime = watched.runtime;
    update.sources = watched.deriver.sources();
    if (scrape->up) {
        const LocalCpuProbe::Reading split = watched.cpu->read(*m_processes, scrape->tsMs);
        update.vitals[vitals::Vital::CpuUser] = split.userCores;
        update.vitals[vitals::Vital::CpuSystem] = split.systemCores;
        update.sources.cpuSplit = split.source;
        update.sources.cpuSplitAvailable = split.available || split.source.startsWith(QLatin1String("/proc/"));
    }
    update.health = health;
    update.scrape = scrape;
    deliver(std::move(update));
}

} // namespace gotriage::ingest
