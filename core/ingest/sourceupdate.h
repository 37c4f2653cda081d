#pragma once

#include "analysis/finding.h"
#include "analysis/serviceanalyzer.h"
#include "scraping/scraperesult.h"
#include "scraping/servicehealth.h"
#include "signals/runtimeinfo.h"
#include "signals/vital.h"
#include "signals/vitalsderiver.h"

#include <memory>

namespace gotriage::ingest {

// What a scrape brought back and how scraping goes: defined below the
// signals and the analysis (core/scraping), used by name here.
using scraping::ScrapeResult;
using scraping::ServiceHealth;
using ScrapeResultPtr = std::shared_ptr<const ScrapeResult>;

// What analysis concluded at one recorded update, as the recording holds
// it: a replay shows what the war room saw, at up to 1000×, rather than
// what today's detector would say (that is a separate batch command).
struct RecordedAnalysis {
    std::vector<analysis::FindingChange> changes; // raised, updated or cleared at this update
    std::vector<analysis::Finding> findings; // all active after it
    std::vector<analysis::Projection> projections;
};

// One service's news from a source, in time order per service: what the
// pipeline (core/session) stores, analyses and fans out. Every source fills
// every field; `scrape` carries the parsed payloads only when the source
// scraped (live), and otherwise just its outcome (up, error, problems).
struct SourceUpdate {
    ScrapeResultPtr scrape; // never null: service, tsMs (on the source's clock), up, error
    vitals::VitalsSample vitals; // tsMs == scrape->tsMs
    ServiceHealth health;
    bool restarted = false; // the process restarted since the last update (a counter reset alone is not one)
    vitals::RuntimeInfo runtime; // Go version, GOMAXPROCS, GOGC, GOMEMLIMIT, start time, as last read
    vitals::DerivedSources sources; // which counter and histogram the golden signals come from
    // Set by a replayed recording: the pipeline passes it on instead of analysing.
    std::shared_ptr<const RecordedAnalysis> recorded;

    const QString &service() const { return scrape->service; }
    qint64 tsMs() const { return scrape->tsMs; }
};

// What history handed in ahead of the updates is for.
enum class Backfill {
    // A replay's context after a seek: stored only, for the recording
    // holds what analysis concluded then.
    Context,
    // A server's past hours at start-up, or when a service is added:
    // stored and analysed, so that trends, findings and time to limit are
    // there at once rather than after minutes of watching.
    History,
};

// Where a source delivers its updates: the session hub, on the thread the
// source runs in. Called synchronously, one update at a time.
class UpdateSink
{
public:
    virtual ~UpdateSink() = default;
    virtual void consume(SourceUpdate update) = 0;
    // The source jumped (a replay seeked): forget every service's history
    // and analysis state; what follows starts afresh.
    virtual void reset() = 0;
    // History that precedes what consume() brings, in time order. History
    // may arrive after the service's first updates (a slow server): what is
    // older than those is taken, and the analysis starts again from it.
    virtual void backfill(const QString &service, const std::vector<vitals::VitalsSample> &samples, Backfill use) = 0;
    // The context after a jump is complete: hand it on now rather than at
    // the next tick (an operator is waiting on the seek).
    virtual void contextComplete() = 0;
};

} // namespace gotriage::ingest
