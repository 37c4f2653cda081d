#pragma once

#include "diagnose/goroutinegroups.h"

#include <QAbstractTableModel>

namespace gotriage::ui {

// Goroutine groups (one dump, or the newer of two with their growth), the
// leak suspects first. Qt::UserRole gives the raw number to sort by. GUI
// thread only.
class GoroutineGroupsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Growth, Count, State, LongestWait, Where, CreatedBy, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    // `compared`: the groups carry growth against an older dump.
    void setGroups(std::vector<diagnose::GoroutineGroup> groups, bool compared);
    bool isCompared() const { return m_compared; }
    const diagnose::GoroutineGroup *group(int row) const;
    // The group's stack as the dump prints it, for the details pane.
    QString stackText(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<diagnose::GoroutineGroup> m_groups;
    bool m_compared = false;
};

} // namespace gotriage::ui
