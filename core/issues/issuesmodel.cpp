#include "issuesmodel.h"

#include <QDateTime>

#include <algorithm>

namespace gotriage::issues {

bool IssuesModel::report(const QString &service, const QString &category, const QString &what, Severity severity,
                         qint64 nowMs)
{
    if (const auto rows = m_activeRows.constFind(service); rows != m_activeRows.cend()) {
        for (const std::size_t i : *rows) {
            Issue &issue = m_issues[i];
            if (issue.category != category)
                continue;
            const bool changed = issue.what != what || issue.severity != severity;
            if (changed) {
                issue.what = what; // same problem area, new wording (another status code, say)
                issue.severity = severity;
            }
            issue.lastSeenMs = nowMs;
            ++issue.count;
            const int row = static_cast<int>(i);
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            return changed;
        }
    }
    const int row = static_cast<int>(m_issues.size());
    beginInsertRows({}, row, row);
    m_issues.push_back({service, category, what, severity, nowMs, nowMs, 1, true});
    m_activeRows[service].push_back(m_issues.size() - 1);
    endInsertRows();
    return true;
}

void IssuesModel::resolve(const QString &service, const QString &category)
{
    // Called for every category each report finds healthy: only the
    // service's own active rows are looked at, not the fleet's.
    const auto rows = m_activeRows.find(service);
    if (rows == m_activeRows.end())
        return;
    std::vector<int> resolved;
    for (auto it = rows->begin(); it != rows->end();) {
        if (m_issues[*it].category == category) {
            m_issues[*it].active = false;
            ++m_resolvedRows;
            resolved.push_back(static_cast<int>(*it));
            it = rows->erase(it);
        } else {
            ++it;
        }
    }
    if (rows->empty())
        m_activeRows.erase(rows);
    for (const int row : resolved)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    trimHistory();
}

void IssuesModel::removeService(const QString &service)
{
    std::vector<bool> doomed(m_issues.size());
    for (std::size_t i = 0; i < m_issues.size(); ++i)
        doomed[i] = m_issues[i].service == service;
    dropRows(doomed);
}

void IssuesModel::trimHistory()
{
    if (m_resolvedRows <= static_cast<std::size_t>(kMaxResolved))
        return;
    // Rows are in the order they were raised, so the first resolved ones
    // are the oldest.
    std::size_t excess = m_resolvedRows - static_cast<std::size_t>(kMaxResolved) * 3 / 4;
    std::vector<bool> doomed(m_issues.size());
    for (std::size_t i = 0; i < m_issues.size() && excess > 0; ++i) {
        if (!m_issues[i].active) {
            doomed[i] = true;
            --excess;
        }
    }
    dropRows(doomed);
}

void IssuesModel::dropRows(const std::vector<bool> &doomed)
{
    // From the end, so that the rows of the runs still to go keep their
    // numbers.
    bool removed = false;
    for (int last = static_cast<int>(m_issues.size()) - 1; last >= 0;) {
        if (!doomed[static_cast<std::size_t>(last)]) {
            --last;
            continue;
        }
        int first = last;
        while (first > 0 && doomed[static_cast<std::size_t>(first - 1)])
            --first;
        beginRemoveRows({}, first, last);
        for (int row = first; row <= last; ++row) {
            if (!m_issues[static_cast<std::size_t>(row)].active)
                --m_resolvedRows;
        }
        m_issues.erase(m_issues.begin() + first, m_issues.begin() + last + 1);
        endRemoveRows();
        removed = true;
        last = first - 1;
    }
    if (removed)
        indexActiveRows();
}

void IssuesModel::indexActiveRows()
{
    m_activeRows.clear();
    for (std::size_t i = 0; i < m_issues.size(); ++i) {
        if (m_issues[i].active)
            m_activeRows[m_issues[i].service].push_back(i);
    }
}

int IssuesModel::activeCount() const
{
    // Info notes (an optional endpoint not exposed) are facts, not problems.
    return static_cast<int>(std::count_if(m_issues.begin(), m_issues.end(),
                                          [](const Issue &i) { return i.active && i.severity != Severity::Info; }));
}

int IssuesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_issues.size());
}

int IssuesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IssuesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Issue &issue = m_issues[static_cast<std::size_t>(index.row())];
    if (role == ActiveRole)
        return issue.active;
    if (role == SeverityRole)
        return static_cast<int>(issue.severity);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const auto time = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss")); };
    switch (index.column()) {
    case ServiceColumn:
        return issue.service;
    case ProblemColumn:
        return issue.what;
    case SinceColumn:
        return time(issue.sinceMs);
    case LastSeenColumn:
        return time(issue.lastSeenMs);
    case CountColumn:
        return issue.count;
    case StateColumn:
        return issue.active ? tr("active") : tr("resolved");
    default:
        return {};
    }
}

QVariant IssuesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kHeaders[] = {"Service", "Problem", "Since", "Last seen", "Count", "State"};
    return section >= 0 && section < ColumnCount ? tr(kHeaders[section]) : QVariant();
}

} // namespace gotriage::issues
