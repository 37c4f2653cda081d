#pragma once

#include "config/fleetconfig.h"

#include <QAbstractTableModel>

namespace gotriage::ui {

// The services of a fleet file, one row each. GUI thread only.
class FleetListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, TierColumn, UrlColumn, IntervalColumn, LabelsColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setServices(std::vector<config::ServiceConfig> services);
    const std::vector<config::ServiceConfig> &services() const { return m_services; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<config::ServiceConfig> m_services;
};

} // namespace gotriage::ui
