#include "textcelldelegate.h"

#include <QApplication>
#include <QFontMetrics>
#include <QPainter>
#include <QStyle>

#include <cmath>

namespace gotriage::ui {

TextCellDelegate::TextCellDelegate(QObject *parent) : QStyledItemDelegate(parent), m_cache(kCachedTexts)
{ }

const TextCellDelegate::Laid &TextCellDelegate::laidOut(const QString &text, const QFont &font) const
{
    // The font's key tells apart what changes glyphs: family, size, weight,
    // and the strike-out that marks a stale value.
    const QString key = font.key() + u'\n' + text;
    if (const Laid *hit = m_cache.object(key))
        return *hit;
    auto laid = std::make_unique<Laid>();
    laid->text.setText(text);
    laid->text.setTextFormat(Qt::PlainText);
    laid->text.prepare(QTransform(), font);
    laid->width = static_cast<int>(std::ceil(laid->text.size().width()));
    const Laid *kept = laid.get();
    m_cache.insert(key, laid.release());
    return *kept;
}

int TextCellDelegate::textWidth(const QString &text, const QFont &font) const
{
    return laidOut(text, font).width;
}

void TextCellDelegate::drawText(QPainter *painter, const QRect &rect, Qt::Alignment alignment, const QString &text,
                                const QFont &font, Qt::TextElideMode elide) const
{
    if (text.isEmpty() || rect.width() <= 0)
        return;
    const Laid *laid = &laidOut(text, font);
    if (laid->width > rect.width() && elide != Qt::ElideNone) {
        // Elisions are cached too: a narrow column elides the same names
        // at the same width frame after frame, and eliding shapes the text.
        const QString key = QStringLiteral("%1\n%2\n%3\n").arg(font.key()).arg(rect.width()).arg(int(elide)) + text;
        const QString *elided = m_elided.object(key);
        if (!elided) {
            auto made = std::make_unique<QString>(QFontMetrics(font).elidedText(text, elide, rect.width()));
            elided = made.get();
            m_elided.insert(key, made.release());
        }
        laid = &laidOut(*elided, font);
    }
    const QSizeF size = laid->text.size();
    const Qt::Alignment horizontal = QStyle::visualAlignment(painter->layoutDirection(), alignment);
    double x = rect.left();
    if (horizontal & Qt::AlignRight)
        x = rect.left() + rect.width() - laid->width;
    else if (horizontal & Qt::AlignHCenter)
        x = rect.left() + (rect.width() - laid->width) / 2.0;
    double y = rect.top();
    if (alignment & Qt::AlignBottom)
        y = rect.top() + rect.height() - size.height();
    else if (alignment & Qt::AlignVCenter)
        y = rect.top() + (rect.height() - size.height()) / 2.0;
    painter->save();
    painter->setFont(font);
    painter->setClipRect(rect, Qt::IntersectClip);
    painter->drawStaticText(QPointF(std::round(x), std::round(y)), laid->text);
    painter->restore();
}

QColor TextCellDelegate::textColour(const QStyleOptionViewItem &option)
{
    const QPalette::ColorGroup group = !(option.state & QStyle::State_Enabled) ? QPalette::Disabled
        : !(option.state & QStyle::State_Active)                               ? QPalette::Inactive
                                                                               : QPalette::Normal;
    return option.palette.color(group,
                                option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text);
}

void TextCellDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    if ((cell.features & QStyleOptionViewItem::WrapText) || cell.text.contains(u'\n')
        || cell.text.contains(QChar::LineSeparator)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    const QString text = cell.text;
    cell.text.clear();
    // With the text cleared, the style draws the rest and lays out the
    // text's rectangle without shaping anything.
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);
    if (text.isEmpty())
        return;
    QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &cell, widget);
    // The margin the common style keeps inside the text rectangle.
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    textRect.adjust(margin, 0, -margin, 0);
    painter->save();
    painter->setPen(textColour(cell));
    drawText(painter, textRect, cell.displayAlignment, text, cell.font, cell.textElideMode);
    painter->restore();
}

} // namespace gotriage::ui
