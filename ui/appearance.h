#pragma once

#include "palette.h"

#include <QObject>
#include <QString>

#include <functional>

class QWidget;

namespace gotriage::ui {

// How the windows look and tell time: the colour scheme, the size of type
// and the clock (local or UTC). One for the application, applied to qApp
// (Fusion, its QPalette, its font) and remembered in QSettings. Widgets
// that copy a colour, a font or the time zone into something (a chart's
// pens, a style sheet, an axis ticker) restyle on changed(). GUI thread only.
class Appearance : public QObject
{
    Q_OBJECT

public:
    static Appearance &instance();

    palette::Scheme scheme() const { return palette::scheme(); }
    bool utc() const { return m_utc; }
    // Type size relative to the platform's default (the war room reads from 4 m).
    double typeScale() const { return m_typeScale; }

    // Applies the scheme and remembers it (not the war room: a mode, not a taste).
    void setScheme(palette::Scheme scheme);
    // Applies it for this run only (tests, --war-room).
    void useScheme(palette::Scheme scheme);
    void setUtc(bool utc);
    void setTypeScale(double scale);
    // The scheme and the clock the user chose last time (dark and local at first).
    void restore();

    // `ms` as the clock shows it: HH:mm:ss (with the date when asked), in
    // local time or UTC as chosen.
    QString clockText(qint64 ms, bool withDate = false) const;
    // "local" or "UTC": said where a clock is shown without a zone.
    QString zoneName() const;

    static QString schemeName(palette::Scheme scheme); // "dark", "light", "war-room"

signals:
    void changed();

private:
    Appearance();
    void apply();
    void save() const;

    bool m_utc = false;
    double m_typeScale = 1.0;
    double m_basePointSize = 0; // the platform's, before scaling
};

// Sets `widget`'s style sheet from `sheet` now, and again whenever the
// appearance changes (the sheet reads palette::colours() each time).
void followAppearance(QWidget *widget, std::function<QString()> sheet);

} // namespace gotriage::ui
