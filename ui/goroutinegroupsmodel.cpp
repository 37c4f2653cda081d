#include "goroutinegroupsmodel.h"

#include "palette.h"

#include <QBrush>

namespace gotriage::ui {

namespace {

// The frame that says where the goroutines wait in the program: the first
// one outside the runtime and the standard library's parking code.
const formats::GoroutineFrame *programFrame(const diagnose::GoroutineGroup &g)
{
    for (const formats::GoroutineFrame &f : g.frames) {
        const std::string &fn = f.function;
        if (fn.rfind("runtime.", 0) != 0 && fn.rfind("sync.", 0) != 0 && fn.rfind("internal/", 0) != 0)
            return &f;
    }
    return g.frames.empty() ? nullptr : &g.frames.front();
}

QString frameText(const formats::GoroutineFrame &f)
{
    return QStringLiteral("%1 (%2:%3)")
        .arg(QString::fromStdString(f.function), QString::fromStdString(f.file))
        .arg(f.line);
}

} // namespace

void GoroutineGroupsModel::setGroups(std::vector<diagnose::GoroutineGroup> groups, bool compared)
{
    beginResetModel();
    m_groups = std::move(groups);
    m_compared = compared;
    endResetModel();
}

const diagnose::GoroutineGroup *GoroutineGroupsModel::group(int row) const
{
    return row >= 0 && row < rowCount() ? &m_groups[static_cast<std::size_t>(row)] : nullptr;
}

QString GoroutineGroupsModel::stackText(int row) const
{
    const diagnose::GoroutineGroup *g = group(row);
    if (!g)
        return {};
    QString text = tr("%n goroutine(s) [%1]", "", g->count).arg(QString::fromStdString(g->state));
    if (m_compared)
        text += tr(", %1%2 since the older dump").arg(g->growth > 0 ? QStringLiteral("+") : QString()).arg(g->growth);
    if (g->maxWaitMinutes)
        text += tr(", the longest waiting %1 min").arg(*g->maxWaitMinutes);
    if (g->leakState)
        text += tr("\nA classic leak state: goroutines parked here wait for something that may never come.");
    text += u'\n';
    for (const formats::GoroutineFrame &f : g->frames)
        text += QStringLiteral("\n%1\n\t%2:%3")
                    .arg(QString::fromStdString(f.function), QString::fromStdString(f.file))
                    .arg(f.line);
    if (g->createdBy)
        text += tr("\ncreated by %1").arg(frameText(*g->createdBy));
    return text;
}

int GoroutineGroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_groups.size());
}

int GoroutineGroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant GoroutineGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const diagnose::GoroutineGroup &g = m_groups[static_cast<std::size_t>(index.row())];
    if (role == kSortRole) {
        switch (index.column()) {
        case Growth:
            return g.growth;
        case Count:
            return g.count;
        case State:
            return QString::fromStdString(g.state);
        case LongestWait:
            return g.maxWaitMinutes.value_or(-1);
        case Where:
        case CreatedBy:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Growth:
            return m_compared ? QStringLiteral("%1%2").arg(g.growth > 0 ? QStringLiteral("+") : QString()).arg(g.growth)
                              : QStringLiteral("—");
        case Count:
            return g.count;
        case State:
            // Said in words, not only in colour.
            return g.leakState ? tr("%1 (leak state)").arg(QString::fromStdString(g.state))
                               : QString::fromStdString(g.state);
        case LongestWait:
            // The runtime prints minutes only from the first full one.
            return g.maxWaitMinutes ? tr("%1 min").arg(*g.maxWaitMinutes) : tr("under 1 min");
        case Where:
            if (const formats::GoroutineFrame *f = programFrame(g))
                return frameText(*f);
            return {};
        case CreatedBy:
            return g.createdBy ? frameText(*g.createdBy) : QString();
        }
    }
    if (role == Qt::ForegroundRole) {
        if (index.column() == Growth && m_compared && g.growth > 0)
            return QBrush(palette::colours().critical);
        if (index.column() == State && g.leakState)
            return QBrush(palette::colours().warning);
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Growth || index.column() == Count))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return stackText(index.row());
    return {};
}

QVariant GoroutineGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Growth", "Count", "State", "Longest wait", "Where", "Created by"};
    return tr(names[section]);
}

} // namespace gotriage::ui
