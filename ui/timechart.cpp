#include "timechart.h"

#include "appearance.h"

#include "qcp.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QLabel>
#include <QMenu>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QtConcurrent/QtConcurrentRun>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace gotriage::ui {

namespace {

void styleAxis(QCPAxis *axis, const QFont &font)
{
    const palette::Colours &c = palette::colours();
    axis->setBasePen(QPen(c.muted));
    axis->setTickPen(QPen(c.muted));
    axis->setSubTickPen(QPen(c.muted));
    axis->setTickLabelColor(c.muted);
    axis->setLabelColor(c.muted);
    axis->setTickLabelFont(font);
    axis->setLabelFont(font);
    axis->grid()->setPen(QPen(c.grid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(QPen(c.grid));
}

} // namespace

TimeChart::TimeChart(const QString &title, const QString &leftLabel, const QString &rightLabel, QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    // QCustomPlot repaints at once after a replot by default, and a widget's
    // repaint() paints every dirty widget of its window then and there: with
    // six charts, the fleet tables were painted six times a second, each
    // paint a stall of the GUI thread. Painted with the window's next frame.
    m_plot->setPlottingHint(QCP::phImmediateRefresh, false);
    setMinimumHeight(125);
    // Said in the plot when there is nothing to draw, so that an empty chart
    // tells why ("no latency histogram found …") instead of looking broken.
    m_emptyLabel = new QLabel(this);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->hide();

    m_plot->plotLayout()->insertRow(0);
    m_title = new QCPTextElement(m_plot, title);
    m_plot->plotLayout()->addElement(0, 0, m_title);

    m_ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    m_ticker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
    m_plot->xAxis->setTicker(m_ticker);
    m_plot->yAxis->setLabel(leftLabel);
    if (!rightLabel.isEmpty()) {
        m_plot->yAxis2->setVisible(true);
        m_plot->yAxis2->setLabel(rightLabel);
        m_plot->yAxis2->grid()->setVisible(false);
    }
    // The legend sits in a row of its own under the title, one line across,
    // rather than inside the axis rect, where it hid the oldest minutes.
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->insertRow(1);
    auto *legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, legendRow);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    legendRow->addElement(0, 0, m_plot->legend);
    legendRow->addElement(0, 1, new QCPLayoutElement(m_plot)); // takes the rest of the row
    legendRow->setColumnStretchFactor(0, 0.001); // entries packed to the left, not spread out
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 0));
    restyle();
    connect(&Appearance::instance(), &Appearance::changed, this, [this] {
        restyle();
        fitTicks();
        fitLegend();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });

    // Only the time axis pans and zooms; value axes follow the data.
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this](const QCPRange &range) {
        if (!m_settingRange) {
            rescaleValueAxes();
            emit timeRangeChangedByUser(range.lower, range.upper);
        }
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, &TimeChart::onMouseMove);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &TimeChart::showContextMenu);
}

TimeChart::~TimeChart() = default;

void TimeChart::setTitle(const QString &title)
{
    m_title->setText(title);
}

void TimeChart::setMarkers(const std::vector<Marker> &markers)
{
    if (markers == m_markers)
        return;
    m_markers = markers;
    for (QCPAbstractItem *item : m_markerItems)
        m_plot->removeItem(item);
    m_markerItems.clear();
    // Labels step down in turn: a revert soon after its send (or a few
    // actions close together) would otherwise print over each other.
    for (std::size_t i = 0; i < m_markers.size(); ++i) {
        const Marker &marker = m_markers[i];
        auto *line = new QCPItemStraightLine(m_plot);
        line->setPen(QPen(marker.color, 1.4, Qt::DashLine));
        line->point1->setCoords(marker.timeSeconds, 0);
        line->point2->setCoords(marker.timeSeconds, 1);
        line->setSelectable(false);
        auto *text = new QCPItemText(m_plot);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(marker.timeSeconds, 0.02 + 0.12 * static_cast<double>(i % 3));
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setText(marker.label);
        text->setColor(marker.color);
        text->setPadding(QMargins(3, 0, 3, 0));
        text->setBrush(QBrush(palette::colours().chartBackground));
        text->setClipToAxisRect(true);
        text->setSelectable(false);
        m_markerItems.push_back(line);
        m_markerItems.push_back(text);
    }
}

QString TimeChart::title() const
{
    return m_title->text();
}

