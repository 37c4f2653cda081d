#include "servicepipeline.h"

#include "common/logging.h"
#include "store/seriesstore.h"

#include <set>

namespace gotriage::session {

ServicePipeline::ServicePipeline(config::ServiceConfig service, const analysis::AnalysisSettings &settings)
    : m_settings(settings), m_analyzer(std::move(service), settings)
{ }

void ServicePipeline::backfill(const std::vector<vitals::VitalsSample> &history, store::SeriesStore &store)
{
    if (history.empty())
        return;
    const QString name = service().name;
    // What came live, before the history joins it: the full-resolution tier
    // may be too short to give the history back.
    const std::vector<vitals::VitalsSample> live
        = m_analysedLive ? store.snapshot(name).samples : std::vector<vitals::VitalsSample>{};
    store.prepend(name, history);
    if (!m_analysedLive) {
        analyse(history, m_analyzer.runtime());
        return;
    }
    // Trends need time order: start again from everything held, the
    // history now first.
    const std::vector<analysis::Finding> before = m_analyzer.findings();
    const analysis::RuntimeInfo runtime = m_analyzer.runtime(); // what live scrapes told (the Go version)
    m_analyzer = analysis::ServiceAnalyzer(service(), m_settings);
    // The history up to the first live sample, then what came live.
    std::vector<vitals::VitalsSample> held;
    const std::int64_t liveFrom = live.empty() ? INT64_MAX : live.front().tsMs;
    for (const vitals::VitalsSample &sample : history) {
        if (sample.tsMs >= liveFrom)
            break;
        held.push_back(sample);
    }
    held.insert(held.end(), live.begin(), live.end());
    analyse(held, runtime);
    // What live analysis had already raised is not raised twice; what the
    // longer view no longer holds is cleared.
    std::set<analysis::FindingKey> active;
    for (const analysis::Finding &finding : m_analyzer.findings())
        active.insert(finding.key());
    std::set<analysis::FindingKey> raisedBefore;
    for (const analysis::Finding &finding : before) {
        raisedBefore.insert(finding.key());
        if (!active.count(finding.key()))
            m_backfilled.push_back({analysis::FindingChange::Type::Cleared, held.back().tsMs, finding});
    }
    std::erase_if(m_backfilled, [&raisedBefore](const analysis::FindingChange &change) {
        return change.type == analysis::FindingChange::Type::Raised && raisedBefore.count(change.finding.key());
    });
}

void ServicePipeline::analyse(const std::vector<vitals::VitalsSample> &samples, const analysis::RuntimeInfo &runtime)
{
    scraping::ServiceHealth health;
    for (const vitals::VitalsSample &sample : samples) {
        // Only what the server scraped is history: every sample was up.
        health.recordAttempt(sample.tsMs, true, {}, 0, 0);
        m_analyzer.update(sample.tsMs, sample, health, false, runtime);
    }
    // What the history leaves active is news now; what came and went within
    // it is not (it is in the charts).
    m_backfilled.clear();
    for (const analysis::Finding &finding : m_analyzer.findings())
        m_backfilled.push_back({analysis::FindingChange::Type::Raised, finding.sinceMs, finding});
}

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
    m_analysedLive = true;
    report->findingChanges
        = m_analyzer.update(report->tsMs(), report->vitals, report->health, report->restarted, report->runtime);
    if (!m_backfilled.empty())
        report->findingChanges.insert(report->findingChanges.begin(), std::make_move_iterator(m_backfilled.begin()),
                                      std::make_move_iterator(m_backfilled.end()));
    m_backfilled.clear();
    for (const analysis::FindingChange &change : report->findingChanges)
        qCDebug(lcAnalysis) << analysis::changeTypeName(change.type) << change.finding.key().toString()
                            << change.finding.evidence;
    report->findings = m_analyzer.findings();
    report->projections = m_analyzer.projections();
    return report;
}

} // namespace gotriage::session
