#include "servicedetailview.h"
#include "palette.h"

#include "analysis/serviceanalyzer.h"
#include "signals/vital.h"
#include "signals/vitalsderiver.h"
#include "store/seriesstore.h"
#include "timechart.h"
#include "vitalformat.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

#include <algorithm>

namespace gotriage::ui {

namespace {

using vitals::Vital;

struct SeriesSpec {
    ServiceDetailView::Chart chart;
    Vital vital;
    const char *name;
    palette::Role color;
    TimeChart::Axis axis;
    double scale;
    const char *unit;
};

constexpr palette::Role kBlue = &palette::Colours::seriesBlue;
constexpr palette::Role kGreen = &palette::Colours::seriesGreen;
constexpr palette::Role kAmber = &palette::Colours::seriesAmber;
constexpr palette::Role kViolet = &palette::Colours::seriesViolet;
constexpr palette::Role kRed = &palette::Colours::seriesRed;
constexpr palette::Role kGrey = &palette::Colours::seriesGrey;
constexpr double kMiB = 1.0 / (1024 * 1024);

// Which vital goes on which chart, in which colour and unit.
const SeriesSpec kSeries[] = {
    {ServiceDetailView::CpuChart, Vital::Cpu, "CPU", kBlue, TimeChart::Axis::Left, 1.0, "cores"},
    {ServiceDetailView::CpuChart, Vital::CpuUser, "user", kGreen, TimeChart::Axis::Left, 1.0, "cores"},
    {ServiceDetailView::CpuChart, Vital::CpuSystem, "system", kRed, TimeChart::Axis::Left, 1.0, "cores"},
    {ServiceDetailView::MemoryChart, Vital::Rss, "RSS", kBlue, TimeChart::Axis::Left, kMiB, "MiB"},
    {ServiceDetailView::MemoryChart, Vital::HeapInuse, "heap in use", kGreen, TimeChart::Axis::Left, kMiB, "MiB"},
    {ServiceDetailView::MemoryChart, Vital::HeapGoal, "heap goal", kAmber, TimeChart::Axis::Left, kMiB, "MiB"},
    {ServiceDetailView::GcChart, Vital::GcRate, "GC cycles", kBlue, TimeChart::Axis::Left, 1.0, "/s"},
    // Three pauses, each named for what it measures: the summary's max is
    // over the runtime's recent pauses and sits flat for minutes.
    {ServiceDetailView::GcChart, Vital::GcPauseMean, "mean pause", kGreen, TimeChart::Axis::Right, 1e3, "ms"},
    {ServiceDetailView::GcChart, Vital::GcPause, "max since last read", kAmber, TimeChart::Axis::Right, 1e3, "ms"},
    {ServiceDetailView::GcChart, Vital::GcPauseRecentMax, "max of recent pauses", kGrey, TimeChart::Axis::Right, 1e3,
     "ms"},
    {ServiceDetailView::GoroutinesChart, Vital::Goroutines, "goroutines", kBlue, TimeChart::Axis::Left, 1.0, ""},
    {ServiceDetailView::GoroutinesChart, Vital::Threads, "threads", kViolet, TimeChart::Axis::Right, 1.0, ""},
    {ServiceDetailView::RequestsChart, Vital::ReqRate, "requests", kBlue, TimeChart::Axis::Left, 1.0, "/s"},
    {ServiceDetailView::RequestsChart, Vital::ShedRate, "refused (429)", kAmber, TimeChart::Axis::Left, 1.0, "/s"},
    {ServiceDetailView::RequestsChart, Vital::ErrRatio, "errors", kRed, TimeChart::Axis::Right, 100.0, "%"},
    {ServiceDetailView::LatencyChart, Vital::LatencyP99, "p99", kViolet, TimeChart::Axis::Left, 1e3, "ms"},
};

} // namespace

ServiceDetailView::ServiceDetailView(const store::SeriesStore *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_title(new QLabel(this))
    , m_window(new QComboBox(this))
    , m_live(new QPushButton(tr("Live"), this))
{
    m_title->setTextFormat(Qt::RichText);
    // A long header (the signal sources) wraps instead of widening the window.
    m_title->setWordWrap(true);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setText(tr("<b>Select a service</b>"));
    m_window->addItem(tr("Last 5 minutes"), 5 * 60);
    m_window->addItem(tr("Last 15 minutes"), 15 * 60);
    m_window->addItem(tr("Last hour"), 60 * 60);
    m_window->addItem(tr("Last 6 hours"), 6 * 60 * 60);
    m_window->setCurrentIndex(0);
    m_live->setCheckable(true);
    m_live->setChecked(true);
    m_live->setToolTip(tr("Follow the newest data (panning or zooming a chart stops following)"));

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_window);
    header->addWidget(m_live);

    m_charts[CpuChart] = new TimeChart(tr("CPU"), tr("cores"), {}, this);
    m_charts[MemoryChart] = new TimeChart(tr("Memory"), tr("MiB"), {}, this);
    m_charts[GcChart] = new TimeChart(tr("Garbage collection"), tr("cycles/s"), tr("pause ms"), this);
    m_charts[GoroutinesChart] = new TimeChart(tr("Goroutines and threads"), tr("goroutines"), tr("threads"), this);
    m_charts[RequestsChart] = new TimeChart(tr("Requests and errors"), tr("requests/s"), tr("errors %"), this);
    m_charts[LatencyChart] = new TimeChart(tr("Latency"), tr("ms"), {}, this);
    for (const SeriesSpec &spec : kSeries)
        m_charts[spec.chart]->addSeries(tr(spec.name), spec.color, spec.axis, spec.scale,
                                        QString::fromLatin1(spec.unit));

    m_goroutineTrend = m_charts[GoroutinesChart]->addTrendSeries(tr("trend"), &palette::Colours::trend);
    m_heapTrend = m_charts[MemoryChart]->addTrendSeries(tr("heap after GC trend"), &palette::Colours::trend,
                                                        TimeChart::Axis::Left, kMiB);
    const palette::Role limitColor = &palette::Colours::seriesRed;
    m_goroutineLimit = m_charts[GoroutinesChart]->addTrendSeries(tr("goroutine budget"), limitColor);
    m_heapLimit = m_charts[MemoryChart]->addTrendSeries(tr("memory limit"), limitColor, TimeChart::Axis::Left, kMiB);

    m_grid = new QGridLayout;
    m_grid->setSpacing(6);
    layoutCharts(2);
    for (int i = 0; i < ChartCount; ++i) {
        connect(m_charts[static_cast<std::size_t>(i)], &TimeChart::timeRangeChangedByUser, this,
                [this, chart = m_charts[static_cast<std::size_t>(i)]](double from, double to) {
                    setFollowing(false);
                    applyRangeToAll(from, to, chart);
                    // The data of the new range, once per turn of the event
                    // loop however many steps a drag makes.
                    if (!m_reloadQueued) {
                        m_reloadQueued = true;
                        QTimer::singleShot(0, this, [this] {
                            m_reloadQueued = false;
                            refresh(m_nowMs);
                        });
                    }
                });
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(header);
    layout->addLayout(m_grid, 1);
    setSignalSources({});

    connect(m_live, &QPushButton::toggled, this, [this](bool on) {
        setFollowing(on);
        refresh(m_nowMs);
    });
    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        setFollowing(true);
        refresh(m_nowMs);
    });
}