void TimeChart::restyle()
{
    const palette::Colours &c = palette::colours();
    m_emptyLabel->setStyleSheet(
        QStringLiteral("color: %1; background: %2; padding: 6px;").arg(c.subtle.name(), c.chartBackground.name()));
    m_plot->setBackground(c.chartBackground);
    m_plot->axisRect()->setBackground(c.chartBackground);
    // Every attribute set, so that QPainter draws with this font rather than
    // resolving it against the widget's (QCustomPlot measures with it: a
    // font that only inherits is measured at one size and drawn at another
    // once the type changes, and rotated axis labels land on the ticks).
    // QApplication's font is current at once; the widget's follows later.
    const QFont base = QApplication::font(this);
    QFont text(base.family());
    text.setPointSizeF(base.pointSizeF());
    text.setWeight(QFont::Normal);
    text.setItalic(false);
    QFont titleFont = text;
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextColor(c.text);
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2})
        styleAxis(axis, text);
    m_plot->legend->setFont(text);
    m_plot->legend->setTextColor(c.text);
    m_ticker->setDateTimeSpec(Appearance::instance().utc() ? Qt::UTC : Qt::LocalTime);
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const SeriesInfo &info = m_series[i];
        if (!info.role)
            continue;
        QCPGraph *graph = m_plot->graph(static_cast<int>(i));
        QPen pen = graph->pen();
        pen.setColor(c.*info.role);
        graph->setPen(pen);
    }
}

int TimeChart::addSeries(const QString &name, const QColor &color, Axis axis, double scale, const QString &unit)
{
    QCPGraph *graph = m_plot->addGraph(m_plot->xAxis, axis == Axis::Left ? m_plot->yAxis : m_plot->yAxis2);
    graph->setName(name);
    graph->setPen(QPen(color, 1.6));
    graph->setAdaptiveSampling(true);
    graph->removeFromLegend(); // listed once it has points
    m_series.push_back({name, unit, axis, scale, nullptr});
    return static_cast<int>(m_series.size() - 1);
}

int TimeChart::addSeries(const QString &name, palette::Role role, Axis axis, double scale, const QString &unit)
{
    const int series = addSeries(name, palette::colours().*role, axis, scale, unit);
    m_series.back().role = role;
    return series;
}

int TimeChart::addTrendSeries(const QString &name, palette::Role role, Axis axis, double scale)
{
    const int series = addSeries(name, role, axis, scale);
    QCPGraph *graph = m_plot->graph(series);
    graph->setPen(QPen(palette::colours().*role, 1.4, Qt::DashLine));
    graph->removeFromLegend();
    return series;
}

void TimeChart::setSeriesName(int series, const QString &name)
{
    m_plot->graph(series)->setName(name);
    m_series[static_cast<std::size_t>(series)].name = name;
    fitLegend();
}

void TimeChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placeEmptyLabel();
    fitTicks();
    fitLegend();
}

void TimeChart::fitTicks()
{
    // A short chart gets fewer value ticks, and a narrow one fewer times:
    // their labels must not touch, at whatever size the type is.
    const QFontMetrics metrics(m_plot->xAxis->tickLabelFont());
    const int ticks = std::clamp(m_plot->axisRect()->height() / (2 * metrics.height()), 2, 5);
    m_plot->yAxis->ticker()->setTickCount(ticks);
    m_plot->yAxis2->ticker()->setTickCount(ticks);
    const int timeWidth = metrics.horizontalAdvance(QStringLiteral("00:00:00")) + 2 * metrics.averageCharWidth();
    // The plotting area, not the widget: a right-hand axis takes its share.
    const int plotWidth = m_plot->axisRect()->width() > 0 ? m_plot->axisRect()->width() : width() - 100;
    m_plot->xAxis->ticker()->setTickCount(std::clamp(plotWidth / timeWidth, 2, 6));
}

void TimeChart::fitLegend()
{
    // One line of entries while they fit across the chart; on a narrow
    // chart they wrap onto more lines rather than being cut off. Entries
    // form a grid, so a column is as wide as its widest entry.
    QCPLegend *legend = m_plot->legend;
    // A narrow chart uses a smaller legend font, so its lines are fewer.
    QFont legendFont = m_plot->xAxis->tickLabelFont(); // explicit (restyle())
    if (width() < 420)
        legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    if (legend->font() != legendFont) {
        legend->setFont(legendFont);
        for (int i = 0; i < legend->itemCount(); ++i) {
            if (QCPAbstractLegendItem *item = legend->item(i))
                item->setFont(legendFont);
        }
    }
    std::vector<int> widths; // the grid may hold empty cells after an entry left
    for (int i = 0; i < legend->itemCount(); ++i) {
        if (const QCPAbstractLegendItem *item = legend->item(i))
            widths.push_back(item->minimumOuterSizeHint().width());
    }
    const int count = static_cast<int>(widths.size());
    const int available = width() - 16;
    int perLine = std::max(1, count);
    for (; perLine > 1; --perLine) {
        int total = 0;
        for (int column = 0; column < perLine; ++column) {
            int widest = 0;
            for (int i = column; i < count; i += perLine)
                widest = std::max(widest, widths[static_cast<std::size_t>(i)]);
            total += widest + legend->columnSpacing();
        }
        if (total <= available)
            break;
    }
    const int wrap = perLine >= count ? 0 : perLine;
    if (wrap != legend->wrap()) {
        legend->setWrap(wrap);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-lays the entries out, without gaps
    }
}

