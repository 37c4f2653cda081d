#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

namespace gotriage::ui {

class FleetOverviewModel;

// The fleet by one label's values, or by tier: per group how many services
// it has and how many are down or stale or have a finding, the worst group
// first. A fleet of 2 000 is read group by group before service by
// service. refresh() recounts (O(services)); it does nothing while no key
// is set. GUI thread only.
class FleetGroupsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { GroupColumn, ServicesColumn, DownColumn, FindingsColumn, ColumnCount };

    explicit FleetGroupsModel(const FleetOverviewModel *overview, QObject *parent = nullptr);

    // "" (no grouping), "tier", or a label's key.
    void setKey(const QString &key);
    QString key() const { return m_key; }
    // "tier" and every label key in the fleet, sorted.
    QStringList keys() const;
    void refresh();

    // The fleet filter that shows a group's services only: "team==payments",
    // or "-team=" for those without the label.
    QString filterFor(int row) const;
    int rowOfFilter(const QString &filter) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Group {
        QString value; // empty: services without the label
        int services = 0;
        int down = 0; // down or stale
        int withFindings = 0;
        int worstRank = 0;
    };
    QString valueOf(int overviewRow, bool *has) const;

    const FleetOverviewModel *m_overview;
    QString m_key;
    std::vector<Group> m_groups;
};

} // namespace gotriage::ui
