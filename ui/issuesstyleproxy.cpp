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
    return severity == static_cast<int>(issues::IssuesModel::Severity::Error) ? QBrush(QColor(0xff, 0x6b, 0x6b))
                                                                              : QBrush(QColor(0xf5, 0xc2, 0x42));
}

} // namespace gotriage::ui
