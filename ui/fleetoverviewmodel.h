#pragma once

#include "analysis/finding.h"
#include "config/fleetconfig.h"
#include "scraping/servicehealth.h"
#include "signals/vital.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QSortFilterProxyModel>

#include <array>
#include <deque>
#include <vector>

namespace gotriage::session {
struct ServiceReport;
}
namespace gotriage::store {
class SeriesStore;
}

namespace gotriage::ui {

// One row per watched service: health, age of the last good scrape, and the
// current value and recent trend of each main vital. Reports only mark rows
// stale; refresh() (called by the window's coalescing timer) tells the views,
// once for the whole table, and a row's sparklines are made when a view asks
// for them. GUI thread only.
class FleetOverviewModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        ServiceColumn,
        HealthColumn,
        FindingsColumn,
        AgeColumn,
        CpuColumn,
        RssColumn,
        HeapColumn,
        GcRateColumn,
        GoroutinesColumn,
        ReqRateColumn,
        ErrRateColumn,
        ColumnCount
    };
    enum Role {
        SortRankRole = Qt::UserRole + 1, // larger is worse
        SparklineRole, // QList<double>: the column's vital over the sparkline window
        SparklineMinSpanRole, // double: the least value span a sparkline shows (0: relative only)
        StaleRole, // bool: no fresh data
        ServiceNameRole,
    };
    enum class Health { Pending, Up, Stale, Down };

    static constexpr qint64 kSparklineWindowMs = 5 * 60 * 1000;
    // A sparkline is ~70 px wide: more points than this only cost paint time.
    static constexpr int kSparklinePoints = 60;

    explicit FleetOverviewModel(const store::SeriesStore *store, QObject *parent = nullptr);

    void setServices(const std::vector<config::ServiceConfig> &services);
    void addService(const config::ServiceConfig &service);
    void applyReport(const session::ServiceReport &report);
    void refresh(qint64 nowMs);

    int rowOf(const QString &service) const;
    // Whether the Findings column shows anything (else it can shrink).
    bool anyFindings() const;
    const config::ServiceConfig *service(int row) const;
    const scraping::ServiceHealth *health(int row) const;
    Health healthOf(int row) const;
    // The overview's order: larger is worse (SortRankRole).
    int sortRank(int row) const;
    // The whole order in one number, smaller first: the rank, then the
    // name. Kept from the last refresh (a refresh re-sorts every row).
    qint64 sortKey(int row) const;
    // The most pressing battlefield or stale finding of a row, if any.
    const analysis::Finding *worstFinding(int row) const;
    static vitals::Vital vitalOf(Column column);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A sparkline point: the mean of each vital column over kSparkBucketMs.
    // Reports add to the newest bucket as they arrive, so that a refresh
    // never copies the service's history out of the store (at 2 000
    // services it did, for every service, every tick).
    static constexpr qint64 kSparkBucketMs = kSparklineWindowMs / kSparklinePoints;
    static constexpr int kSparkColumns = ColumnCount - CpuColumn;
    struct SparkBucket {
        qint64 index = 0; // tsMs / kSparkBucketMs
        std::array<double, kSparkColumns> sum{};
        std::array<int, kSparkColumns> count{};
    };

private:
    struct Row {
        config::ServiceConfig service;
        scraping::ServiceHealth health;
        bool reported = false;
        vitals::VitalsSample latest; // newest known value of each vital ...
        std::array<qint64, vitals::kVitalCount> latestMs{}; // ... and when it was seen
        // Made from sparkBuckets when a view asks (only the visible rows
        // are painted), not for every row at every refresh.
        mutable std::array<QList<double>, ColumnCount> sparklines;
        mutable bool sparklinesStale = true;
        std::deque<SparkBucket> sparkBuckets; // oldest first, at most kSparklinePoints
        std::vector<analysis::Finding> findings; // active, from the newest report
    };
    void addToSparklines(Row &row, const vitals::VitalsSample &sample) const;
    static const QList<double> &sparkline(const Row &row, int column);
    // From the store: the first report, and after the clock went back (a replay's seek).
    void seedSparklines(Row &row, qint64 tsMs) const;

    std::vector<Row> m_rows;
    QHash<QString, int> m_rowByName; // reports arrive by name, hundreds a second
    mutable std::vector<int> m_nameOrder; // each row's place by name; empty when it must be made again
    std::vector<qint64> m_sortKeys; // valid from a refresh until the next change
    bool m_sortKeysValid = false;
    const store::SeriesStore *m_store;
    qint64 m_nowMs = 0;
};

// The overview's order (worst first: down, stale, pending, up; then by
// name) and its filter. The
// filter is words that must all match a row (case-insensitive):
// - "key=value" (or "key:value"): a label whose value contains `value`;
//   "key==value": a label whose value is `value`; "-key=": no such label;
//   "tier=core" matches the tier (exactly: "core" is not "non-core");
// - a word: part of the service's name, a label's whole value, the tier,
//   or the health ("down", "stale", "up", "pending");
// - "-word": rows that do not match `word`.
class FleetSortProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setFilterWords(const QString &text);
    QString filterWords() const { return m_filterText; }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    struct Word {
        QString key; // empty: any field
        QString value;
        bool negated = false;
        bool exact = false; // key==value
    };
    bool matches(int sourceRow, const Word &word) const;

    QString m_filterText;
    std::vector<Word> m_words;
};

} // namespace gotriage::ui
