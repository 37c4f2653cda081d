#include "sparklinedelegate.h"
#include "palette.h"

#include "fleetoverviewmodel.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace gotriage::ui {

namespace {
constexpr int kMinSparklineWidth = 24; // narrower shows no shape worth reading
// A sparkline spans at least this share of its level: scaled to its own
// min and max, 45 -> 46 goroutines would fill the cell like a spike.
constexpr double kMinRelativeSpan = 0.2;
} // namespace

std::pair<double, double> SparklineDelegate::verticalRange(const QList<double> &values, double minAbsoluteSpan)
{
    const auto [lowIt, highIt] = std::minmax_element(values.begin(), values.end());
    double low = *lowIt, high = *highIt;
    const double minSpan = std::max(minAbsoluteSpan, kMinRelativeSpan * std::max(std::fabs(low), std::fabs(high)));
    if (high - low < minSpan) {
        const double middle = (low + high) / 2;
        low = middle - minSpan / 2;
        high = middle + minSpan / 2;
    }
    return {low, high};
}

QPainterPath SparklineDelegate::linePath(const QList<double> &values, const QRectF &rect, double minAbsoluteSpan)
{
    QPainterPath path;
    if (values.size() < 2)
        return path;
    const auto [low, high] = verticalRange(values, minAbsoluteSpan);
    const double span = high - low;
    for (qsizetype i = 0; i < values.size(); ++i) {
        const double x = rect.left() + rect.width() * static_cast<double>(i) / static_cast<double>(values.size() - 1);
        // Flat series sit mid-height rather than on the floor.
        const double y = span > 0 ? rect.bottom() - rect.height() * (values[i] - low) / span : rect.center().y();
        if (i == 0)
            path.moveTo(x, y);
        else
            path.lineTo(x, y);
    }
    return path;
}

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem textOption = option;
    initStyleOption(&textOption, index);
    const QList<double> values = index.data(FleetOverviewModel::SparklineRole).value<QList<double>>();
    const bool stale = index.data(FleetOverviewModel::StaleRole).toBool();

    // Background and selection as the style draws them, text drawn by us.
    const QString text = textOption.text;
    textOption.text.clear();
    option.widget->style()->drawControl(QStyle::CE_ItemViewItem, &textOption, painter, option.widget);

    const QRect cell = option.rect.adjusted(4, 5, -6, -5);
    // The number is what matters: it gets its width, the sparkline the rest
    // when that is enough to show a shape; in a narrow column the number
    // alone, elided rather than cut.
    // textOption carries the model's font (stale values are struck through).
    const int textWidth = std::min(cell.width(), TextCellDelegate::textWidth(text, textOption.font) + 8);
    const int lineWidth = cell.width() - textWidth - 6;
    const QRect lineRect(cell.left(), cell.top(), lineWidth >= kMinSparklineWidth ? lineWidth : 0, cell.height());

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (values.size() >= 2 && lineRect.width() > 0) {
        const QPainterPath path
            = linePath(values, lineRect, index.data(FleetOverviewModel::SparklineMinSpanRole).toDouble());
        const bool selected = option.state & QStyle::State_Selected;
        const QColor color = selected ? option.palette.color(QPalette::HighlightedText)
            : stale                   ? palette::colours().staleSparkline
                                      : palette::colours().seriesBlue;
        painter->setPen(QPen(color, 1.4));
        painter->drawPath(path);
    }
    const QColor textColor
        = textOption.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text);
    const QVariant foreground = index.data(Qt::ForegroundRole);
    painter->setPen(foreground.isValid() ? foreground.value<QBrush>().color() : textColor);
    drawText(painter, QRect(cell.right() - textWidth, cell.top(), textWidth, cell.height()),
             Qt::AlignRight | Qt::AlignVCenter, text, textOption.font, Qt::ElideRight);
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QSize base = QStyledItemDelegate::sizeHint(option, index);
    return {base.width() + 70, std::max(base.height(), 28)};
}

} // namespace gotriage::ui
