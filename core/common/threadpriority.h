#pragma once

#include <cstdint>

class QThread;

namespace gotriage::common {

// Nice levels a work thread runs below the thread that starts it.
inline constexpr int kWorkThreadNiceness = 5;

// The time slice a work thread asks for on EEVDF kernels (6.12 and later),
// against their 1.4 ms default on two cores.
inline constexpr std::int64_t kWorkThreadSliceNs = 6'000'000;

// Runs `thread` kWorkThreadNiceness nice levels below its starter (Linux
// threads have a nice value each), with a longer slice where the kernel
// takes one. On two cores the GUI thread waited up to 27 ms for a core behind
// the ingest thread (run-queue wait per tick, under --measure): a frame is
// late at 16 ms, a scrape parsed 20 ms later is not. The lower weight alone
// left waits of one tick (4 ms at HZ=250) behind the ingest or record thread
// on EEVDF kernels: a running thread keeps its slice against a waking one
// unless the waking one asks for a shorter slice. With the longer slice the
// GUI thread's run-queue wait p99 went from 2.2 to 1.8 ms and its longest
// stall from 19 to 15 ms (medians of 5 alternated bench scale runs at 2 000
// services). Call before thread.start().
void runBehindStarter(QThread &thread);

// The calling thread's nice value (for tests and --measure).
int currentThreadNiceness();

// The calling thread's time slice in ns, or -1 where the kernel does not
// show one (before EEVDF).
std::int64_t currentThreadSliceNs();

} // namespace gotriage::common
