#include "profiletablemodel.h"

#include "palette.h"
#include "vitalformat.h"

#include <QBrush>

namespace gotriage::ui {

namespace {

QString percent(double value)
{
    return QStringLiteral("%1%").arg(value, 0, 'f', 2);
}

QString signedPoints(double value)
{
    return QStringLiteral("%1%2 pts").arg(value > 0 ? QStringLiteral("+") : QString()).arg(value, 0, 'f', 2);
}

} // namespace

void ProfileTableModel::setTop(diagnose::TopTable table)
{
    beginResetModel();
    m_isDiff = false;
    m_top = std::move(table);
    m_diff = {};
    endResetModel();
}

void ProfileTableModel::setDiff(diagnose::ProfileDiff diff)
{
    beginResetModel();
    m_isDiff = true;
    m_diff = std::move(diff);
    m_top = {};
    endResetModel();
}

QString ProfileTableModel::functionAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return QString::fromStdString(m_isDiff ? m_diff.rows[static_cast<std::size_t>(row)].name
                                           : m_top.rows[static_cast<std::size_t>(row)].name);
}

QString ProfileTableModel::formatValue(std::int64_t value) const
{
    return formatSampleValue(value, m_isDiff ? m_diff.sampleType.unit : m_top.sampleType.unit);
}

int ProfileTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return static_cast<int>(m_isDiff ? m_diff.rows.size() : m_top.rows.size());
}

int ProfileTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : (m_isDiff ? int(DiffColumnCount) : int(TopColumnCount));
}

QVariant ProfileTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const int column = index.column();
    if (m_isDiff) {
        const diagnose::DiffRow &r = m_diff.rows[static_cast<std::size_t>(index.row())];
        if (role == kSortRole) {
            switch (column) {
            case DiffName:
                return QString::fromStdString(r.name);
            case BaseFlat:
                return static_cast<qlonglong>(r.baseFlat);
            case NewFlat:
                return static_cast<qlonglong>(r.flat);
            case FlatChange:
                return r.flatPercentChange();
            case BaseCumPercent:
                return r.baseCumPercent;
            case NewCumPercent:
                return r.cumPercent;
            case CumChange:
                return r.cumPercentChange();
            }
        }
        if (role == Qt::DisplayRole) {
            switch (column) {
            case DiffName:
                return QString::fromStdString(r.name);
            case BaseFlat:
                return QStringLiteral("%1 (%2)").arg(formatValue(r.baseFlat), percent(r.baseFlatPercent));
            case NewFlat:
                return QStringLiteral("%1 (%2)").arg(formatValue(r.flat), percent(r.flatPercent));
            case FlatChange:
                return signedPoints(r.flatPercentChange());
            case BaseCumPercent:
                return percent(r.baseCumPercent);
            case NewCumPercent:
                return percent(r.cumPercent);
            case CumChange:
                return signedPoints(r.cumPercentChange());
            }
        }
        if (role == Qt::ForegroundRole && (column == FlatChange || column == CumChange)) {
            const double change = column == FlatChange ? r.flatPercentChange() : r.cumPercentChange();
            if (change > 0.005)
                return QBrush(palette::colours().critical);
            if (change < -0.005)
                return QBrush(palette::colours().info);
        }
        if (role == Qt::TextAlignmentRole && column != DiffName)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    const diagnose::TopRow &r = m_top.rows[static_cast<std::size_t>(index.row())];
    if (role == kSortRole) {
        switch (column) {
        case Flat:
            return static_cast<qlonglong>(r.flat);
        case FlatPercent:
            return r.flatPercent;
        case SumPercent:
            return r.sumPercent;
        case Cum:
            return static_cast<qlonglong>(r.cum);
        case CumPercent:
            return r.cumPercent;
        case TopName:
            return QString::fromStdString(r.name);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Flat:
            return formatValue(r.flat);
        case FlatPercent:
            return percent(r.flatPercent);
        case SumPercent:
            return percent(r.sumPercent);
        case Cum:
            return formatValue(r.cum);
        case CumPercent:
            return percent(r.cumPercent);
        case TopName:
            return QString::fromStdString(r.name);
        }
    }
    if (role == Qt::TextAlignmentRole && column != TopName)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ProfileTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (m_isDiff) {
        static const char *const names[]
            = {"Function", "Flat before", "Flat now", "Flat change", "Cum before", "Cum now", "Cum change"};
        return tr(names[section]);
    }
    static const char *const names[] = {"Flat", "Flat %", "Sum %", "Cum", "Cum %", "Function"};
    return tr(names[section]);
}

} // namespace gotriage::ui
