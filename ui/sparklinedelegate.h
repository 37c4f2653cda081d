#pragma once

#include <QStyledItemDelegate>

namespace gotriage::ui {

// Paints a vital's cell: a sparkline of its recent values on the left, the
// current value on the right.
class SparklineDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace gotriage::ui
