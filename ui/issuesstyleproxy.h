#pragma once

#include <QIdentityProxyModel>

namespace gotriage::ui {

// Colours the core Issues model for the dark theme: active errors red,
// active warnings amber, resolved issues dimmed.
class IssuesStyleProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
};

} // namespace gotriage::ui
