#pragma once

#include "textcelldelegate.h"
#include <QList>
#include <QPainterPath>

#include <utility>

namespace gotriage::ui {

// Paints a vital's cell: a sparkline of its recent values on the left, the
// current value on the right.
class SparklineDelegate : public TextCellDelegate
{
public:
    using TextCellDelegate::TextCellDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The values mapped to the cell's bottom and top: their min and max,
    // widened around the middle to at least a fifth of the level (and to
    // minAbsoluteSpan).
    static std::pair<double, double> verticalRange(const QList<double> &values, double minAbsoluteSpan = 0);
    // The values as a line across `rect`, scaled by verticalRange(); empty
    // for fewer than two values.
    static QPainterPath linePath(const QList<double> &values, const QRectF &rect, double minAbsoluteSpan = 0);
};

} // namespace gotriage::ui
