#pragma once

class QThread;

namespace gotriage::common {

// Frees the thread's OpenSSL state (libcurl's, and Qt's TLS backend's) in
// the thread itself as it finishes, before QThread::wait() returns.
//
// Qt's threads are detached: wait() returns before the thread has run its
// thread-local destructors, and OpenSSL's is one of them. OpenSSL's atexit
// cleanup frees every thread's state as well, so a process that returns
// from main() right after wait() could free the same block twice (ASan saw
// it in `gotriage-cli scrape` on a loaded CI machine). Released early, it
// leaves the two nothing to race on.
//
// Connect it after anything else that runs on `finished` in that thread
// (a deleteLater of an object that still holds connections).
void releaseTlsStateWhenFinished(QThread &thread);

} // namespace gotriage::common