void ServiceDetailView::setService(const QString &name, const QString &description)
{
    m_service = name;
    m_description = description;
    m_runtime.clear();
    m_sources.clear();
    m_charts[RequestsChart]->setEmptyText({}); // until this service's first report says why
    m_charts[LatencyChart]->setEmptyText({});
    setProjections({}); // the previous service's trends are not this one's
    setRuntime({});
    setFollowing(true);
    refresh(m_nowMs);
}

void ServiceDetailView::setMarkers(const std::vector<TimeChart::Marker> &markers)
{
    for (TimeChart *chart : m_charts)
        chart->setMarkers(markers);
}

void ServiceDetailView::setProjections(const std::vector<analysis::Projection> &projections)
{
    const double windowSeconds = m_window->currentData().toInt();
    m_projectionSeconds = windowSeconds / 5.0;
    bool projecting = false;
    m_projectedToMs = 0;
    // A chart draws one trend: of the first candidate signal whose rise a
    // finding rests on, else of the first with a significant trend. The
    // memory chart thus shows RSS growing under a flat heap.
    struct Candidate {
        vitals::Vital vital;
        QString name;
    };
    auto pick = [&](const std::vector<Candidate> &candidates) -> std::pair<const analysis::Projection *, QString> {
        for (const bool needMaterial : {true, false}) {
            for (const Candidate &c : candidates) {
                for (const analysis::Projection &p : projections) {
                    if (p.vital == c.vital && p.trend.valid && p.trend.significant && (p.material || !needMaterial))
                        return {&p, c.name};
                }
            }
        }
        return {nullptr, candidates.front().name};
    };
    auto draw = [&](int series, int limitSeries, TimeChart *chart, const std::vector<Candidate> &candidates) {
        std::vector<std::pair<std::int64_t, double>> line, limitLine;
        const auto [chosen, what] = pick(candidates);
        QString name = what;
        if (chosen) {
            const analysis::Projection &p = *chosen;
            const std::int64_t end = p.trend.evaluatedMs;
            const auto start = end - static_cast<std::int64_t>(p.trend.spanSeconds * 1000);
            line = {{start, p.trend.level - p.trend.slopePerSecond * p.trend.spanSeconds}, {end, p.trend.level}};
            // The projection: where the trend leads over the next stretch
            // (a fifth of what the chart shows, at most half the fitted span,
            // or to the limit if sooner). A limit within reach of the chart
            // (3× the level) is drawn, and the projection runs on to it when
            // that is within half the window: where they meet is the point.
            const bool limitInReach = p.etaSeconds && p.limit && *p.limit <= 3 * p.trend.level;
            if (p.etaSeconds) {
                const double horizon = limitInReach && *p.etaSeconds <= windowSeconds / 2
                    ? *p.etaSeconds
                    : std::min({*p.etaSeconds, m_projectionSeconds, p.trend.spanSeconds / 2});
                line.emplace_back(end + static_cast<std::int64_t>(horizon * 1000),
                                  p.trend.level + p.trend.slopePerSecond * horizon);
                projecting = true;
                m_projectedToMs = std::max(m_projectedToMs, line.back().first);
            }
            if (p.etaSeconds)
                name += tr(": limit in %1").arg(formatEta(*p.etaSeconds));
            // A limit far above would flatten every line; the legend's
            // "limit in …" says it then.
            if (limitInReach)
                limitLine = {{start, *p.limit}, {line.back().first, *p.limit}};
        }
        chart->setSeriesName(series, name);
        chart->setSeriesData(series, line);
        chart->setSeriesData(limitSeries, limitLine);
    };
    draw(m_goroutineTrend, m_goroutineLimit, m_charts[GoroutinesChart], {{vitals::Vital::Goroutines, tr("trend")}});
    draw(m_heapTrend, m_heapLimit, m_charts[MemoryChart],
         {{vitals::Vital::HeapLive, tr("heap after GC trend")},
          {vitals::Vital::HeapInuse, tr("heap after GC trend")},
          {vitals::Vital::Rss, tr("RSS trend")}});
    m_projecting = projecting;
}

