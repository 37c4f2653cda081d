#include "threadpriority.h"

#include <QObject>
#include <QThread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include <sched.h>

namespace gotriage::common {

namespace {

id_t currentThreadId()
{
    return static_cast<id_t>(::syscall(SYS_gettid));
}

// struct sched_attr of sched_setattr(2); glibc 2.36 has no wrapper.
struct SchedAttr {
    std::uint32_t size = sizeof(SchedAttr);
    std::uint32_t policy = SCHED_OTHER;
    std::uint64_t flags = 0;
    std::int32_t niceness = 0;
    std::uint32_t priority = 0;
    std::uint64_t runtimeNs = 0; // for SCHED_OTHER on EEVDF kernels: the slice
    std::uint64_t deadlineNs = 0;
    std::uint64_t periodNs = 0;
};

} // namespace

int currentThreadNiceness()
{
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, currentThreadId());
    return errno == 0 ? nice : 0;
}

std::int64_t currentThreadSliceNs()
{
    // "se.slice  :  1400000" in /proc/thread-self/sched (EEVDF kernels).
    std::ifstream sched("/proc/thread-self/sched");
    for (std::string line; std::getline(sched, line);) {
        if (line.rfind("se.slice", 0) != 0)
            continue;
        const auto colon = line.find(':');
        return colon == std::string::npos ? -1 : std::atoll(line.c_str() + colon + 1);
    }
    return -1;
}

void runBehindStarter(QThread &thread)
{
    const int target = std::min(19, currentThreadNiceness() + kWorkThreadNiceness);
    // In the thread itself, as it starts: a thread's nice value is its own.
    // Failing (a sandbox that forbids it) leaves it where it was.
    QObject::connect(
        &thread, &QThread::started, &thread,
        [target] {
            // Kernels before 6.12 ignore sched_runtime for this policy, and
            // the nice value alone applies.
            SchedAttr attr;
            attr.niceness = target;
            attr.runtimeNs = kWorkThreadSliceNs;
            if (::syscall(SYS_sched_setattr, currentThreadId(), &attr, 0u) != 0)
                ::setpriority(PRIO_PROCESS, currentThreadId(), target);
        },
        Qt::DirectConnection);
}

} // namespace gotriage::common
