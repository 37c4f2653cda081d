#pragma once

#include "analysis/serviceanalyzer.h"
#include "config/fleetconfig.h"
#include "session/servicereport.h"

namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::session {

// What happens to each update of one service, in order: the store takes its
// vitals (when the service was up), then the analysis reads them. Not
// thread-safe; used on the hub's thread.
class ServicePipeline
{
public:
    ServicePipeline(config::ServiceConfig service, const analysis::AnalysisSettings &settings);

    const config::ServiceConfig &service() const { return m_analyzer.service(); }
    // A reload changed limits, tier or labels: analysis uses them from the
    // next update on; history and trends stay.
    void setService(const config::ServiceConfig &service) { m_analyzer.setService(service); }

    ServiceReportPtr process(ingest::SourceUpdate update, store::SeriesStore &store);
    // Past hours from a server: stored, and analysed as if watched then. The
    // findings active at their end are raised by the next report. History
    // that comes after live updates goes in before them, and the analysis
    // is run again over all the service holds: what live analysis had
    // raised is not raised again, and what the longer view does not hold is
    // cleared.
    void backfill(const std::vector<vitals::VitalsSample> &history, store::SeriesStore &store);

private:
    void analyse(const std::vector<vitals::VitalsSample> &samples, const analysis::RuntimeInfo &runtime);

    analysis::AnalysisSettings m_settings;
    analysis::ServiceAnalyzer m_analyzer;
    bool m_analysedLive = false;
    std::vector<analysis::FindingChange> m_backfilled; // for the next report
};

} // namespace gotriage::session