void TimeChart::setSeriesData(int series, const std::vector<std::pair<std::int64_t, double>> &points)
{
    QVector<QCPGraphData> graphData;
    graphData.reserve(static_cast<qsizetype>(points.size()));
    const double scale = m_series[static_cast<std::size_t>(series)].scale;
    for (const auto &[tsMs, value] : points)
        graphData.append(QCPGraphData(static_cast<double>(tsMs) / 1000.0, value * scale));
    QCPGraph *graph = m_plot->graph(series);
    graph->data()->set(graphData, true);
    // A series shows in the legend only while it has points: trend lines
    // come and go, and a service without, say, expvar has no pause series.
    // Entries keep the order the series were added in.
    const bool listed = m_plot->legend->hasItemWithPlottable(graph);
    if (graphData.isEmpty() == listed) {
        for (int i = 0; i < m_plot->graphCount(); ++i)
            m_plot->graph(i)->removeFromLegend();
        for (int i = 0; i < m_plot->graphCount(); ++i) {
            if (!m_plot->graph(i)->data()->isEmpty())
                m_plot->graph(i)->addToLegend();
        }
        fitLegend();
    }
    updateEmptyText();
}

void TimeChart::setEmptyText(const QString &text)
{
    m_emptyText = text;
    updateEmptyText();
}

void TimeChart::placeEmptyLabel()
{
    // Centred over the plot, as wide as its text needs (it hides the empty
    // axes' labels behind it, not the title).
    const int maxWidth = std::max(80, width() - 60);
    const QFontMetrics metrics(m_emptyLabel->font());
    int longest = 0;
    for (const QString &line : m_emptyLabel->text().split(QLatin1Char('\n')))
        longest = std::max(longest, metrics.horizontalAdvance(line));
    const int textWidth = std::min(maxWidth, longest + 2 * 6 + 4); // the padding, and a little air
    const int textHeight = m_emptyLabel->heightForWidth(textWidth);
    m_emptyLabel->setGeometry((width() - textWidth) / 2, (height() - textHeight) / 2 + 10, textWidth,
                              std::max(textHeight, m_emptyLabel->sizeHint().height()));
}

QString TimeChart::shownEmptyText() const
{
    return m_emptyLabel->isHidden() ? QString() : m_emptyLabel->text();
}

void TimeChart::updateEmptyText()
{
    bool empty = true;
    for (int i = 0; i < m_plot->graphCount() && empty; ++i)
        empty = m_plot->graph(i)->data()->isEmpty();
    const QString shown = empty ? m_emptyText : QString();
    if (m_emptyLabel->text() != shown) {
        m_emptyLabel->setText(shown);
        m_emptyLabel->setVisible(!shown.isEmpty());
        placeEmptyLabel();
    }
}

void TimeChart::setTimeRange(double fromSeconds, double toSeconds)
{
    m_settingRange = true;
    m_plot->xAxis->setRange(fromSeconds, toSeconds);
    m_settingRange = false;
    rescaleValueAxes();
}

std::pair<double, double> TimeChart::timeRange() const
{
    return {m_plot->xAxis->range().lower, m_plot->xAxis->range().upper};
}

int TimeChart::plotWidthPixels() const
{
    return std::max(1, static_cast<int>(m_plot->axisRect()->width() * devicePixelRatioF()));
}

void TimeChart::rescaleValueAxes()
{
    // Fit each value axis to what is visible, starting at zero: these are
    // magnitudes, and a zero floor keeps small wiggles from looking dramatic.
    for (QCPAxis *axis : {m_plot->yAxis, m_plot->yAxis2}) {
        double high = 0;
        bool any = false;
        for (int i = 0; i < m_plot->graphCount(); ++i) {
            QCPGraph *graph = m_plot->graph(i);
            if (graph->valueAxis() != axis)
                continue;
            bool found = false;
            const QCPRange range = graph->getValueRange(found, QCP::sdBoth, m_plot->xAxis->range());
            if (found) {
                high = any ? std::max(high, range.upper) : range.upper;
                any = true;
            }
        }
        axis->setRange(0, any && high > 0 ? high * 1.15 : 1);
    }
}

