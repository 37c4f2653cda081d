#pragma once

#include "analysis/finding.h"
#include "ingest/profilecapture.h"

#include <QMetaType>

#include <memory>
#include <optional>
#include <vector>

namespace gotriage::session {

// What gotriage captured by itself when a finding was raised: the finding's
// next step, run (two goroutine dumps a minute apart, two heap profiles, an
// allocs profile, a CPU profile). Immutable once made; each change is a new
// Evidence.
struct Evidence {
    enum class State {
        Waiting, // the next capture is due later (spacing), or the capture budget is spent for now
        Capturing,
        Ready, // every capture is in
        Failed, // a capture failed: `note` says why; the captures made are kept
        Skipped, // auto-capture is off, or the budget ran out before the first capture
    };

    analysis::FindingKey key;
    analysis::NextStep step;
    ingest::CaptureKind kind = ingest::CaptureKind::GoroutineText;
    State state = State::Waiting;
    int wanted = 1; // captures the step asks for
    std::vector<ingest::CaptureResultPtr> captures; // the good ones, in the order taken
    QString note; // why it failed or was skipped
    qint64 raisedMs = 0; // when the finding was raised (session clock)

    bool ready() const { return state == State::Ready; }
};
using EvidencePtr = std::shared_ptr<const Evidence>;

QString evidenceStateName(Evidence::State state); // "waiting", "capturing", "ready", "failed", "skipped"

// What a finding's next step captures, if anything: goroutine dumps (text,
// debug=2), heap, allocs or CPU profiles.
struct CapturePlan {
    ingest::CaptureKind kind = ingest::CaptureKind::GoroutineText;
    int count = 1;
    qint64 spacingMs = 0;
    int seconds = 0; // a CPU profile's length
};
std::optional<CapturePlan> capturePlanFor(const analysis::NextStep &step);

} // namespace gotriage::session

Q_DECLARE_METATYPE(gotriage::session::EvidencePtr)
