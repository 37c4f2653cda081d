#include "demofleet.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/threadexit.h"
#include "common/threadpriority.h"

#include "sim/simserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace gotriage::sim {

namespace {

struct Role {
    const char *name;
    Scenario scenario;
    bool core;
    const char *team; // a label to group the fleet by, as real fleets have
};

// The sick services come first so that even a small demo shows every battlefield.
constexpr Role kRoles[] = {
    {"checkout-api", Scenario::GoroutineLeak, true, "commerce"},
    {"search-api", Scenario::MemoryCreep, true, "discovery"},
    {"image-resizer", Scenario::GcFrenzy, false, "platform"},
    {"pricing-engine", Scenario::CpuContention, true, "commerce"},
    {"notifier", Scenario::Flapping, false, "platform"},
    {"cart-api", Scenario::Healthy, true, "commerce"},
    {"catalog-api", Scenario::Healthy, true, "discovery"},
    {"auth-api", Scenario::Healthy, true, "identity"},
    {"recommendations", Scenario::Healthy, false, "discovery"},
    {"reviews-api", Scenario::Healthy, false, "discovery"},
    {"inventory-api", Scenario::Healthy, true, "fulfilment"},
    {"shipping-api", Scenario::Healthy, false, "fulfilment"},
};

constexpr double kGoroutineBudget = 2000;
constexpr double kMemoryLimitBytes = 512.0 * 1024 * 1024;

// What the README's worked example configures, for the demo's own
// /admin/throttle: a core service needs its name typed to confirm.
constexpr const char *kDemoActions = R"json([
  {"name": "throttle", "description": "limit the requests a service admits (its /admin/throttle)",
   "method": "POST", "path": "/admin/throttle", "body": "{\"rps\": ${rps}}",
   "read_path": "/admin/throttle", "read_field": "rps", "revert": "restore",
   "variables": {"rps": {"default": 20, "min": 1, "max": 10000}},
   "expect_vital": "admitted_rate", "expect_at_most": "${rps}", "ttl_s": 600}
])json";

} // namespace

DemoFleet::DemoFleet(QObject *parent) : QObject(parent)
{ }

DemoFleet::~DemoFleet() = default;

bool DemoFleet::start(int count, QString *error, int first)
{
    if (count < 1 || count > kMaxServices) {
        *error = QStringLiteral("the demo fleet takes 1 to %1 services, not %2").arg(kMaxServices).arg(count);
        return false;
    }
    if (first < 0) {
        *error = QStringLiteral("the first demo service's number cannot be negative");
        return false;
    }
    m_first = first;
    const double now = static_cast<double>(common::LiveClock::systemWallMs()) / 1000.0;
    constexpr int kRoleCount = static_cast<int>(std::size(kRoles));
    for (int i = first; i < first + count; ++i) {
        const Role &role = kRoles[i % kRoleCount];
        const int replica = i / kRoleCount + 1;
        const Scenario scenario = i < kRoleCount ? role.scenario : Scenario::Healthy;
        auto service
            = std::make_unique<SimService>(QStringLiteral("%1-%2").arg(QLatin1String(role.name)).arg(replica), scenario,
                                           static_cast<std::uint32_t>(1000 + i), now - 60.0 * (i % 7));
        // Its minutes of history are lived now, not at the first scrape: a
        // real service has no past to catch up on when a watcher connects,
        // and a fleet that does would make the watcher's start-up look slow.
        service->advanceTo(now);
        auto server = std::make_unique<SimServer>(std::move(service));
        if (!server->listenOnLoopback()) {
            *error = QStringLiteral("cannot listen on 127.0.0.1 for demo service %1").arg(i + 1);
            m_servers.clear();
            return false;
        }
        m_servers.push_back(std::move(server));
    }
    return true;
}

std::vector<config::ServiceConfig> DemoFleet::services() const
{
    std::vector<config::ServiceConfig> out;
    constexpr int kRoleCount = static_cast<int>(std::size(kRoles));
    for (std::size_t i = 0; i < m_servers.size(); ++i) {
        const SimServer &server = *m_servers[i];
        config::ServiceConfig service;
        service.name = server.service().name();
        service.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
        const Role &role = kRoles[(m_first + static_cast<int>(i)) % kRoleCount];
        service.tier = role.core ? config::Tier::Core : config::Tier::NonCore;
        // Sorted by key, as the fleet file's reader leaves them.
        service.labels = {{QStringLiteral("demo"), scenarioName(server.service().scenario())},
                          {QStringLiteral("team"), QString::fromLatin1(role.team)}};
        service.requestCounter = QStringLiteral("http_requests_total");
        service.latencyHistogram = QStringLiteral("http_request_duration_seconds");
        // Limits like a container's, so the demo shows time to limit.
        service.limits.goroutines = kGoroutineBudget;
        service.limits.memoryBytes = kMemoryLimitBytes;
        out.push_back(std::move(service));
    }
    return out;
}

QByteArray DemoFleet::fleetJson() const
{
    QJsonArray services;
    for (const config::ServiceConfig &s : this->services()) {
        QJsonObject labels;
        for (const auto &[key, value] : s.labels)
            labels.insert(key, value);
        services.append(QJsonObject{
            {QStringLiteral("name"), s.name},
            {QStringLiteral("url"), s.baseUrl.toString()},
            {QStringLiteral("tier"), config::tierName(s.tier)},
            {QStringLiteral("labels"), labels},
            {QStringLiteral("request_counter"), s.requestCounter},
            {QStringLiteral("latency_histogram"), s.latencyHistogram},
            {QStringLiteral("limits"),
             QJsonObject{{QStringLiteral("goroutines"), s.limits.goroutines.value_or(kGoroutineBudget)},
                         {QStringLiteral("memory_bytes"), s.limits.memoryBytes.value_or(kMemoryLimitBytes)}}},
        });
    }
    const QJsonArray actions = QJsonDocument::fromJson(kDemoActions).array();
    return QJsonDocument(QJsonObject{{QStringLiteral("services"), services}, {QStringLiteral("actions"), actions}})
        .toJson(QJsonDocument::Indented);
}

DemoFleetThread::DemoFleetThread()
{
    m_thread.setObjectName(QStringLiteral("gotriage-demo-fleet"));
    common::releaseTlsStateWhenFinished(m_thread); // QHttpServer sets up Qt's TLS backend
    common::runBehindStarter(m_thread);
}

DemoFleetThread::~DemoFleetThread()
{
    if (m_fleet) {
        // The servers' sockets belong to the fleet thread: delete them there.
        QMetaObject::invokeMethod(
            m_fleet, [fleet = m_fleet] { delete fleet; }, Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

bool DemoFleetThread::start(int count, QString *error)
{
    m_thread.start();
    m_fleet = new DemoFleet;
    m_fleet->moveToThread(&m_thread);
    bool ok = false;
    QMetaObject::invokeMethod(
        m_fleet,
        [this, count, error, &ok] {
            ok = m_fleet->start(count, error);
            qCDebug(lcSim) << "demo fleet of" << count << "services" << (ok ? "started" : "failed");
            if (ok) {
                m_services = m_fleet->services();
                m_actions = config::parseActionCatalog(m_fleet->fleetJson().toStdString(), QStringLiteral("demo"));
            }
        },
        Qt::BlockingQueuedConnection);
    return ok;
}

} // namespace gotriage::sim
