#pragma once

#include "record/recordingsource.h"

#include <QWidget>

#include <vector>

namespace gotriage::ui {

// The recording as a strip: its span, a tick per finding (red), action
// (cyan) and note (amber), the loop range, and the playhead. Click or drag
// to scrub; what is under the mouse is told in a tooltip. GUI thread only.
class ReplayTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit ReplayTimeline(QWidget *parent = nullptr);

    void setRange(qint64 firstMs, qint64 lastMs);
    void setMarkers(const std::vector<record::ReplayMarker> &markers);
    void setPlayhead(qint64 tsMs);
    void setLoop(qint64 fromMs, qint64 toMs); // toMs <= fromMs: none
    qint64 playhead() const { return m_playheadMs; }

    QSize sizeHint() const override { return {600, 28}; }
    QSize minimumSizeHint() const override { return {120, 24}; }

signals:
    // While dragging, at most every few frames; once more on release.
    void seekRequested(qint64 tsMs);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override; // tooltips

private:
    double xOf(qint64 tsMs) const;
    qint64 timeAt(double x) const;
    const record::ReplayMarker *markerNear(double x) const;

    qint64 m_firstMs = 0, m_lastMs = 0;
    qint64 m_playheadMs = 0;
    qint64 m_loopFromMs = 0, m_loopToMs = 0;
    std::vector<record::ReplayMarker> m_markers;
    bool m_dragging = false;
    qint64 m_lastDragSeekMs = 0; // wall time of the last seek sent while dragging
};

} // namespace gotriage::ui
