#include "fleetgroupsmodel.h"

#include "fleetoverviewmodel.h"
#include "palette.h"

#include <QBrush>
#include <QHash>

#include <algorithm>
#include <set>

namespace gotriage::ui {

FleetGroupsModel::FleetGroupsModel(const FleetOverviewModel *overview, QObject *parent)
    : QAbstractTableModel(parent), m_overview(overview)
{ }

void FleetGroupsModel::setKey(const QString &key)
{
    if (key == m_key)
        return;
    m_key = key;
    beginResetModel();
    m_groups.clear();
    endResetModel();
    refresh();
}

QStringList FleetGroupsModel::keys() const
{
    std::set<QString> keys{QStringLiteral("tier")};
    for (int row = 0; row < m_overview->rowCount(); ++row) {
        for (const auto &label : m_overview->service(row)->labels)
            keys.insert(label.first);
    }
    return {keys.begin(), keys.end()};
}

QString FleetGroupsModel::valueOf(int overviewRow, bool *has) const
{
    const config::ServiceConfig *service = m_overview->service(overviewRow);
    *has = true;
    if (m_key == QLatin1String("tier"))
        return config::tierName(service->tier);
    for (const auto &label : service->labels) {
        if (label.first == m_key)
            return label.second;
    }
    *has = false;
    return {};
}

void FleetGroupsModel::refresh()
{
    if (m_key.isEmpty())
        return;
    std::vector<Group> groups;
    QHash<QString, std::size_t> byValue;
    for (int row = 0; row < m_overview->rowCount(); ++row) {
        bool has = false;
        const QString value = valueOf(row, &has);
        auto it = byValue.find(value);
        if (it == byValue.end()) {
            it = byValue.insert(value, groups.size());
            groups.push_back({value});
        }
        Group &group = groups[it.value()];
        ++group.services;
        const FleetOverviewModel::Health health = m_overview->healthOf(row);
        if (health == FleetOverviewModel::Health::Down || health == FleetOverviewModel::Health::Stale)
            ++group.down;
        if (m_overview->worstFinding(row))
            ++group.withFindings;
        const int rank = m_overview->index(row, 0).data(FleetOverviewModel::SortRankRole).toInt();
        group.worstRank = std::max(group.worstRank, rank);
    }
    // Worst first, like the services; then the most services down or with a
    // finding; then by name, so that equal groups keep their places.
    std::sort(groups.begin(), groups.end(), [](const Group &a, const Group &b) {
        if (a.worstRank != b.worstRank)
            return a.worstRank > b.worstRank;
        if (a.down + a.withFindings != b.down + b.withFindings)
            return a.down + a.withFindings > b.down + b.withFindings;
        return a.value < b.value;
    });
    const bool sameGroups = groups.size() == m_groups.size()
        && std::equal(groups.begin(), groups.end(), m_groups.begin(),
                      [](const Group &a, const Group &b) { return a.value == b.value; });
    if (!sameGroups) {
        beginResetModel();
        m_groups = std::move(groups);
        endResetModel();
        return;
    }
    m_groups = std::move(groups);
    if (!m_groups.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QString FleetGroupsModel::filterFor(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const Group &group = m_groups[static_cast<std::size_t>(row)];
    if (group.value.isEmpty() && m_key != QLatin1String("tier"))
        return QStringLiteral("-%1=").arg(m_key);
    return QStringLiteral("%1==%2").arg(m_key, group.value);
}

int FleetGroupsModel::rowOfFilter(const QString &filter) const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (filterFor(row) == filter.trimmed())
            return row;
    }
    return -1;
}

int FleetGroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_groups.size());
}

int FleetGroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Group &group = m_groups[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    if (role == Qt::DisplayRole) {
        switch (column) {
        case GroupColumn:
            return group.value.isEmpty() ? tr("(no %1)").arg(m_key) : group.value;
        case ServicesColumn:
            return group.services;
        case DownColumn:
            return group.down == 0 ? QString() : QString::number(group.down);
        case FindingsColumn:
            return group.withFindings == 0 ? QString() : QString::number(group.withFindings);
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole) {
        if (column == DownColumn && group.down > 0)
            return QBrush(palette::colours().critical);
        if (column == FindingsColumn && group.withFindings > 0)
            return QBrush(palette::colours().warning);
        return {};
    }
    if (role == Qt::TextAlignmentRole && column != GroupColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return tr("%1=%2: %3 services, %4 down or stale, %5 with a finding. Click to show only them.")
            .arg(m_key, group.value.isEmpty() ? tr("(none)") : group.value)
            .arg(group.services)
            .arg(group.down)
            .arg(group.withFindings);
    return {};
}

QVariant FleetGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case GroupColumn:
        return m_key.isEmpty() ? tr("Group") : m_key;
    case ServicesColumn:
        return tr("Services");
    case DownColumn:
        return tr("Down");
    case FindingsColumn:
        return tr("Findings");
    default:
        return {};
    }
}

} // namespace gotriage::ui
