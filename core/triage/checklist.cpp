#include "checklist.h"

#include <QSet>

#include <algorithm>

namespace gotriage::triage {

namespace {

constexpr double kNormalErrorRatio = 0.01; // 1 %: under it the core is taken as healthy

// Items ticked by hand, by key: the last ChecklistChecked event for each.
QSet<QString> tickedByHand(const Incident &incident)
{
    QSet<QString> ticked;
    for (const IncidentEvent &e : incident.timeline()) {
        if (e.type != IncidentEvent::Type::ChecklistChecked)
            continue;
        const QString key = e.details.value(QStringLiteral("key")).toString(e.text);
        if (e.details.value(QStringLiteral("checked")).toBool())
            ticked.insert(key);
        else
            ticked.remove(key);
    }
    return ticked;
}

bool hasEvent(const Incident &incident, IncidentEvent::Type type, std::optional<Step> step = std::nullopt)
{
    return std::any_of(incident.timeline().begin(), incident.timeline().end(),
                       [&](const IncidentEvent &e) { return e.type == type && (!step || e.step == *step); });
}

std::vector<const analysis::Finding *> battlefields(const std::vector<analysis::Finding> &findings)
{
    std::vector<const analysis::Finding *> out;
    for (const analysis::Finding &f : findings) {
        if (analysis::isBattlefield(f.kind))
            out.push_back(&f);
    }
    // Worst first, then by service: the findings come in no set order.
    std::stable_sort(out.begin(), out.end(), [](const analysis::Finding *a, const analysis::Finding *b) {
        return a->severity != b->severity ? a->severity > b->severity : a->service < b->service;
    });
    return out;
}

QString impactText(const Impact &impact)
{
    return impact.known ? impact.summary()
                        : QStringLiteral("core impact unknown: no core service reports its requests yet");
}

bool impactNormal(const Impact &impact)
{
    return impact.known && (impact.errorRatio < kNormalErrorRatio || impact.trend() == QLatin1String("falling"));
}

QString servicesText(const std::vector<const analysis::Finding *> &sick)
{
    QStringList names;
    for (const analysis::Finding *f : sick) {
        if (!names.contains(f->service))
            names << f->service;
    }
    if (names.isEmpty())
        return QStringLiteral("no service has a resource finding");
    const int shown = std::min<int>(3, static_cast<int>(names.size()));
    QString text = (names.size() == 1 ? QStringLiteral("1 service with findings: ")
                                      : QStringLiteral("%1 services with findings: ").arg(names.size()))
        + names.mid(0, shown).join(QStringLiteral(", "));
    if (names.size() > shown)
        text += QStringLiteral(" and %1 more").arg(names.size() - shown);
    return text;
}

void stopTheBleeding(const ChecklistInput &in, const Incident &incident, std::vector<ChecklistItem> &out)
{
    const auto sick = battlefields(in.findings);
    out.push_back({QStringLiteral("impact"), impactText(in.impact), impactNormal(in.impact)});
    out.push_back({QStringLiteral("findings"), servicesText(sick), sick.empty()});
    const QString top = in.candidates.empty() ? QString() : in.candidates.front().service;
    out.push_back({QStringLiteral("act"),
                   top.isEmpty() ? QStringLiteral("throttle, circuit-break or degrade what drags the core down")
                                 : QStringLiteral("throttle, circuit-break or degrade the top candidate (%1)").arg(top),
                   !incident.activeActions().isEmpty()});
    out.push_back({QStringLiteral("verified"), QStringLiteral("see the action verified effective"),
                   !in.effectiveActions.isEmpty()});
}

void diagnose(const ChecklistInput &in, const Incident &incident, std::vector<ChecklistItem> &out)
{
    QStringList seen;
    for (const analysis::Finding *f : battlefields(in.findings)) {
        if (seen.contains(f->service) || seen.size() == 3)
            continue;
        seen << f->service;
        const bool ready = in.evidenceReady.contains(f->service);
        out.push_back({QStringLiteral("evidence:") + f->service,
                       ready ? QStringLiteral("evidence captured for %1 (%2)").arg(f->service, kindWords(f->kind))
                             : QStringLiteral("capture evidence for %1 (%2)").arg(f->service, kindWords(f->kind)),
                       ready});
    }
    out.push_back({QStringLiteral("hotspots"),
                   QStringLiteral("read the hotspots, goroutine groups or heap growth in the Diagnose tab"), false});
    out.push_back({QStringLiteral("cause"), QStringLiteral("write down the suspected cause (a note)"),
                   hasEvent(incident, IncidentEvent::Type::Note, Step::Diagnose)});
}

void cure(const ChecklistInput &in, const Incident &incident, std::vector<ChecklistItem> &out)
{
    out.push_back({QStringLiteral("fix"), QStringLiteral("apply the fix or hot-config change"),
                   hasEvent(incident, IncidentEvent::Type::ActionSent, Step::Cure)});
    const auto sick = battlefields(in.findings);
    out.push_back({QStringLiteral("recovered"),
                   sick.empty()
                       ? QStringLiteral("vitals recovered: no resource finding is active")
                       : QStringLiteral("vitals recovered (%1 resource findings still active)").arg(sick.size()),
                   sick.empty()});
    out.push_back({QStringLiteral("core"), impactText(in.impact), impactNormal(in.impact)});
    const qsizetype active = incident.activeActions().size();
    out.push_back({QStringLiteral("reverted"),
                   active == 0 ? QStringLiteral("no temporary action left in place")
                               : QStringLiteral("revert the temporary actions (%1 still in place)").arg(active),
                   active == 0});
    out.push_back({QStringLiteral("closing"), QStringLiteral("note what fixed it, then close the incident"),
                   hasEvent(incident, IncidentEvent::Type::Note, Step::Cure)});
}

} // namespace

std::vector<ChecklistItem> checklistFor(Step step, const ChecklistInput &input, const Incident &incident)
{
    std::vector<ChecklistItem> out;
    switch (step) {
    case Step::StopTheBleeding:
        stopTheBleeding(input, incident, out);
        break;
    case Step::Diagnose:
        diagnose(input, incident, out);
        break;
    case Step::Cure:
        cure(input, incident, out);
        break;
    }
    const QSet<QString> ticked = tickedByHand(incident);
    for (ChecklistItem &item : out) {
        item.byHand = ticked.contains(item.key);
        item.done = item.done || item.byHand;
    }
    return out;
}

QString kindWords(analysis::FindingKind kind)
{
    switch (kind) {
    case analysis::FindingKind::GoroutineLeak:
        return QStringLiteral("goroutine leak");
    case analysis::FindingKind::MemoryBlackHole:
        return QStringLiteral("memory black hole");
    case analysis::FindingKind::GcFrenzy:
        return QStringLiteral("GC frenzy");
    case analysis::FindingKind::CpuSaturation:
        return QStringLiteral("CPU saturation");
    case analysis::FindingKind::Stale:
        return QStringLiteral("no data");
    case analysis::FindingKind::Config:
        return QStringLiteral("runtime setting");
    }
    return {};
}

std::optional<SuggestedIncident> suggestIncident(const FindingsByService &findingsByService)
{
    IncidentPicker picker;
    for (const auto &[service, findings] : findingsByService)
        picker.consider(findings);
    return picker.suggestion();
}

void IncidentPicker::consider(const std::vector<analysis::Finding> &findings)
{
    for (const analysis::Finding &f : findings) {
        if (!analysis::isBattlefield(f.kind))
            continue;
        // The worst, then the oldest, then by name: the same whatever order
        // the services come in.
        const analysis::Finding *worst = m_worst ? &*m_worst : nullptr;
        if (!worst || f.severity > worst->severity
            || (f.severity == worst->severity
                && (f.sinceMs < worst->sinceMs || (f.sinceMs == worst->sinceMs && f.service < worst->service))))
            m_worst = f;
    }
}

std::optional<SuggestedIncident> IncidentPicker::suggestion() const
{
    if (!m_worst)
        return std::nullopt;
    return SuggestedIncident{QStringLiteral("%1 on %2").arg(kindWords(m_worst->kind), m_worst->service),
                             m_worst->key().toString(), m_worst->service};
}

} // namespace gotriage::triage
