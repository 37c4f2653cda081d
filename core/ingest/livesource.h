#pragma once

#include "ingest/source.h"

#include <map>
#include <memory>

namespace gotriage::common {
class LiveClock;
}

namespace gotriage::ingest {

class LocalProcessTable;

class RequestExecutor;
class ServicePoller;

// Live scraping as a source: one ServicePoller per service fetches and
// parses on its schedule through one shared RequestExecutor (the global
// connection cap); this class turns each scrape into vitals (VitalsDeriver),
// reads the runtime settings, and delivers a SourceUpdate. Runs on the
// process' live clock unless given another. Lives in the ingest thread.
class LiveSource : public Source
{
    Q_OBJECT

public:
    // Runtime settings hardly change: they are read from /metrics this often
    // (and again after a restart).
    static constexpr qint64 kRuntimeReadMs = 30'000;

    // `clock`: null for the process' live clock; it must outlive the source.
    explicit LiveSource(const common::Clock *clock = nullptr, QObject *parent = nullptr);
    ~LiveSource() override;

    const common::Clock &clock() const override { return *m_clock; }
    void setServices(const std::vector<config::ServiceConfig> &services, bool replace) override;
    void start() override;

    // The executor captures and actions (later) share with scraping.
    RequestExecutor *executor() override;
    bool canCapture() const override { return true; }

private:
    struct Watched;

    void onScraped(Watched &watched, const ScrapeResultPtr &scrape, const ServiceHealth &health);

    const common::Clock *m_clock;
    RequestExecutor *m_executor = nullptr; // created in the ingest thread, on first use
    std::map<QString, std::unique_ptr<Watched>> m_watched;
    std::unique_ptr<LocalProcessTable> m_processes;
    bool m_started = false;
};

} // namespace gotriage::ingest
