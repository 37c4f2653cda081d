#include "issuesstyleproxy.h"
#include "palette.h"

#include "issues/issuesmodel.h"

#include <QBrush>
#include <QColor>

namespace gotriage::ui {

QVariant IssuesStyleProxy::data(const QModelIndex &index, int role) const
{
    if (role != Qt::ForegroundRole)
        return QIdentityProxyModel::data(index, role);
    if (!QIdentityProxyModel::data(index, issues::IssuesModel::ActiveRole).toBool())
        return QBrush(palette::colours().muted);
    const auto severity = QIdentityProxyModel::data(index, issues::IssuesModel::SeverityRole).toInt();
    using Severity = issues::IssuesModel::Severity;
    switch (static_cast<Severity>(severity)) {
    case Severity::Error:
        return QBrush(palette::colours().critical);
    case Severity::Warning:
        return QBrush(palette::colours().warning);
    case Severity::Info:
        break;
    }
    return QBrush(palette::colours().info); // a fact to know, not a problem
}

} // namespace gotriage::ui