void ServiceDetailView::setRuntime(const QString &summary)
{
    if (summary == m_runtime && !m_title->text().isEmpty() && !summary.isEmpty())
        return;
    m_runtime = summary;
    const QString muted = palette::colours().muted.name(), subtle = palette::colours().subtle.name();
    QString text = QStringLiteral("<b>%1</b>&nbsp;&nbsp;<span style='color:%3'>%2</span>")
                       .arg(m_service.toHtmlEscaped(), m_description.toHtmlEscaped(), muted);
    if (!summary.isEmpty())
        text += QStringLiteral("&nbsp;&nbsp;<span style='color:%2'>%1</span>").arg(summary.toHtmlEscaped(), subtle);
    if (!m_sources.isEmpty())
        text += QStringLiteral("<br><span style='color:%2'>%1</span>").arg(m_sources.toHtmlEscaped(), muted);
    m_title->setText(text);
}

void ServiceDetailView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Three across on a wide window: six charts in two rows keep their height.
    layoutCharts(width() >= 960 ? 3 : 2);
}

void ServiceDetailView::layoutCharts(int columns)
{
    if (columns == m_columns)
        return;
    m_columns = columns;
    for (TimeChart *chart : m_charts)
        m_grid->removeWidget(chart);
    for (int i = 0; i < ChartCount; ++i)
        m_grid->addWidget(m_charts[static_cast<std::size_t>(i)], i / columns, i % columns);
    for (int row = 0; row < 3; ++row)
        m_grid->setRowStretch(row, row < (ChartCount + columns - 1) / columns ? 1 : 0);
}

