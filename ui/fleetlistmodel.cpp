#include "fleetlistmodel.h"

#include <QStringList>

namespace gotriage::ui {

void FleetListModel::setServices(std::vector<config::ServiceConfig> services)
{
    beginResetModel();
    m_services = std::move(services);
    endResetModel();
}

int FleetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_services.size());
}

int FleetListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const config::ServiceConfig &service = m_services[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn:
            return service.name;
        case TierColumn:
            return config::tierName(service.tier);
        case UrlColumn:
            return service.baseUrl.toString();
        case IntervalColumn:
            return QStringLiteral("%1 s").arg(static_cast<double>(service.interval.count()) / 1000.0);
        case LabelsColumn: {
            QStringList parts;
            for (const auto &[key, value] : service.labels)
                parts << key + QLatin1Char('=') + value;
            return parts.join(QStringLiteral(", "));
        }
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == UrlColumn)
        return service.endpointUrl(service.paths.metrics).toString();
    return {};
}

QVariant FleetListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Service");
    case TierColumn:
        return tr("Tier");
    case UrlColumn:
        return tr("URL");
    case IntervalColumn:
        return tr("Interval");
    case LabelsColumn:
        return tr("Labels");
    default:
        return {};
    }
}

} // namespace gotriage::ui
