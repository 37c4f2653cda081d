#pragma once

#include "analysis/serviceanalyzer.h"
#include "config/fleetconfig.h"
#include "ingest/requestsettings.h"
#include "scraping/scraperesult.h"
#include "scraping/servicehealth.h"
#include "signals/vital.h"
#include "signals/vitalsderiver.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <random>

namespace gotriage::common {
class Clock;
}
namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::ingest {

// What a scrape brought back and how scraping goes: defined below the
// signals and the analysis (core/scraping), used by name here.
using scraping::ScrapeResult;
using scraping::ServiceHealth;

struct FetchResult;
class HttpFetch;
class RequestExecutor;

// What one scrape produced, after derivation: shared read-only between threads.
struct ScrapeReport {
    std::shared_ptr<const ScrapeResult> scrape;
    vitals::VitalsSample vitals;
    ServiceHealth health;
    bool restarted = false; // the process restarted since the last scrape (a counter reset alone is not one)
    std::vector<analysis::FindingChange> findingChanges; // what this scrape raised, updated or cleared
    std::vector<analysis::Finding> findings; // all active, after this scrape
    std::vector<analysis::Projection> projections;
    analysis::RuntimeInfo runtime; // Go version, GOMAXPROCS, GOGC, GOMEMLIMIT where exposed
    vitals::DerivedSources sources; // which counter and histogram the golden signals come from
};
using ScrapeReportPtr = std::shared_ptr<const ScrapeReport>;

// Scrapes one service on its own schedule: a stable hash-based phase inside
// the interval (so a fleet does not fire in lockstep), at most one scrape in
// flight (a tick that finds one running is skipped and counted), endpoints
// fetched one after another within one total timeout, exponential backoff
// with jitter while the service is down. Parses and derives vitals on its own
// thread and appends them to the store. Lives in the ingest thread.
class ServicePoller : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kMaxBackoff{30000};
    // How often an optional endpoint that answered 404 is asked again.
    static constexpr std::chrono::milliseconds kOptionalRecheck{5 * 60 * 1000};

    // `clock` is the source's clock (null: the process' live clock); it
    // must outlive the poller.
    ServicePoller(config::ServiceConfig service, RequestExecutor *executor, store::SeriesStore *store,
                  QObject *parent = nullptr, const analysis::AnalysisSettings &analysis = {},
                  const common::Clock *clock = nullptr);
    ~ServicePoller() override;

    void start();
    // Scrapes now, off the schedule. If a scrape is still running this one is
    // skipped and counted: a slow target never has two requests stacked up.
    void scrapeNow();
    const config::ServiceConfig &service() const { return m_service; }
    // Takes a reloaded config whose scrape settings are unchanged (limits,
    // tier, labels): the poller, its history and its trends carry on.
    void updateService(const config::ServiceConfig &service);
    const ServiceHealth &health() const { return m_health; }

    // Milliseconds from `nowMs` to this service's next slot on the phase grid.
    static qint64 delayToPhase(const QString &name, qint64 intervalMs, qint64 nowMs);

signals:
    void reportAvailable(const gotriage::ingest::ScrapeReportPtr &report);

private:
    enum class Step { Metrics, Vars, Pprof, Done };

    void tick();
    void fetchStep();
    void onFetched(const FetchResult &result);
    void complete();
    void scheduleNext();
    std::chrono::milliseconds remainingBudget() const;

    config::ServiceConfig m_service;
    const common::Clock *m_clock;
    RequestExecutor *m_executor;
    store::SeriesStore *m_store;
    RequestSettings m_settings;
    vitals::VitalsDeriver m_deriver;
    analysis::ServiceAnalyzer m_analyzer;
    ServiceHealth m_health;
    QTimer m_timer;
    std::minstd_rand m_random;

    // The scrape in flight, if any.
    HttpFetch *m_fetch = nullptr;
    Step m_step = Step::Done;
    std::shared_ptr<ScrapeResult> m_current;
    qint64 m_startedMs = 0;
    QElapsedTimer m_scrapeClock;
    qint64 m_lastVarsMs = 0; // when /debug/vars last answered
    bool m_varsMissing = false; // answered 404: not exposed
    qint64 m_varsCheckedMs = 0;
    bool m_pprofMissing = false;
    qint64 m_pprofCheckedMs = 0;
};

} // namespace gotriage::ingest

Q_DECLARE_METATYPE(gotriage::ingest::ScrapeReportPtr)
