#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace gotriage::sim {

class SimService;

// What net/http/pprof would serve for a demo service, with stacks that tell
// its scenario: the leak's goroutines parked in `chan receive`, the creep's
// cache holding memory, the frenzy's allocations, the contention's mutex.

// /debug/pprof/goroutine?debug=2, in the Go >= 1.21 form ("created by X in
// goroutine N"), the minutes waited spread over the service's uptime.
QByteArray simGoroutineDump(const SimService &service);

// A profile as /debug/pprof/<name> serves it (gzipped protobuf): cpu
// ("profile"), heap, allocs, goroutine, block, mutex, threadcreate. For cpu,
// `cpuSeconds` is what the process spent over the profile's `seconds`.
// nullopt for a name pprof does not know.
std::optional<QByteArray> simProfile(const SimService &service, const QString &name, double seconds, double cpuSeconds);

} // namespace gotriage::sim
