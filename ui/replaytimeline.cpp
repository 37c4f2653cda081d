#include "replaytimeline.h"

#include "appearance.h"
#include "palette.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace gotriage::ui {

namespace {

constexpr int kMargin = 6; // px left and right, so the ends can be clicked
constexpr double kPickPx = 4; // how near a marker the mouse must be for its tooltip
constexpr qint64 kDragSeekIntervalMs = 80; // a seek reloads context: not on every mouse move

QColor markerColour(record::ReplayMarker::Kind kind)
{
    switch (kind) {
    case record::ReplayMarker::Kind::Finding:
        return palette::colours().critical;
    case record::ReplayMarker::Kind::Action:
        return palette::colours().actionSent;
    case record::ReplayMarker::Kind::Note:
        break;
    }
    return palette::colours().noteMarker;
}

qint64 steadyMs()
{
    static QElapsedTimer timer;
    if (!timer.isValid())
        timer.start();
    return timer.elapsed();
}

} // namespace

ReplayTimeline::ReplayTimeline(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setCursor(Qt::PointingHandCursor);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Replay timeline"));
}

void ReplayTimeline::setRange(qint64 firstMs, qint64 lastMs)
{
    m_firstMs = firstMs;
    m_lastMs = std::max(lastMs, firstMs + 1);
    update();
}

void ReplayTimeline::setMarkers(const std::vector<record::ReplayMarker> &markers)
{
    m_markers = markers;
    update();
}

void ReplayTimeline::setPlayhead(qint64 tsMs)
{
    if (tsMs == m_playheadMs || m_dragging)
        return;
    m_playheadMs = tsMs;
    update();
}

void ReplayTimeline::setLoop(qint64 fromMs, qint64 toMs)
{
    m_loopFromMs = fromMs;
    m_loopToMs = toMs;
    update();
}

double ReplayTimeline::xOf(qint64 tsMs) const
{
    const double span = static_cast<double>(m_lastMs - m_firstMs);
    // Until a recording is open (or when it holds one moment) there is no
    // span: everything sits at the start rather than at NaN.
    if (span <= 0)
        return kMargin;
    const double width = std::max(1, this->width() - 2 * kMargin);
    return kMargin + width * static_cast<double>(std::clamp(tsMs, m_firstMs, m_lastMs) - m_firstMs) / span;
}

qint64 ReplayTimeline::timeAt(double x) const
{
    const double width = std::max(1, this->width() - 2 * kMargin);
    const double share = std::clamp((x - kMargin) / width, 0.0, 1.0);
    return m_firstMs + std::llround(share * static_cast<double>(m_lastMs - m_firstMs));
}

const record::ReplayMarker *ReplayTimeline::markerNear(double x) const
{
    const record::ReplayMarker *best = nullptr;
    double bestDistance = kPickPx;
    for (const record::ReplayMarker &marker : m_markers) {
        const double distance = std::abs(xOf(marker.tsMs) - x);
        if (distance <= bestDistance) {
            best = &marker;
            bestDistance = distance;
        }
    }
    return best;
}

void ReplayTimeline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, false);
    const int h = height();
    const QRect track(kMargin, h / 2 - 3, width() - 2 * kMargin, 6);
    painter.fillRect(track, palette::colours().timelineTrack);
    if (m_loopToMs > m_loopFromMs) {
        const double from = xOf(m_loopFromMs), to = xOf(m_loopToMs);
        painter.fillRect(QRectF(from, 2, std::max(2.0, to - from), h - 4), palette::colours().timelineLoop);
    }
    // Played part of the track, so the playhead's place reads at a glance.
    painter.fillRect(QRectF(track.left(), track.top(), xOf(m_playheadMs) - track.left(), track.height()),
                     palette::colours().muted);
    for (const record::ReplayMarker &marker : m_markers) {
        const double x = xOf(marker.tsMs);
        painter.setPen(QPen(markerColour(marker.kind), 2));
        // Findings above the track, actions and notes below: they stay apart when close.
        if (marker.kind == record::ReplayMarker::Kind::Finding)
            painter.drawLine(QPointF(x, 2), QPointF(x, h / 2.0 - 3));
        else
            painter.drawLine(QPointF(x, h / 2.0 + 3), QPointF(x, h - 2));
    }
    const double x = xOf(m_playheadMs);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(palette::colours().playhead);
    painter.drawRect(QRectF(x - 1, 0, 2, h));
    painter.drawEllipse(QPointF(x, h / 2.0), 5, 5);
}

void ReplayTimeline::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_dragging = true;
    m_playheadMs = timeAt(event->position().x());
    m_lastDragSeekMs = steadyMs();
    update();
    emit seekRequested(m_playheadMs);
}

void ReplayTimeline::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    m_playheadMs = timeAt(event->position().x());
    update();
    if (steadyMs() - m_lastDragSeekMs >= kDragSeekIntervalMs) {
        m_lastDragSeekMs = steadyMs();
        emit seekRequested(m_playheadMs);
    }
}

void ReplayTimeline::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragging || event->button() != Qt::LeftButton)
        return;
    m_dragging = false;
    m_playheadMs = timeAt(event->position().x());
    update();
    emit seekRequested(m_playheadMs);
}

bool ReplayTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const double x = help->pos().x();
        const record::ReplayMarker *marker = markerNear(x);
        const qint64 t = marker ? marker->tsMs : timeAt(x);
        QString text = Appearance::instance().clockText(t);
        if (marker)
            text += QStringLiteral(" · %1%2").arg(marker->service.isEmpty() ? QString() : marker->service + u' ',
                                                  marker->text);
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace gotriage::ui
