#include "issuesstyleproxy.h"

#include "issues/issuesmodel.h"

#include <QBrush>
#include <QColor>

namespace gotriage::ui {

QVariant IssuesStyleProxy::data(const QModelIndex &index, int role) const
{
    if (role != Qt::ForegroundRole)
        return QIdentityProxyModel::data(index, role);
    if (!QIdentityProxyModel::data(index, issues::IssuesModel::ActiveRole).toBool())
        return QBrush(QColor(0x7f, 0x84, 0x8e));
    const auto severity = QIdentityProxyModel::data(index, issues::IssuesModel::SeverityRole).toInt();
    using Severity = issues::IssuesModel::Severity;
    switch (static_cast<Severity>(severity)) {
    case Severity::Error:
        return QBrush(QColor(0xff, 0x6b, 0x6b));
    case Severity::Warning:
        return QBrush(QColor(0xf5, 0xc2, 0x42));
    case Severity::Info:
        break;
    }
    return QBrush(QColor(0x8a, 0xb4, 0xf8)); // a fact to know, not a problem
}

} // namespace gotriage::ui
