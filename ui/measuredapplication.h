#pragma once

#include <QApplication>
#include <QEvent>
#include <QHash>
#include <QString>

#include <vector>

namespace gotriage::ui {

// The application object, able to time every event the GUI thread's event
// loop delivers (--measure). EventLoopProbe tells how long the stalls were;
// this tells what made them: the receiver's class and the event's type, so
// that a stall is a name to look for in the code, not only a number.
class MeasuredApplication : public QApplication
{
public:
    MeasuredApplication(int &argc, char **argv);

    // Times events from now on, the ledger emptied (off by default: a
    // clock read per event).
    void startTiming();
    // The kinds of event that cost most, dearest first: each with its
    // longest delivery in the thread's CPU time (what the code costs; the
    // wall time also holds waits for a core), that delivery's wall time,
    // and how many deliveries cost 8 ms or more.
    QString slowestEvents(int kinds) const;
    // The pass of the event loop (from one wait for events to the next)
    // that cost most CPU, and its dearest events: a stall made of many
    // short events run back to back shows here, not in slowestEvents().
    QString longestTurn(int parts) const;

    bool notify(QObject *receiver, QEvent *event) override;

private:
    struct Kind {
        double maxCpuMs = 0;
        double wallMsOfMax = 0;
        int overBudget = 0; // deliveries of 8 ms or more (CPU)
    };
    // What a delivery was, taken before it (the receiver may be gone after).
    struct Delivery {
        const QMetaObject *meta = nullptr;
        QString name;
        const QMetaObject *parentMeta = nullptr;
        QEvent::Type type = QEvent::None;
        double cpuMs = 0;
        QString describe() const;
    };
    struct Turn {
        double cpuMs = 0;
        int events = 0;
        std::vector<Delivery> dearest; // deliveries of 0.5 ms or more
    };
    void endTurn();

    bool m_timing = false;
    int m_depth = 0; // notify() inside notify(): only the outermost is a loop's delivery
    QHash<QString, Kind> m_kinds;
    Turn m_turn; // the pass under way
    Turn m_longestTurn;
};

} // namespace gotriage::ui
