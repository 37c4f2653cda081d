#pragma once

#include <QCache>
#include <QStaticText>
#include <QStyledItemDelegate>

namespace gotriage::ui {

// Paints a table cell's text from a cache of laid-out text. The style lays
// out (shapes) every cell's text twice on every paint, for its size and for
// eliding: with 2 000 services updating, a frame of the fleet table spent
// two thirds of its 10-20 ms shaping the same few hundred strings again.
// Background, selection, icon and focus are still the style's. Cells that
// wrap or hold several lines are left to QStyledItemDelegate.
class TextCellDelegate : public QStyledItemDelegate
{
public:
    explicit TextCellDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // `text` in `font` inside `rect`, elided to its width with `elide`.
    void drawText(QPainter *painter, const QRect &rect, Qt::Alignment alignment, const QString &text, const QFont &font,
                  Qt::TextElideMode elide) const;
    // The width `text` takes in `font`, from the same cache.
    int textWidth(const QString &text, const QFont &font) const;
    // Laid-out texts kept (the cache is bounded by it).
    static constexpr int kCachedTexts = 4096;

protected:
    // The pen colour the style would give the cell's text.
    static QColor textColour(const QStyleOptionViewItem &option);

private:
    struct Laid {
        QStaticText text;
        int width = 0;
    };
    const Laid &laidOut(const QString &text, const QFont &font) const;

    mutable QCache<QString, Laid> m_cache;
    mutable QCache<QString, QString> m_elided; // what an elision made of a text, by font, width and text
};

} // namespace gotriage::ui
