#pragma once

#include "diagnose/profilediff.h"
#include "diagnose/toptable.h"

#include <QAbstractTableModel>

namespace gotriage::ui {

// A profile's top table, or the table of differences between two
// profiles, for a sortable, filterable view. Values are shown in the sample
// type's unit; Qt::UserRole gives the raw number to sort by. GUI thread only.
class ProfileTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum TopColumn { Flat, FlatPercent, SumPercent, Cum, CumPercent, TopName, TopColumnCount };
    enum DiffColumn {
        DiffName,
        BaseFlat,
        NewFlat,
        FlatChange,
        BaseCumPercent,
        NewCumPercent,
        CumChange,
        DiffColumnCount
    };
    static constexpr int kSortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    void setTop(diagnose::TopTable table);
    void setDiff(diagnose::ProfileDiff diff);
    bool isDiff() const { return m_isDiff; }
    int nameColumn() const { return m_isDiff ? int(DiffName) : int(TopName); }
    QString functionAt(int row) const;
    // The value in the sample type's unit: "1.25 s", "12.5 MiB", "340".
    QString formatValue(std::int64_t value) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    bool m_isDiff = false;
    diagnose::TopTable m_top;
    diagnose::ProfileDiff m_diff;
};

} // namespace gotriage::ui