void ServiceDetailView::setSignalSources(const vitals::DerivedSources &sources)
{
    const auto part = [](const QString &what, const QString &name, bool detected, const char *key) {
        if (name.isEmpty())
            return tr("%1: none found (name one with %2)").arg(what, QLatin1String(key));
        return detected ? tr("%1 from %2 (found by itself)").arg(what, name) : tr("%1 from %2").arg(what, name);
    };
    m_charts[RequestsChart]->setEmptyText(
        sources.requestCounter.isEmpty()
            ? tr("No request counter found in the metrics.\nName one with \"request_counter\" in the fleet file.")
            : tr("No requests counted yet."));
    m_charts[LatencyChart]->setEmptyText(
        sources.latencyHistogram.isEmpty()
            ? tr("No request-duration histogram found.\nName one with \"latency_histogram\" in the fleet file.")
            : tr("No requests timed yet."));
    // The CPU mode: user against system time, or why it cannot be shown.
    // A demo service runs inside gotriage: nothing to split, and nothing the
    // operator can do about it, so the title stays plain.
    if (sources.cpuSplit.isEmpty() || sources.cpuSplit.contains(QLatin1String("inside gotriage")))
        m_charts[CpuChart]->setTitle(tr("CPU"));
    else if (sources.cpuSplitAvailable)
        m_charts[CpuChart]->setTitle(tr("CPU (user / system from %1)").arg(sources.cpuSplit));
    else
        m_charts[CpuChart]->setTitle(tr("CPU (no user / system split: %1)").arg(sources.cpuSplit));
    if (m_service.isEmpty())
        return;
    const QString summary
        = part(tr("requests"), sources.requestCounter, sources.requestCounterDetected, "request_counter")
        + QStringLiteral(" · ")
        + part(tr("latency"), sources.latencyHistogram, sources.latencyHistogramDetected, "latency_histogram");
    if (summary == m_sources)
        return;
    m_sources = summary;
    const QString runtime = m_runtime;
    m_runtime = QStringLiteral("\x01"); // forces setRuntime to redraw the header
    setRuntime(runtime);
}

void ServiceDetailView::setFollowing(bool following)
{
    m_following = following;
    const QSignalBlocker blocker(m_live);
    m_live->setChecked(following);
}

void ServiceDetailView::applyRangeToAll(double from, double to, TimeChart *except)
{
    for (TimeChart *chart : m_charts) {
        if (chart != except) {
            chart->setTimeRange(from, to);
            chart->replot();
        }
    }
}

void ServiceDetailView::refresh(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (m_service.isEmpty() || nowMs == 0)
        return;
    const qint64 windowMs = static_cast<qint64>(m_window->currentData().toInt()) * 1000;
    // Only what the charts show, never the whole history: the window while
    // following, the visible range after a pan or zoom.
    qint64 fromMs = nowMs - windowMs;
    qint64 toMs = nowMs;
    if (!m_following) {
        const auto [from, to] = m_charts[0]->timeRange();
        fromMs = static_cast<qint64>(from * 1000);
        toMs = static_cast<qint64>(to * 1000);
    }
    // At most two points per pixel column per series (its lowest and highest),
    // read from the tier that matches the pixels: only those are copied.
    std::array<int, ChartCount> nextSeries{};
    for (const SeriesSpec &spec : kSeries) {
        TimeChart *chart = m_charts[spec.chart];
        chart->setSeriesData(nextSeries[spec.chart]++,
                             m_store->line(m_service, spec.vital, fromMs, toMs, chart->plotWidthPixels(), nowMs));
    }
    if (m_following) {
        // A young history fills the chart instead of hugging its right edge.
        const double now = static_cast<double>(nowMs) / 1000.0;
        double from = now - static_cast<double>(windowMs) / 1000.0;
        if (const std::optional<qint64> oldest = m_store->oldestMs(m_service))
            from = std::max(from, std::min(now - 60.0, static_cast<double>(*oldest) / 1000.0 - 5.0));
        // Room on the right for a projection, when there is one.
        const double to = m_projecting ? std::max(now, static_cast<double>(m_projectedToMs) / 1000.0) : now;
        for (TimeChart *chart : m_charts)
            chart->setTimeRange(from, to);
    }
    replotInTurns();
}

void ServiceDetailView::replotInTurns()
{
    // A chart's replot is queued, so the six ran back to back in one turn
    // of the event loop: 10-30 ms at 2 000 services though none took more
    // than 5. One chart per turn lets the paints, input and timers that
    // wait go between them. A refresh meanwhile starts the round again.
    m_nextReplot = 0;
    if (!m_replotStep.isScheduled())
        replotNext();
}

void ServiceDetailView::replotNext()
{
    m_charts[static_cast<std::size_t>(m_nextReplot++)]->replot();
    if (m_nextReplot < ChartCount)
        m_replotStep.schedule();
}

} // namespace gotriage::ui
