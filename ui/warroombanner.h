#pragma once

#include <QFrame>
#include <QString>

class QLabel;

namespace gotriage::ui {

// The war room's top line, read from across the room: the incident clock
// and its impact on the left, the fleet's counts by severity in the middle
// (each with its shape and its word, never colour alone), the wall clock on
// the right. MainWindow fills it once a tick. GUI thread only.
class WarRoomBanner : public QFrame
{
    Q_OBJECT

public:
    struct Figures {
        QString incident; // "INCIDENT 00:12:34" or empty when none is open
        QString impact; // "errors 4.2 % of 1 830 req/s, rising" or why it is unknown
        int critical = 0; // services whose worst finding is critical
        int warning = 0;
        int stale = 0; // their numbers are old
        int down = 0;
        int up = 0;
        int total = 0;
        qint64 nowMs = 0;
    };

    explicit WarRoomBanner(QWidget *parent = nullptr);

    void setFigures(const Figures &figures);
    QString incidentText() const;
    QString countsText() const;

private:
    void restyle();

    QLabel *m_incident;
    QLabel *m_counts;
    QLabel *m_clock;
};

} // namespace gotriage::ui
