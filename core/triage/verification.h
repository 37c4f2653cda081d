#pragma once

#include "config/actioncatalog.h"
#include "signals/vitalsderiver.h"

#include <QStringList>

namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::triage {

struct ActionRun;

// Whether an action did what it was for, from the service's vitals before
// and after it, and which numbers decided.
struct ActionVerdict {
    bool decided = false; // enough data after the action to judge
    bool effective = false;
    QStringList decidedBy; // "req_rate 24.6/s after, at most 25/s expected"
    QString summary() const; // "effective: …", "not effective: …", "not decided yet: …"
};

// Compares `windowMs` before the action was sent with the time since it
// (after `settleMs`, so the change can take hold: by default the window
// rates are derived over, so that no sample after it mixes in the time
// before), up to `nowMs`: the
// action's expectation (`expect_vital` at most `expect_at_most`) decides
// when it has one; otherwise an error ratio that fell, or a goroutine or
// heap slope that flattened, makes it effective.
// Whether `expect_vital` names something verification can read: a vital
// ("req_rate") or "admitted_rate" (req_rate less shed_rate).
bool isExpectable(const QString &name);

ActionVerdict verifyAction(const store::SeriesStore &store, const config::ActionSpec &action, const ActionRun &run,
                           qint64 nowMs, qint64 windowMs = 60'000,
                           qint64 settleMs = vitals::VitalsDeriver::kRateWindowMs);

} // namespace gotriage::triage
