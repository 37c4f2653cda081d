#pragma once

#include "analysis/serviceanalyzer.h"
#include "config/fleetconfig.h"
#include "ingest/sourceupdate.h"
#include "session/servicereport.h"

#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

namespace gotriage::common {
class Clock;
}
namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::session {

class ServicePipeline;

// The one path from "an update arrived" to "it is stored, analysed and
// handed on": it owns the store and one ServicePipeline per service, takes
// every source's updates (as its UpdateSink), and fans the resulting reports
// out in one batch per tick. Subscribers connect to batchReady(): directly,
// to run on the hub's thread (a recorder, evidence capture), or queued, to
// get one event per tick in their own thread (the window). Lives in one
// thread: the session's ingest thread, or the caller's for the harness.
class SessionHub : public QObject, public ingest::UpdateSink
{
    Q_OBJECT

public:
    static constexpr int kTickMs = 250;
    // Analyses built per turn of the event loop: about 20 ms on this machine.
    static constexpr int kBuildSlice = 250;

    // `clock`: the source's; it must outlive the hub.
    explicit SessionHub(const common::Clock *clock, QObject *parent = nullptr);
    ~SessionHub() override;

    const common::Clock &clock() const { return *m_clock; }
    // Readable from any thread.
    store::SeriesStore &store() { return *m_store; }

    // The services analysed. Services kept keep their history and trends,
    // and take new limits, tier and labels; with `replace`, the others are
    // forgotten, history included. A new service's analysis is built on its
    // first update or, with an event loop, a slice at a time soon after, so
    // a fleet of thousands never holds up the thread's other work at once.
    void setServices(const std::vector<config::ServiceConfig> &services, bool replace);
    // Watched services whose analysis is not built yet.
    std::size_t unbuiltCount() const { return m_unbuilt.size(); }
    // For services set up from now on.
    void setAnalysisSettings(const analysis::AnalysisSettings &settings) { m_settings = settings; }
    // Replay: a service the source names but the fleet does not is analysed
    // with default settings rather than dropped.
    void setAdoptUnknownServices(bool adopt) { m_adoptUnknown = adopt; }

    void consume(ingest::SourceUpdate update) override;
    // The next batch says so (SessionBatch::reset), even if nothing follows.
    void reset() override;
    void backfill(const QString &service, const std::vector<vitals::VitalsSample> &samples,
                  ingest::Backfill use) override;
    void contextComplete() override { flush(); }

    // Batches go out every kTickMs from now on (needs an event loop).
    void startTicking();
    // Hands out what is pending now, if anything (the harness ticks itself).
    void flush();

signals:
    void batchReady(const gotriage::session::SessionBatchPtr &batch);

private:
    // The service's pipeline; a new one for a service the source names but
    // the fleet does not when adopting, else null (the update is dropped).
    ServicePipeline *pipelineFor(const QString &name);
    ServicePipeline *build(std::map<QString, config::ServiceConfig>::iterator unbuilt);
    void buildSlice();

    const common::Clock *m_clock;
    std::unique_ptr<store::SeriesStore> m_store;
    analysis::AnalysisSettings m_settings;
    std::map<QString, std::unique_ptr<ServicePipeline>> m_pipelines;
    // Watched, not built yet: each analysis allocates its trend rings whole,
    // which at 10 000 services is seconds of page mapping.
    std::map<QString, config::ServiceConfig> m_unbuilt;
    std::vector<ServiceReportPtr> m_pending;
    QTimer m_tick;
    QTimer m_building; // builds the unbuilt a slice per turn of the event loop
    bool m_adoptUnknown = false;
    bool m_resetPending = false;
    quint64 m_dropped = 0; // updates of services no longer watched
};

} // namespace gotriage::session
