#pragma once

// Work handed to an object in another thread, through that thread's event
// queue, in a way ThreadSanitizer can follow.
//
// Qt queues a call for another thread behind a lock inside libQt6Core.
// Debian's Qt is not built with TSan, so TSan cannot see that lock: to it,
// every capture written by the sender and read by the receiver is a race.
// These helpers tell TSan what Qt's queue guarantees: all that the sender
// wrote before posting happens before the receiver runs the work (and, for a
// blocking call, all that the work wrote happens before the sender goes on).
// In builds without TSan they add nothing but the call.

#include <QMetaObject>
#include <QObject>

#include <utility>

#if defined(__SANITIZE_THREAD__)
#define GOTRIAGE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOTRIAGE_TSAN 1
#endif
#endif

#if defined(GOTRIAGE_TSAN)
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#endif

namespace gotriage::common {

namespace handover_detail {

#if defined(GOTRIAGE_TSAN)
// One address for every hand-over: like Qt's per-thread queue locks, but
// coarser, which can only hide a race, never invent one.
inline char queueLock;
inline void release()
{
    __tsan_release(&queueLock);
}
inline void acquire()
{
    __tsan_acquire(&queueLock);
}
#else
inline void release()
{ }
inline void acquire()
{ }
#endif

// The release has to come after Qt has moved the work into its slot object,
// which happens inside invokeMethod. A member declared after the work is
// moved after it, so its move constructor is that moment.
struct ReleaseWhenMoved {
    ReleaseWhenMoved() = default;
    ReleaseWhenMoved(const ReleaseWhenMoved &) { release(); }
    ReleaseWhenMoved(ReleaseWhenMoved &&) noexcept { release(); }
    ReleaseWhenMoved &operator=(const ReleaseWhenMoved &) = delete;
    ReleaseWhenMoved &operator=(ReleaseWhenMoved &&) = delete;
    // Destroyed before the work (members go in reverse), in whichever
    // thread drops an undelivered call.
    ~ReleaseWhenMoved() { acquire(); }
};

template<typename F> struct Handed {
    F work;
    ReleaseWhenMoved fence; // after `work`: see ReleaseWhenMoved

    void operator()()
    {
        acquire();
        work();
        release(); // for a blocking caller, which acquires when it goes on
    }
};

} // namespace handover_detail

// Runs `work` in `receiver`'s thread, later (Qt::QueuedConnection).
template<typename F> void postTo(QObject *receiver, F &&work)
{
    QMetaObject::invokeMethod(receiver, handover_detail::Handed<std::decay_t<F>>{std::forward<F>(work), {}},
                              Qt::QueuedConnection);
}

// Runs `work` in `receiver`'s thread and waits for it
// (Qt::BlockingQueuedConnection: never from that thread itself).
template<typename F> void runIn(QObject *receiver, F &&work)
{
    QMetaObject::invokeMethod(receiver, handover_detail::Handed<std::decay_t<F>>{std::forward<F>(work), {}},
                              Qt::BlockingQueuedConnection);
    handover_detail::acquire();
}

} // namespace gotriage::common
