#pragma once

#include <QApplication>
#include <QHash>
#include <QString>

namespace gotriage::ui {

// The application object, able to time every event the GUI thread's event
// loop delivers (--measure). EventLoopProbe tells how long the stalls were;
// this tells what made them: the receiver's class and the event's type, so
// that a stall is a name to look for in the code, not only a number.
class MeasuredApplication : public QApplication
{
public:
    MeasuredApplication(int &argc, char **argv);

    // Times events from now on (off by default: a clock read per event).
    void startTiming();
    // The kinds of event that cost most, dearest first: each with its
    // longest delivery in the thread's CPU time (what the code costs; the
    // wall time also holds waits for a core), that delivery's wall time,
    // and how many deliveries cost 8 ms or more.
    QString slowestEvents(int kinds) const;

    bool notify(QObject *receiver, QEvent *event) override;

private:
    struct Kind {
        double maxCpuMs = 0;
        double wallMsOfMax = 0;
        int overBudget = 0; // deliveries of 8 ms or more (CPU)
    };
    static QString describe(const QObject *receiver, const QEvent *event);

    bool m_timing = false;
    int m_depth = 0; // notify() inside notify(): only the outermost is a loop's delivery
    QHash<QString, Kind> m_kinds;
};

} // namespace gotriage::ui
