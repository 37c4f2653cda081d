#include "candidatesmodel.h"

#include "palette.h"

namespace gotriage::ui {

void CandidatesModel::setCandidates(std::vector<triage::Candidate> candidates)
{
    const int before = rowCount();
    const int after = static_cast<int>(candidates.size());
    if (after < before) {
        beginRemoveRows({}, after, before - 1);
        m_candidates.resize(static_cast<std::size_t>(after));
        endRemoveRows();
    } else if (after > before) {
        beginInsertRows({}, before, after - 1);
        m_candidates.resize(static_cast<std::size_t>(after));
        endInsertRows();
    }
    m_candidates = std::move(candidates);
    if (after > 0)
        emit dataChanged(index(0, 0), index(after - 1, ColumnCount - 1));
}

int CandidatesModel::rowOf(const QString &service) const
{
    for (std::size_t i = 0; i < m_candidates.size(); ++i) {
        if (m_candidates[i].service == service)
            return static_cast<int>(i);
    }
    return -1;
}

int CandidatesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_candidates.size());
}

int CandidatesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CandidatesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const triage::Candidate &c = m_candidates[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case RankColumn:
            return index.row() + 1;
        case ServiceColumn:
            return c.service;
        case TierColumn:
            return config::tierName(c.tier);
        case WhyColumn:
            return c.reasons().join(QStringLiteral(" · "));
        case ActionsColumn:
            return c.actions.isEmpty() ? tr("none configured") : c.actions.join(QStringLiteral(", "));
        }
    }
    if (role == Qt::ToolTipRole && index.column() == WhyColumn)
        return c.reasons().join(QLatin1Char('\n'));
    if (role == Qt::ForegroundRole) {
        if (index.column() == TierColumn && c.tier == config::Tier::Core)
            return palette::colours().warning; // changing a core service needs its name typed
        if (index.column() == ActionsColumn && c.actions.isEmpty())
            return palette::colours().muted;
    }
    if (role == Qt::TextAlignmentRole && index.column() == RankColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant CandidatesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case RankColumn:
        return tr("#");
    case ServiceColumn:
        return tr("Service");
    case TierColumn:
        return tr("Tier");
    case WhyColumn:
        return tr("Why here");
    case ActionsColumn:
        return tr("Actions");
    }
    return {};
}

} // namespace gotriage::ui
