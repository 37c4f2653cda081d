#pragma once

#include "ingest/httprequest.h"
#include "ingest/promvitals.h"
#include "ingest/source.h"

#include <QTimer>
#include <QUrl>

#include <chrono>
#include <map>
#include <set>

namespace gotriage::common {
class Clock;
}

namespace gotriage::ingest {

struct PromTarget;

// Watching through a Prometheus-compatible server instead of scraping: for
// fleets past what one laptop scrapes, and for history the moment gotriage
// opens. The server's targets (/api/v1/targets, filtered by a selector)
// become the fleet; their vitals are read every interval (one instant query
// per vital for every target), and right after the first round their past
// hours (query_range, one query per vital for every target) are read and
// analysed, so that a leak that began before gotriage was opened is flagged
// within seconds. Targets are looked up again every minute: new ones are
// added, and backfilled.
// Profiles and goroutine dumps still go to each target's own address.
class PrometheusSource : public Source
{
    Q_OBJECT

public:
    struct Settings {
        QUrl server; // http://prometheus:9090 (a path prefix is kept)
        QString selector; // PromQL label matchers without braces; empty: every target
        std::chrono::milliseconds interval{15'000};
        std::chrono::milliseconds backfill{std::chrono::hours(2)}; // 0: none
        std::chrono::milliseconds rediscover{60'000};
        QString rateWindow = QStringLiteral("1m");
        std::chrono::milliseconds timeout{10'000}; // per query
        // History alone, for services scraped directly (a fleet file that
        // names the server scraping them): the session's services are
        // matched to the server's targets by address, their past is read,
        // and nothing else; the fleet and its live vitals stay the
        // scraper's.
        bool historyOnly = false;
    };

    // `clock`: null for the process' live clock; it must outlive the source.
    explicit PrometheusSource(Settings settings, const common::Clock *clock = nullptr, QObject *parent = nullptr);
    ~PrometheusSource() override;

    const common::Clock &clock() const override { return *m_clock; }
    // The services the session watches, of those the server has: their
    // request settings serve profile captures.
    void setServices(const std::vector<config::ServiceConfig> &services, bool replace) override;
    void start() override;
    bool canCapture() const override { return true; }
    RequestExecutor *executor() override;

    // Whether live reading has begun (the targets have been read).
    bool live() const { return m_live; }

private:
    struct Batch; // one round of queries, history or live

    void discover();
    void onTargets(const std::vector<PromTarget> &targets);
    // The session's services that are among `targets`, by address, keyed
    // as m_nameOfTarget is (historyOnly).
    std::map<QString, QString> matchWatched(const std::vector<PromTarget> &targets) const;
    // What is held for services whose targets the server no longer has.
    void forgetGoneTargets();
    bool startBackfill(); // a history batch for m_toBackfill, if any and wanted
    void startBatch(std::unique_ptr<Batch> batch);
    void askNext(Batch &batch);
    void onBatchDone(Batch &batch);
    void deliverHistory(const Batch &batch);
    void deliverLive(const Batch &batch);
    void readLive();
    HttpRequest request(const QUrl &url) const;
    void report(const QString &problem);

    Settings m_settings;
    const common::Clock *m_clock;
    RequestExecutor *m_executor = nullptr; // created in the ingest thread, on first use
    std::vector<PromVitalQuery> m_queries;
    QTimer m_liveTimer;
    QTimer m_discoverTimer;
    std::map<QString, QString> m_nameOfTarget; // target key → service name
    std::set<QString> m_watched; // what the session asked for
    std::map<QString, QString> m_addressOfService; // historyOnly: name → host:port of its endpoints
    std::vector<PromTarget> m_targets; // as last read, matched again when services are added (historyOnly)
    std::map<QString, ServiceHealth> m_health;
    std::unique_ptr<Batch> m_running; // one batch at a time: the server is busy too
    std::vector<QString> m_toBackfill; // target keys found since the last history read
    // History of services the session has not taken yet (it learns of them
    // through the window): handed on when it does.
    std::map<QString, std::vector<vitals::VitalsSample>> m_heldHistory;
    std::map<QString, SourceUpdate> m_heldLive; // and their latest live vitals
    bool m_started = false;
    bool m_live = false;
    QString m_lastProblem;
};

} // namespace gotriage::ingest
