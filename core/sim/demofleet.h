#pragma once

#include "config/actioncatalog.h"
#include "config/fleetconfig.h"

#include <QObject>
#include <QThread>

#include <memory>
#include <vector>

namespace gotriage::sim {

class SimServer;

// A fleet of emulated Go services, each on its own 127.0.0.1 ephemeral port.
// The first services cover every scenario (a slow goroutine leak, memory
// creep, a GC frenzy, CPU burn under lock contention, a crash-looping
// service), the rest are healthy. Lives in the thread that started it.
class DemoFleet : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMaxServices = 1000;

    explicit DemoFleet(QObject *parent = nullptr);
    ~DemoFleet() override;

    // Starts `count` services; false (with `error` set) if a port could not be had.
    // `first` numbers them from there, so that fleets in several processes
    // make one fleet with unique names (only the first few are sick).
    bool start(int count, QString *error, int first = 0);

    // The fleet file describing the running services.
    std::vector<config::ServiceConfig> services() const;
    // The fleet file: the services and the demo's actions (a throttle on
    // every service's /admin/throttle).
    QByteArray fleetJson() const;

private:
    std::vector<std::unique_ptr<SimServer>> m_servers;
    int m_first = 0;
};

// Runs a DemoFleet in a thread of its own, so serving it never competes with
// the GUI thread. start() blocks until every port is listening.
class DemoFleetThread
{
public:
    DemoFleetThread();
    ~DemoFleetThread();

    bool start(int count, QString *error);
    const std::vector<config::ServiceConfig> &services() const { return m_services; }
    const config::ActionCatalog &actions() const { return m_actions; }

private:
    QThread m_thread;
    DemoFleet *m_fleet = nullptr;
    std::vector<config::ServiceConfig> m_services;
    config::ActionCatalog m_actions;
};

} // namespace gotriage::sim
