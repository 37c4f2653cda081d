#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace gotriage::ingest {

// One timer for the periodic ticks of many objects on one thread. Qt keeps a
// thread's timers in one sorted list: with a QTimer per service, re-arming
// each of 2 000 once a second walks that list twice (5 % of the ingest
// thread at 2 000 services), and every other timer of the thread pays the
// same walk. Here a tick is a heap push and a hash insert.
//
// Lives in the thread that created it and is used only from there. A tick
// runs from the event loop, never from inside callAfter() or cancel().
class TickScheduler : public QObject
{
    Q_OBJECT

public:
    using Id = quint64;

    explicit TickScheduler(QObject *parent = nullptr);

    // Runs `tick` once, `delayMs` from now and never sooner (as a
    // Qt::PreciseTimer would); the id cancels it.
    Id callAfter(qint64 delayMs, std::function<void()> tick);
    // Forgets a tick that has not run; an unknown or past id is ignored.
    void cancel(Id id);
    int pending() const { return static_cast<int>(m_ticks.size()); }

private:
    void onTimer();
    void arm();

    struct Due {
        qint64 atNs; // on m_clock
        Id id;
        bool operator>(const Due &other) const { return atNs != other.atNs ? atNs > other.atNs : id > other.id; }
    };
    // Soonest first; a cancelled tick's entry lapses here.
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
    std::unordered_map<Id, std::function<void()>> m_ticks;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_armedAtNs = -1; // when m_timer fires, if it is running
    Id m_nextId = 1;
};

} // namespace gotriage::ingest