void TimeChart::replot()
{
    rescaleValueAxes();
    // A label reads away from the nearer edge: a recent action (near "now",
    // on the right) is labelled on the left of its line, not cut off.
    const QCPRange range = m_plot->xAxis->range();
    // A moment outside the window (later than a replay's playhead) is not drawn.
    for (QCPAbstractItem *item : m_markerItems) {
        if (auto *text = qobject_cast<QCPItemText *>(item)) {
            const bool rightHalf = text->position->key() > range.center();
            text->setPositionAlignment((rightHalf ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
            text->setVisible(range.contains(text->position->key()));
        } else if (auto *line = qobject_cast<QCPItemStraightLine *>(item)) {
            line->setVisible(range.contains(line->point1->key()));
        }
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int TimeChart::pointCount(int series) const
{
    return m_plot->graph(series)->dataCount();
}

QString TimeChart::hoverText(double timeSeconds) const
{
    QString text = Appearance::instance().clockText(static_cast<qint64>(timeSeconds * 1000));
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        const QCPGraph *graph = m_plot->graph(i);
        if (graph->data()->isEmpty())
            continue;
        auto it = graph->data()->findBegin(timeSeconds, true);
        if (it == graph->data()->constEnd())
            continue;
        // Nearest point, not just the one before.
        auto next = it + 1;
        if (next != graph->data()->constEnd() && std::fabs(next->key - timeSeconds) < std::fabs(it->key - timeSeconds))
            it = next;
        const SeriesInfo &info = m_series[static_cast<std::size_t>(i)];
        text += QStringLiteral("\n%1: %2%3")
                    .arg(info.name, QString::number(it->value, 'g', 4),
                         info.unit.isEmpty() ? QString() : QLatin1Char(' ') + info.unit);
    }
    return text;
}

void TimeChart::onMouseMove(QMouseEvent *event)
{
    if (!m_plot->axisRect()->rect().contains(event->pos())) {
        QToolTip::hideText();
        return;
    }
    const double time = m_plot->xAxis->pixelToCoord(event->pos().x());
    QToolTip::showText(event->globalPosition().toPoint(), hoverText(time), m_plot);
}

QByteArray TimeChart::render(const QString &format) const
{
    const int w = m_plot->width(), h = m_plot->height();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (format == QLatin1String("png")) {
        toImage().save(&buffer, "PNG");
    } else if (format == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        svg.setTitle(title());
        QCPPainter painter(&svg);
        m_plot->toPainter(&painter, w, h);
    } else if (format == QLatin1String("pdf")) {
        // One page the chart's size, in points: it scales as vectors.
        QPdfWriter pdf(&buffer);
        pdf.setPageSize(QPageSize(QSizeF(w, h), QPageSize::Point));
        pdf.setPageMargins(QMarginsF());
        pdf.setResolution(72);
        pdf.setTitle(title());
        pdf.setCreator(QStringLiteral("gotriage"));
        QCPPainter painter(&pdf);
        m_plot->toPainter(&painter, w, h);
    }
    return bytes;
}

QImage TimeChart::toImage() const
{
    const double ratio = devicePixelRatioF();
    return m_plot->toPixmap(m_plot->width(), m_plot->height(), ratio).toImage();
}

void TimeChart::exportTo(const QString &path)
{
    const QString format = QFileInfo(path).suffix().toLower();
    const QByteArray bytes = render(format);
    if (bytes.isEmpty()) {
        emit exported(path, tr("%1: charts are saved as .png, .svg or .pdf").arg(path));
        return;
    }
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        emit exported(path, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([path, bytes] {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            return QStringLiteral("%1: %2").arg(path, file.errorString());
        return QString();
    }));
}

void TimeChart::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(tr("Save chart as…"), this, [this] {
        const QString name = title().toLower().replace(QLatin1Char(' '), QLatin1Char('-')) + QStringLiteral(".png");
        const QString path = QFileDialog::getSaveFileName(this, tr("Save chart"), name,
                                                          tr("PNG image (*.png);;SVG drawing (*.svg);;PDF (*.pdf)"));
        if (!path.isEmpty())
            exportTo(path);
    });
    menu.addAction(tr("Copy chart"), this, [this] { QGuiApplication::clipboard()->setImage(toImage()); });
    menu.exec(m_plot->mapToGlobal(pos));
}

} // namespace gotriage::ui
