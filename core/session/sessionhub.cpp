#include "sessionhub.h"

#include "common/clock.h"
#include "common/logging.h"
#include "session/servicepipeline.h"
#include "store/seriesstore.h"

#include <QElapsedTimer>

#include <utility>

namespace gotriage::session {

SessionHub::SessionHub(const common::Clock *clock, QObject *parent)
    : QObject(parent), m_clock(clock), m_store(std::make_unique<store::SeriesStore>())
{
    qRegisterMetaType<SessionBatchPtr>();
    m_tick.setParent(this); // moves with the hub to the ingest thread
    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, &SessionHub::flush);
    m_building.setParent(this);
    m_building.setInterval(0);
    connect(&m_building, &QTimer::timeout, this, &SessionHub::buildSlice);
}

SessionHub::~SessionHub() = default;

void SessionHub::setServices(const std::vector<config::ServiceConfig> &services, bool replace)
{
    QElapsedTimer taking; // for the debug log
    taking.start();
    std::map<QString, std::unique_ptr<ServicePipeline>> built;
    std::map<QString, config::ServiceConfig> unbuilt;
    std::vector<QString> names;
    names.reserve(services.size());
    for (const config::ServiceConfig &service : services) {
        names.push_back(service.name);
        auto it = m_pipelines.find(service.name);
        if (it != m_pipelines.end()) {
            it->second->setService(service); // limits, tier, labels reach the analysis
            built[service.name] = std::move(it->second);
            m_pipelines.erase(it);
        } else {
            unbuilt[service.name] = service;
        }
    }
    if (replace) {
        m_pipelines = std::move(built);
        m_unbuilt = std::move(unbuilt);
        m_store->retain(names);
    } else {
        for (auto &[name, pipeline] : built)
            m_pipelines[name] = std::move(pipeline);
        for (auto &[name, service] : unbuilt)
            m_unbuilt[name] = std::move(service);
    }
    if (!m_unbuilt.empty())
        m_building.start();
    qCDebug(lcSession) << "took" << services.size() << "services in" << taking.elapsed() << "ms;" << m_unbuilt.size()
                       << "analyses to build";
}

ServicePipeline *SessionHub::pipelineFor(const QString &name)
{
    auto it = m_pipelines.find(name);
    if (it != m_pipelines.end())
        return it->second.get();
    if (auto unbuilt = m_unbuilt.find(name); unbuilt != m_unbuilt.end())
        return build(unbuilt);
    if (!m_adoptUnknown) {
        // A scrape that was in flight when its service was removed.
        ++m_dropped;
        qCDebug(lcSession) << "dropped an update of" << name << "(not watched)";
        return nullptr;
    }
    config::ServiceConfig service;
    service.name = name;
    return m_pipelines.emplace(name, std::make_unique<ServicePipeline>(service, m_settings)).first->second.get();
}

ServicePipeline *SessionHub::build(std::map<QString, config::ServiceConfig>::iterator unbuilt)
{
    auto pipeline = std::make_unique<ServicePipeline>(std::move(unbuilt->second), m_settings);
    ServicePipeline *built = pipeline.get();
    m_pipelines[unbuilt->first] = std::move(pipeline);
    m_unbuilt.erase(unbuilt);
    return built;
}

void SessionHub::buildSlice()
{
    for (int i = 0; i < kBuildSlice && !m_unbuilt.empty(); ++i)
        build(m_unbuilt.begin());
    if (m_unbuilt.empty()) {
        m_building.stop();
        qCDebug(lcSession) << "every analysis built:" << m_pipelines.size() << "services";
    }
}

void SessionHub::consume(ingest::SourceUpdate update)
{
    if (ServicePipeline *pipeline = pipelineFor(update.service()))
        m_pending.push_back(pipeline->process(std::move(update), *m_store));
}

void SessionHub::reset()
{
    m_pending.clear();
    m_store->retain({});
    for (auto &[name, pipeline] : m_pipelines)
        pipeline = std::make_unique<ServicePipeline>(pipeline->service(), m_settings);
    m_resetPending = true;
}

void SessionHub::backfill(const QString &service, const std::vector<vitals::VitalsSample> &samples,
                          ingest::Backfill use)
{
    ServicePipeline *pipeline = pipelineFor(service);
    if (!pipeline)
        return;
    if (use == ingest::Backfill::History) {
        pipeline->backfill(samples, *m_store);
        return;
    }
    for (const vitals::VitalsSample &sample : samples)
        m_store->append(service, sample);
}

void SessionHub::startTicking()
{
    m_tick.start();
}

void SessionHub::flush()
{
    if (m_pending.empty() && !m_resetPending)
        return;
    auto batch = std::make_shared<SessionBatch>();
    batch->nowMs = m_clock->nowMs();
    batch->reset = std::exchange(m_resetPending, false);
    batch->reports.swap(m_pending);
    m_pending.reserve(batch->reports.size());
    emit batchReady(batch);
}

} // namespace gotriage::session
