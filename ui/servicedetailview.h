#pragma once

#include "idlestep.h"
#include "timechart.h"

#include <QWidget>

#include <array>
#include <cstdint>
#include <vector>

class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;

namespace gotriage::store {
class SeriesStore;
}
namespace gotriage::analysis {
struct Projection;
}

namespace gotriage::vitals {
struct DerivedSources;
}

namespace gotriage::ui {

class TimeChart;

// Live charts of one service: CPU; memory (RSS, heap in use, heap goal);
// GC (rate and pauses); goroutines and threads; the golden signals (request
// rate and error ratio, latency p99). The time axes move together
// and follow "now" until the operator pans or zooms; Live resumes following.
// GUI thread only.
class ServiceDetailView : public QWidget
{
    Q_OBJECT

public:
    enum Chart { CpuChart, MemoryChart, GcChart, GoroutinesChart, RequestsChart, LatencyChart, ChartCount };

    explicit ServiceDetailView(const store::SeriesStore *store, QWidget *parent = nullptr);

    void setService(const QString &name, const QString &description);
    QString service() const { return m_service; }
    // Pulls the service's history from the store and repaints.
    void refresh(qint64 nowMs);

    TimeChart *chart(Chart which) const { return m_charts[which]; }
    // The analysis' fitted trends for the shown service (drawn dashed).
    // The same moments on every chart (actions sent and reverted).
    void setMarkers(const std::vector<TimeChart::Marker> &markers);
    void setProjections(const std::vector<analysis::Projection> &projections);
    // The runtime settings line under the title ("go1.21.4 · GOMAXPROCS 4 · …").
    void setRuntime(const QString &summary);
    // Which counter and histogram the golden signals come from, shown in the
    // header, and what the request and latency charts say while empty.
    void setSignalSources(const vitals::DerivedSources &sources);
    bool isFollowing() const { return m_following; }
    void setFollowing(bool following);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void layoutCharts(int columns);
    void applyRangeToAll(double from, double to, TimeChart *except);
    void replotInTurns();
    void replotNext();

    const store::SeriesStore *m_store;
    QString m_service;
    QLabel *m_title;
    QString m_description;
    QString m_runtime;
    QString m_sources;
    QGridLayout *m_grid = nullptr;
    int m_columns = 0;
    QComboBox *m_window;
    QPushButton *m_live;
    std::array<TimeChart *, ChartCount> m_charts{};
    bool m_following = true;
    bool m_reloadQueued = false; // a pan or zoom asked for the new range's data
    int m_nextReplot = 0; // the chart replotInTurns() redraws next
    IdleStep m_replotStep{this, QStringLiteral("replotChart"), [this] { replotNext(); }};
    int m_goroutineTrend = -1;
    int m_heapTrend = -1;
    int m_goroutineLimit = -1;
    int m_heapLimit = -1;
    bool m_projecting = false; // a trend leads somewhere: leave room right of "now"
    double m_projectionSeconds = 60;
    std::int64_t m_projectedToMs = 0; // where the longest projection ends
    qint64 m_nowMs = 0;
};

} // namespace gotriage::ui
