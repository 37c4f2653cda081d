#pragma once

#include "formats/goroutinedump.h"

#include <optional>
#include <string>
#include <vector>

namespace gotriage::diagnose {

// Goroutines that wait the same way on the same stack: what a leak looks
// like (820 goroutines parked in `chan receive` at faults.go:135). The wait
// time is not part of the key: "[chan receive]" and "[chan receive, 5
// minutes]" on one stack are one group.
struct GoroutineGroup {
    std::string state; // "chan receive", without the minutes
    std::vector<formats::GoroutineFrame> frames; // innermost first
    std::optional<formats::GoroutineFrame> createdBy; // of the first goroutine seen
    int count = 0;
    int growth = 0; // with a diff: count minus the older dump's count of the same group
    std::optional<int> maxWaitMinutes;
    int lockedToThread = 0;
    bool leakState = false; // parked where leaked goroutines wait (isLeakState)
};

// The classic states of a leaked goroutine: chan receive, chan send,
// select, IO wait, semacquire, sync.Mutex.Lock, sync.Cond.Wait (and their
// variants, such as "chan receive (nil chan)").
bool isLeakState(const std::string &state);

// Groups a dump, largest group first (then leak states, then state and
// top frame, so the order is stable).
std::vector<GoroutineGroup> groupGoroutines(const std::vector<formats::Goroutine> &goroutines);

// The newer dump's groups with their growth since the older one, the
// largest growth first: the leak suspects lead. Groups that vanished are
// listed too, with their negative growth and a count of 0.
std::vector<GoroutineGroup> diffGoroutineGroups(const std::vector<GoroutineGroup> &older,
                                                const std::vector<GoroutineGroup> &newer);

} // namespace gotriage::diagnose
