#pragma once

#include "config/fleetconfig.h"
#include "ingest/requestsettings.h"
#include "ingest/sourceupdate.h"

#include <QElapsedTimer>
#include <QObject>

#include <chrono>
#include <memory>
#include <random>

namespace gotriage::common {
class Clock;
}

namespace gotriage::formats {
class ParsedMetrics;
}

namespace gotriage::ingest {

struct FetchResult;
class RequestExecutor;

// Scrapes one service on its own schedule: a stable hash-based phase inside
// the interval (so a fleet does not fire in lockstep), at most one scrape in
// flight (a tick that finds one running is skipped and counted), endpoints
// fetched one after another within one total timeout, exponential backoff
// with jitter while the service is down. Fetches through the shared request
// executor and parses what arrives into a ScrapeResult; deriving vitals,
// storing and analysing are downstream (LiveSource, core/session). Lives in
// the ingest thread.
class ServicePoller : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kMaxBackoff{30000};
    // How often an optional endpoint that answered 404 is asked again.
    static constexpr std::chrono::milliseconds kOptionalRecheck{5 * 60 * 1000};

    // `clock` is the source's clock (null: the process' live clock); it
    // must outlive the poller.
    ServicePoller(config::ServiceConfig service, RequestExecutor *executor, QObject *parent = nullptr,
                  const common::Clock *clock = nullptr);
    ~ServicePoller() override;

    // Scrapes on the phase grid from now on. A non-zero `firstRound` brings
    // the first scrape forward into that window, at the same relative place
    // as the phase in the interval: a fleet opened in an outage fills its view
    // within the window instead of a whole interval, and its first round is
    // still spread, only denser (firstRoundWindow()).
    void start(std::chrono::milliseconds firstRound = {});
    // Scrapes now, off the schedule. If a scrape is still running this one is
    // skipped and counted: a slow target never has two requests stacked up.
    void scrapeNow();
    const config::ServiceConfig &service() const { return m_service; }
    // Takes a reloaded config whose scrape settings are unchanged (limits,
    // tier, labels): the poller and its schedule carry on.
    void updateService(const config::ServiceConfig &service) { m_service = service; }
    const ServiceHealth &health() const { return m_health; }

    // Milliseconds from `nowMs` to this service's next slot on the phase grid.
    static qint64 delayToPhase(const QString &name, qint64 intervalMs, qint64 nowMs);
    // The window the first scrapes of `services` services started together
    // are spread over: as short as the executor can take them without making
    // requests wait past their budget (measured in docs/performance.md).
    static std::chrono::milliseconds firstRoundWindow(std::size_t services);

signals:
    // One scrape is over, good or bad; `health` is as of its end.
    void scraped(const gotriage::ingest::ScrapeResultPtr &scrape, const gotriage::ingest::ServiceHealth &health);

private:
    enum class Step { Metrics, Vars, Pprof, Done };

    void resolveSettings();
    void tick();
    // The next tick, on the executor's scheduler, at this service's phase.
    void scheduleTick(qint64 nowMs);
    void scheduleTickAfter(qint64 delayMs, void (ServicePoller::*step)() = &ServicePoller::tick);
    // The first scrape, brought forward; the next tick is the phase after it.
    void firstTick();
    void fetchStep();
    void onFetched(const FetchResult &result);
    // The /metrics payload within the service's bounds, or null with
    // scrape.error saying why not.
    std::shared_ptr<formats::ParsedMetrics> parseMetricsResponse(const FetchResult &result, ScrapeResult &scrape) const;
    void complete();
    std::chrono::milliseconds remainingBudget() const;

    config::ServiceConfig m_service;
    // The current scrape failed for want of a free connection: that says
    // nothing of the target, so it neither backs off nor loses its standing
    // (m_realFailures and m_lastRealGood count only what the target did).
    bool m_congested = false;
    int m_realFailures = 0;
    bool m_lastRealGood = false;
    // Crowded-out first scrapes retried within a quarter interval.
    static constexpr int kSoonRetries = 3;
    int m_soonRetries = 0;
    // Whether the target itself ever answered or failed (not counting
    // scrapes that found no free connection).
    bool heardFrom() const { return m_lastRealGood || m_realFailures > 0; }
    // How long after a service's first /debug/vars read its second comes:
    // two intervals to a varsInterval, by the service's name. Every service reads
    // it in its first scrape, and each read after is a varsInterval after
    // its last; without this, 2 000 services read it in the same round,
    // every fifth second at the defaults, with twice the requests of the
    // rounds between.
    std::chrono::milliseconds varsOffset() const;
    const common::Clock *m_clock;
    RequestExecutor *m_executor;
    std::shared_ptr<const RequestSettings> m_settings; // the executor's for this service
    ServiceHealth m_health;
    quint64 m_tick = 0; // the next scheduled tick (TickScheduler::Id), 0: none
    std::minstd_rand m_random;

    // The scrape in flight, if any.
    quint64 m_request = 0; // the request in flight (RequestExecutor::Id); 0: none
    Step m_step = Step::Done;
    std::shared_ptr<ScrapeResult> m_current;
    qint64 m_startedMs = 0;
    QElapsedTimer m_scrapeClock;
    // When /debug/vars is next read; 0: at the next scrape. Every
    // varsInterval, each service at its own point of it (varsOffset), so
    // that a fleet's reads do not all fall in the same rounds.
    qint64 m_varsDueMs = 0;
    bool m_varsMissing = false; // answered 404: not exposed
    qint64 m_varsCheckedMs = 0;
    bool m_pprofMissing = false;
    qint64 m_pprofCheckedMs = 0;
};

} // namespace gotriage::ingest

Q_DECLARE_METATYPE(gotriage::ingest::ScrapeResultPtr)
