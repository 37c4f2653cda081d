#pragma once

#include "analysis/finding.h"
#include "triage/candidates.h"
#include "triage/impact.h"
#include "triage/incident.h"

#include <QStringList>

#include <optional>
#include <vector>

namespace gotriage::triage {

// One line of a step's checklist. Most are ticked by live data ("core error
// ratio falling"); the operator can tick any by hand, which is recorded.
struct ChecklistItem {
    QString key; // stable while the text moves with the data: "impact", "evidence:checkout-api-1"
    QString text; // "core error ratio 12.0 % and rising (3.1 errors/s of 26 requests/s)"
    bool done = false; // by the data, or ticked by hand
    bool byHand = false; // ticked by the operator
};

// What the checklists are made from: the live state of the fleet and the
// incident so far.
struct ChecklistInput {
    Impact impact;
    std::vector<analysis::Finding> findings; // active, fleet-wide
    QStringList evidenceReady; // services whose evidence has been captured
    std::vector<Candidate> candidates; // ranked
    QStringList effectiveActions; // ids of actions verified effective
};

std::vector<ChecklistItem> checklistFor(Step step, const ChecklistInput &input, const Incident &incident);

// An incident gotriage proposes when none is open: the worst battlefield
// finding of the fleet (critical before warning, then the oldest).
struct SuggestedIncident {
    QString title; // "goroutine leak on checkout-api-1"
    QString findingKey; // "checkout-api-1/goroutine_leak"
    QString service;
};
// Read where the findings are kept, by service: copying a fleet's findings
// into one list cost the GUI thread up to 6 ms at 2 000 services.
std::optional<SuggestedIncident> suggestIncident(const FindingsByService &findingsByService);

// The same pick, made as the findings are walked for something else (the
// ranking, a slice of services at a time): walking 10 000 services' findings
// again for it alone took up to 10 ms. Keeps a copy of the worst so far.
class IncidentPicker
{
public:
    void consider(const std::vector<analysis::Finding> &findings);
    std::optional<SuggestedIncident> suggestion() const;

private:
    std::optional<analysis::Finding> m_worst;
};

// "goroutine leak", "memory black hole", …: a finding kind in words.
QString kindWords(analysis::FindingKind kind);

} // namespace gotriage::triage
