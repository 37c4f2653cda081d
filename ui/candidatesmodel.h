#pragma once

#include "triage/candidates.h"

#include <QAbstractTableModel>

namespace gotriage::ui {

// The ranked candidates to throttle, circuit-break or degrade, one a row,
// best first. Updated in place: the selection (by service) survives a new
// ranking.
class CandidatesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { RankColumn, ServiceColumn, TierColumn, WhyColumn, ActionsColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setCandidates(std::vector<triage::Candidate> candidates);
    const std::vector<triage::Candidate> &candidates() const { return m_candidates; }
    int rowOf(const QString &service) const; // -1 when not listed

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<triage::Candidate> m_candidates;
};

} // namespace gotriage::ui
