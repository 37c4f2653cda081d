#pragma once

#include "palette.h"

#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QSharedPointer>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPAbstractItem;
class QCPAxisTickerDateTime;
class QCPTextElement;
class QLabel;
class QMouseEvent;
class QResizeEvent;

namespace gotriage::ui {

// One live chart over wall-clock time, on QCustomPlot: a few series on a
// left and optionally a right value axis. Drag pans and the wheel zooms the
// time axis; hovering shows the values under the cursor. Data arrives in
// setSeriesData(); nothing repaints until replot(). GUI thread only.
class TimeChart : public QWidget
{
    Q_OBJECT

public:
    enum class Axis { Left, Right };

    TimeChart(const QString &title, const QString &leftLabel, const QString &rightLabel = {},
              QWidget *parent = nullptr);
    ~TimeChart() override;

    // `scale` converts stored values to axis units (bytes -> MiB, s -> ms).
    // A series drawn in a palette role follows the colour scheme; one in a
    // fixed colour keeps it.
    int addSeries(const QString &name, palette::Role role, Axis axis = Axis::Left, double scale = 1.0,
                  const QString &unit = {});
    int addSeries(const QString &name, const QColor &color, Axis axis = Axis::Left, double scale = 1.0,
                  const QString &unit = {});
    // A dashed line (a fitted trend); hidden from the legend while empty.
    int addTrendSeries(const QString &name, palette::Role role, Axis axis = Axis::Left, double scale = 1.0);
    void setSeriesName(int series, const QString &name);
    void setTitle(const QString &title);
    QString title() const;
    void setSeriesData(int series, const std::vector<std::pair<std::int64_t, double>> &points);
    void setTimeRange(double fromSeconds, double toSeconds);
    // What the chart says while no series has a point (empty: nothing).
    void setEmptyText(const QString &text);
    // Vertical lines at moments that matter (an action sent, reverted),
    // labelled at the top; they replace the ones set before.
    struct Marker {
        double timeSeconds = 0;
        QString label; // "throttle image-resizer-1"
        QColor color;
        bool operator==(const Marker &) const = default;
    };
    void setMarkers(const std::vector<Marker> &markers);
    const std::vector<Marker> &markers() const { return m_markers; }
    QString shownEmptyText() const;
    std::pair<double, double> timeRange() const;
    // The plot's width in device pixels: how many columns a series needs.
    int plotWidthPixels() const;
    void replot();

    // The chart as a file of `format` ("png", "svg" or "pdf"), drawn at its
    // size on screen (PNG at the screen's pixel ratio); empty on an unknown
    // format. GUI thread: QCustomPlot draws here; the bytes are written elsewhere.
    QByteArray render(const QString &format) const;
    // Renders and writes `path` (its suffix says the format) on a worker
    // thread; exported() tells how it went.
    void exportTo(const QString &path);
    QImage toImage() const; // what Copy puts on the clipboard

    int pointCount(int series) const;
    QString hoverText(double timeSeconds) const;
    QCustomPlot *plot() const { return m_plot; }

signals:
    // The user panned or zoomed; the owner keeps sibling charts in step.
    void timeRangeChangedByUser(double fromSeconds, double toSeconds);
    // exportTo() wrote `path`, or why not (naming the file).
    void exported(const QString &path, const QString &error);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void onMouseMove(QMouseEvent *event);
    void restyle(); // colours, fonts and the clock from Appearance
    void fitTicks();
    void showContextMenu(const QPoint &pos); // Save chart as…, Copy chart
    void rescaleValueAxes();
    void fitLegend();
    void updateEmptyText();
    void placeEmptyLabel();

    struct SeriesInfo {
        QString name;
        QString unit;
        Axis axis;
        double scale;
        palette::Role role; // null: a fixed colour
    };

    QCustomPlot *m_plot;
    QCPTextElement *m_title = nullptr;
    QSharedPointer<QCPAxisTickerDateTime> m_ticker;
    QLabel *m_emptyLabel = nullptr;
    QString m_emptyText;
    std::vector<SeriesInfo> m_series;
    std::vector<Marker> m_markers;
    std::vector<QCPAbstractItem *> m_markerItems;
    bool m_settingRange = false;
};

} // namespace gotriage::ui
