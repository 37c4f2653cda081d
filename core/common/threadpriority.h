#pragma once

class QThread;

namespace gotriage::common {

// Nice levels a work thread runs below the thread that starts it.
inline constexpr int kWorkThreadNiceness = 5;

// Runs `thread` kWorkThreadNiceness nice levels below its starter (Linux
// threads have a nice value each). On two cores the GUI thread waited up to
// 27 ms for a core behind the ingest thread (run-queue wait per tick, under
// --measure): a frame is late at 16 ms, a scrape parsed 20 ms later is not.
// Call before thread.start().
void runBehindStarter(QThread &thread);

// The calling thread's nice value (for tests and --measure).
int currentThreadNiceness();

} // namespace gotriage::common
