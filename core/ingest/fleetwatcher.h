#pragma once

#include "config/fleetconfig.h"
#include "ingest/servicepoller.h"

#include <QObject>
#include <QThread>

#include <memory>
#include <vector>

namespace gotriage::common {
class Clock;
}
namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::ingest {

class IngestWorker;

// Watches a fleet: owns the ingest thread, where one ServicePoller per
// service scrapes, parses and derives vitals into the store. Lives in the
// thread that created it (the GUI thread, or the CLI's main thread); its
// reportAvailable() signal is delivered there. The store may be read from
// any thread.
class FleetWatcher : public QObject
{
    Q_OBJECT

public:
    // `clock`: the live source's clock (null: the process' live clock); it
    // must outlive the watcher.
    explicit FleetWatcher(QObject *parent = nullptr, const common::Clock *clock = nullptr);
    const common::Clock &clock() const { return *m_clock; }
    ~FleetWatcher() override; // stops every poller and joins the ingest thread

    // Replaces the watched fleet. Services whose settings did not change keep
    // their poller and history; removed services are forgotten.
    void setServices(const std::vector<config::ServiceConfig> &services);
    void addService(const config::ServiceConfig &service);
    // Analysis thresholds for services added from now on (tests use fast ones).
    void setAnalysisSettings(const analysis::AnalysisSettings &settings);

    store::SeriesStore &store() { return *m_store; }
    const store::SeriesStore &store() const { return *m_store; }

signals:
    void reportAvailable(const gotriage::ingest::ScrapeReportPtr &report);

private:
    const common::Clock *m_clock;
    std::unique_ptr<store::SeriesStore> m_store;
    QThread m_thread;
    IngestWorker *m_worker = nullptr; // lives in m_thread
};

} // namespace gotriage::ingest
