#include "servicepipeline.h"

#include "common/logging.h"
#include "store/seriesstore.h"

namespace gotriage::session {

ServicePipeline::ServicePipeline(config::ServiceConfig service, const analysis::AnalysisSettings &settings)
    : m_analyzer(std::move(service), settings)
{ }

ServiceReportPtr ServicePipeline::process(ingest::SourceUpdate update, store::SeriesStore &store)
{
    auto report = std::make_shared<ServiceReport>();
    static_cast<ingest::SourceUpdate &>(*report) = std::move(update);
    if (report->health.up)
        store.append(report->service(), report->vitals);
    if (report->recorded) {
        // A replay shows what was concluded then, not what analysis would say now.
        report->findingChanges = report->recorded->changes;
        report->findings = report->recorded->findings;
        report->projections = report->recorded->projections;
        return report;
    }
    // Analysis runs per service as each update arrives: trend windows close
    // on bucket boundaries, so the work spreads over time.
    report->findingChanges
        = m_analyzer.update(report->tsMs(), report->vitals, report->health, report->restarted, report->runtime);
    for (const analysis::FindingChange &change : report->findingChanges)
        qCDebug(lcAnalysis) << analysis::changeTypeName(change.type) << change.finding.key().toString()
                            << change.finding.evidence;
    report->findings = m_analyzer.findings();
    report->projections = m_analyzer.projections();
    return report;
}

} // namespace gotriage::session
