#pragma once

#include "record/recordingsource.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QToolButton;

namespace gotriage::ui {

class ReplayTimeline;

// The replay's controls, under the window: play and pause (Space), the
// speed (1× to 1000×), the timeline to scrub, the previous and next
// finding, action or note (Alt+← / Alt+→), and a loop between two marks
// (A and B at the playhead, L to loop). It drives a RecordingSource, which
// does the work in the ingest thread; it only reads the playhead's clock.
// GUI thread only.
class PlayheadBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kRefreshMs = 100;
    static constexpr double kSpeeds[] = {1, 2, 5, 10, 30, 100, 300, 1000};

    explicit PlayheadBar(record::RecordingSource *source, QWidget *parent = nullptr);

    void setInfo(const record::RecordingInfoPtr &info);
    void addMarker(const record::ReplayMarker &marker);

    void togglePlay();
    void setSpeed(double rate); // snaps to the nearest offered speed
    void seek(qint64 tsMs);
    // Jumps to the previous (or next) marker before (after) the playhead;
    // false when there is none.
    bool jumpToMarker(int direction);
    void markLoopStart();
    void markLoopEnd();
    void setLooping(bool on);

    qint64 playhead() const;
    bool playing() const;
    double speed() const;
    const std::vector<record::ReplayMarker> &markers() const { return m_markers; }

signals:
    void seeked(qint64 tsMs); // the operator moved the playhead

private:
    void refresh();
    void applyLoop();

    record::RecordingSource *m_source;
    record::RecordingInfoPtr m_info;
    std::vector<record::ReplayMarker> m_markers;
    ReplayTimeline *m_timeline;
    QToolButton *m_play;
    QComboBox *m_speed;
    QToolButton *m_loop;
    QLabel *m_time;
    QTimer m_refresh;
    qint64 m_loopFromMs = 0, m_loopToMs = 0;
};

} // namespace gotriage::ui
