#include "threadpriority.h"

#include <QObject>
#include <QThread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace gotriage::common {

namespace {

id_t currentThreadId()
{
    return static_cast<id_t>(::syscall(SYS_gettid));
}

} // namespace

int currentThreadNiceness()
{
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, currentThreadId());
    return errno == 0 ? nice : 0;
}

void runBehindStarter(QThread &thread)
{
    const int target = std::min(19, currentThreadNiceness() + kWorkThreadNiceness);
    // In the thread itself, as it starts: a thread's nice value is its own.
    // Failing (a sandbox that forbids it) leaves it where it was.
    QObject::connect(
        &thread, &QThread::started, &thread, [target] { ::setpriority(PRIO_PROCESS, currentThreadId(), target); },
        Qt::DirectConnection);
}

} // namespace gotriage::common
