#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QString>

#include <vector>

namespace gotriage::issues {

// Per-service problems, one row per (service, problem): what, since when, how
// often, whether it still holds. Problems are shown here rather than in modal
// dialogs; later capabilities (analysis, actions) report into the same model.
// Lives in the thread that uses it (the GUI thread).
class IssuesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { ServiceColumn, ProblemColumn, SinceColumn, LastSeenColumn, CountColumn, StateColumn, ColumnCount };
    enum Role { ActiveRole = Qt::UserRole + 1, SeverityRole };
    enum class Severity { Info, Warning, Error };

    struct Issue {
        QString service;
        QString category; // "scrape", "parse", "config", "tls" ...: one active problem per category
        QString what;
        Severity severity = Severity::Error;
        qint64 sinceMs = 0;
        qint64 lastSeenMs = 0;
        quint64 count = 0;
        bool active = true;
    };

    // Resolved rows are history, and the oldest go first beyond this many.
    // Active rows are not bounded here: there is at most one per service
    // and category, so the fleet bounds them. A fixed cap on all rows was
    // full of active problems at 2 000 services, and every report then
    // walked the whole list to find nothing to drop.
    static constexpr int kMaxResolved = 2000;

    using QAbstractTableModel::QAbstractTableModel;

    // Records a problem: bumps the row of the same service, category and
    // text, else replaces the category's active row, else adds one. Returns
    // true when that is news (a new row, or new wording or severity), which
    // is what a log prints; a repeat only counts.
    bool report(const QString &service, const QString &category, const QString &what, Severity severity, qint64 nowMs);
    // The category's problem no longer holds (kept, shown as resolved).
    void resolve(const QString &service, const QString &category);
    void removeService(const QString &service);

    const std::vector<Issue> &issues() const { return m_issues; }
    int activeCount() const; // warnings and errors; info notes do not count

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // Drops the oldest resolved rows once more than kMaxResolved are kept,
    // down to three quarters of it, so that the rows' index is rebuilt once
    // every few hundred resolves rather than on every one.
    void trimHistory();
    // Removes the rows `doomed` says, in runs of neighbours (views are told
    // each run), then rebuilds m_activeRows once.
    void dropRows(const std::vector<bool> &doomed);
    // Rebuilds m_activeRows after rows were removed; a report or a resolve
    // only touches its service's entry.
    void indexActiveRows();

    std::vector<Issue> m_issues;
    // The rows of each service's active issues: with 2 000 services, each
    // report resolved its healthy categories by a walk over the whole list
    // (12 % of the GUI thread).
    QHash<QString, std::vector<std::size_t>> m_activeRows;
    std::size_t m_resolvedRows = 0;
};

} // namespace gotriage::issues
