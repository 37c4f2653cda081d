#pragma once

#include "analysis/finding.h"

#include <QAbstractTableModel>

#include <vector>

namespace gotriage::ui {

// The active findings of the whole fleet, worst first: the battlefields,
// staleness, then configuration remarks. Each report replaces its service's
// findings. GUI thread only.
class FindingsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        ServiceColumn,
        KindColumn,
        SeverityColumn,
        EtaColumn,
        SinceColumn,
        EvidenceColumn,
        NextStepColumn,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setServiceFindings(const QString &service, const std::vector<analysis::Finding> &findings);
    void removeService(const QString &service);
    const std::vector<analysis::Finding> &findings() const { return m_findings; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "goroutine leak", "memory black hole" ...
    static QString kindLabel(analysis::FindingKind kind);
    // Sort weight of a finding for "worst first" (larger is worse).
    static int weight(const analysis::Finding &finding);

private:
    std::vector<analysis::Finding> m_findings;
};

} // namespace gotriage::ui
