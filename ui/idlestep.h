#pragma once

#include <QString>
#include <QTimer>

#include <functional>

namespace gotriage::ui {

// A step of GUI-thread work that runs after the timers that are due.
//
// Work continued through queued calls (a batch of reports applied 4 ms at a
// time, six charts redrawn one by one) let Qt's GLib event loop run the
// timers that were due (the refresh, the stall probe) only after every
// second step: posted events come first, and after timers fired they wait
// for a turn with nothing posted (tst_guicost measures it). Two steps back
// to back were the GUI thread's longest stalls at 2 000 services. A
// zero-interval timer is one of the timers, so those due run between any
// two steps.
class IdleStep
{
public:
    // `name` names the step's timer in the --measure ledger.
    IdleStep(QObject *context, const QString &name, std::function<void()> step);

    // Runs the step once, on a coming turn; scheduling it again before then
    // does nothing more.
    void schedule() { m_timer.start(); }
    void cancel() { m_timer.stop(); }
    bool isScheduled() const { return m_timer.isActive(); }

private:
    QTimer m_timer;
};

} // namespace gotriage::ui
