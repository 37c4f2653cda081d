#include "evidencecollector.h"

#include "common/clock.h"
#include "common/logging.h"

#include <algorithm>

namespace gotriage::session {

using analysis::FindingChange;
using analysis::NextStep;
using ingest::CaptureKind;

QString evidenceStateName(Evidence::State state)
{
    switch (state) {
    case Evidence::State::Waiting:
        return QStringLiteral("waiting");
    case Evidence::State::Capturing:
        return QStringLiteral("capturing");
    case Evidence::State::Ready:
        return QStringLiteral("ready");
    case Evidence::State::Failed:
        return QStringLiteral("failed");
    case Evidence::State::Skipped:
        return QStringLiteral("skipped");
    }
    return {};
}

std::optional<CapturePlan> capturePlanFor(const NextStep &step)
{
    const auto spacing = static_cast<qint64>(step.spacingSeconds * 1000);
    switch (step.action) {
    case NextStep::Action::CaptureGoroutines:
        // Always the debug=2 text: the wait reasons and minutes are what the
        // goroutine view groups and compares by.
        return CapturePlan{CaptureKind::GoroutineText, std::max(1, step.count), spacing, 0};
    case NextStep::Action::CaptureHeapProfiles:
        return CapturePlan{CaptureKind::Heap, std::max(1, step.count), spacing, 0};
    case NextStep::Action::CaptureAllocsProfile:
        return CapturePlan{CaptureKind::Allocs, 1, 0, 0};
    case NextStep::Action::CaptureCpuProfile:
        return CapturePlan{CaptureKind::Cpu, 1, 0,
                           std::clamp(static_cast<int>(step.durationSeconds > 0 ? step.durationSeconds : 10), 1, 60)};
    case NextStep::Action::None:
    case NextStep::Action::CheckReachability:
    case NextStep::Action::ChangeConfig:
        break;
    }
    return std::nullopt;
}

EvidenceCollector::EvidenceCollector(ingest::ProfileCapturer *capturer, const common::Clock *clock, QObject *parent)
    : QObject(parent), m_capturer(capturer), m_clock(clock)
{
    qRegisterMetaType<EvidencePtr>();
    connect(m_capturer, &ingest::ProfileCapturer::finished, this, &EvidenceCollector::onCaptured);
}

void EvidenceCollector::setServices(const std::vector<config::ServiceConfig> &services, bool replace)
{
    if (replace)
        m_services.clear();
    for (const config::ServiceConfig &service : services)
        m_services.insert(service.name, service);
}

void EvidenceCollector::onBatch(const SessionBatchPtr &batch)
{
    for (const ServiceReportPtr &report : batch->reports) {
        for (const FindingChange &change : report->findingChanges) {
            if (change.type == FindingChange::Type::Raised)
                onRaised(change.finding, batch->nowMs);
        }
    }
    runDue(batch->nowMs);
}

int EvidenceCollector::budgetUsed(qint64 nowMs)
{
    while (!m_budgetStarts.empty() && m_budgetStarts.front() <= nowMs - m_policy.budgetWindowMs)
        m_budgetStarts.pop_front();
    return static_cast<int>(m_budgetStarts.size());
}

void EvidenceCollector::onRaised(const analysis::Finding &finding, qint64 nowMs)
{
    const std::optional<CapturePlan> capture = capturePlanFor(finding.next);
    if (!capture)
        return;
    const analysis::FindingKey key = finding.key();
    if (const auto it = m_plans.find(key); it != m_plans.end()) {
        const Plan &old = it->second;
        const bool busy
            = old.evidence.state == Evidence::State::Waiting || old.evidence.state == Evidence::State::Capturing;
        const bool recent = old.lastCaptureMs > 0 && nowMs - old.lastCaptureMs < m_policy.recaptureAfterMs;
        if (busy || recent) {
            qCDebug(lcSession) << "evidence for" << key.toString() << "is kept; not capturing again";
            return;
        }
    }
    Plan plan;
    plan.capture = *capture;
    plan.evidence.key = key;
    plan.evidence.step = finding.next;
    plan.evidence.kind = capture->kind;
    plan.evidence.wanted = capture->count;
    plan.evidence.raisedMs = nowMs;
    plan.dueMs = nowMs;
    const auto service = m_services.constFind(key.service);
    if (!m_policy.enabled) {
        plan.evidence.state = Evidence::State::Skipped;
        plan.evidence.note = QStringLiteral("auto-capture is off");
    } else if (service == m_services.constEnd()) {
        plan.evidence.state = Evidence::State::Skipped;
        plan.evidence.note = QStringLiteral("not a watched service");
    } else if (!service->autoCapture) {
        plan.evidence.state = Evidence::State::Skipped;
        plan.evidence.note = QStringLiteral("auto-capture is off for this service (fleet file: auto_capture)");
    }
    Plan &stored = m_plans[key] = std::move(plan);
    publish(stored);
}

void EvidenceCollector::runDue(qint64 nowMs)
{
    for (auto &[key, plan] : m_plans) {
        if (plan.evidence.state != Evidence::State::Waiting || plan.running != 0 || plan.dueMs > nowMs)
            continue;
        const auto service = m_services.constFind(key.service);
        if (service == m_services.constEnd())
            continue;
        if (budgetUsed(nowMs) >= m_policy.budget) {
            const QString note = QStringLiteral("the capture budget is spent (%1 automatic captures in %2 min); "
                                                "waiting for it")
                                     .arg(m_policy.budget)
                                     .arg(m_policy.budgetWindowMs / 60000);
            if (plan.evidence.note != note) {
                plan.evidence.note = note;
                publish(plan);
            }
            continue;
        }
        ingest::CaptureRequest request;
        request.service = service->name;
        request.baseUrl = service->baseUrl;
        request.pprofPath = service->paths.pprof;
        request.kind = plan.capture.kind;
        request.seconds = plan.capture.seconds;
        plan.running = m_capturer->capture(request);
        m_budgetStarts.push_back(nowMs);
        plan.evidence.state = Evidence::State::Capturing;
        plan.evidence.note.clear();
        qCInfo(lcSession).noquote() << "auto-capture:" << ingest::captureKindName(plan.capture.kind) << "of"
                                    << key.service << "for" << key.toString() << "("
                                    << plan.evidence.captures.size() + 1 << "of" << plan.evidence.wanted << ")";
        publish(plan);
    }
}

void EvidenceCollector::onCaptured(quint64 id, const ingest::CaptureResultPtr &result)
{
    const auto it
        = std::find_if(m_plans.begin(), m_plans.end(), [id](const auto &p) { return p.second.running == id; });
    if (it == m_plans.end())
        return; // a capture the operator asked for
    Plan &plan = it->second;
    const qint64 nowMs = m_clock->nowMs();
    plan.running = 0;
    plan.lastCaptureMs = nowMs;
    if (result->ok()) {
        plan.evidence.captures.push_back(result);
        if (static_cast<int>(plan.evidence.captures.size()) >= plan.evidence.wanted) {
            plan.evidence.state = Evidence::State::Ready;
        } else {
            plan.evidence.state = Evidence::State::Waiting;
            plan.dueMs = nowMs + plan.capture.spacingMs;
        }
    } else {
        plan.evidence.state = Evidence::State::Failed;
        plan.evidence.note = result->error;
        qCWarning(lcSession).noquote() << "auto-capture for" << it->first.toString() << "failed:" << result->error;
    }
    publish(plan);
}

void EvidenceCollector::publish(const Plan &plan)
{
    emit evidenceChanged(std::make_shared<const Evidence>(plan.evidence));
}

} // namespace gotriage::session
