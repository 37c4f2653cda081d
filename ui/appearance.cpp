#include "appearance.h"

#include <QApplication>
#include <QDateTime>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QWidget>

namespace gotriage::ui {

namespace {

constexpr const char *kSchemeKey = "appearance/scheme";
constexpr const char *kUtcKey = "appearance/utc";

} // namespace

Appearance &Appearance::instance()
{
    static Appearance *appearance = new Appearance; // lives as long as the process: widgets connect to it
    return *appearance;
}

Appearance::Appearance() = default;

QString Appearance::schemeName(palette::Scheme scheme)
{
    switch (scheme) {
    case palette::Scheme::Light:
        return QStringLiteral("light");
    case palette::Scheme::WarRoom:
        return QStringLiteral("war-room");
    case palette::Scheme::Dark:
        break;
    }
    return QStringLiteral("dark");
}

void Appearance::restore()
{
    QSettings settings;
    const QString name = settings.value(QLatin1String(kSchemeKey)).toString();
    // The war room is a mode entered on purpose, not a start-up default.
    palette::setScheme(name == schemeName(palette::Scheme::Light) ? palette::Scheme::Light : palette::Scheme::Dark);
    m_utc = settings.value(QLatin1String(kUtcKey), false).toBool();
    apply();
}

void Appearance::setScheme(palette::Scheme scheme)
{
    palette::setScheme(scheme);
    apply();
    save();
}

void Appearance::useScheme(palette::Scheme scheme)
{
    palette::setScheme(scheme);
    apply();
}

void Appearance::setUtc(bool utc)
{
    if (utc == m_utc)
        return;
    m_utc = utc;
    save();
    emit changed();
}

void Appearance::setTypeScale(double scale)
{
    m_typeScale = scale;
    apply();
}

void Appearance::save() const
{
    QSettings settings;
    // The war room is not remembered as the theme: the next start is a laptop's.
    if (palette::scheme() != palette::Scheme::WarRoom)
        settings.setValue(QLatin1String(kSchemeKey), schemeName(palette::scheme()));
    settings.setValue(QLatin1String(kUtcKey), m_utc);
}

void Appearance::apply()
{
    auto *app = qobject_cast<QApplication *>(QCoreApplication::instance());
    if (app) {
        // Fusion draws with the palette's colours everywhere; set once, since
        // a new style object repolishes every widget.
        if (QApplication::style()->name() != QLatin1String("fusion"))
            app->setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        const palette::Colours &c = palette::colours();
        QPalette p;
        p.setColor(QPalette::Window, c.window);
        p.setColor(QPalette::WindowText, c.text);
        p.setColor(QPalette::Base, c.chartBackground);
        p.setColor(QPalette::AlternateBase, c.window);
        p.setColor(QPalette::ToolTipBase, c.window);
        p.setColor(QPalette::ToolTipText, c.text);
        p.setColor(QPalette::PlaceholderText, c.muted);
        p.setColor(QPalette::Text, c.text);
        p.setColor(QPalette::Button, c.window);
        p.setColor(QPalette::ButtonText, c.text);
        p.setColor(QPalette::BrightText, c.chartBackground);
        p.setColor(QPalette::Highlight, c.seriesBlue);
        p.setColor(QPalette::HighlightedText, c.chartBackground == QColor(Qt::white) ? c.chartBackground : c.text);
        p.setColor(QPalette::Link, c.seriesBlue);
        p.setColor(QPalette::Mid, c.grid);
        p.setColor(QPalette::Disabled, QPalette::Text, c.muted);
        p.setColor(QPalette::Disabled, QPalette::WindowText, c.muted);
        p.setColor(QPalette::Disabled, QPalette::ButtonText, c.muted);
        app->setPalette(p);
        QFont font = QApplication::font();
        if (m_basePointSize <= 0)
            m_basePointSize = font.pointSizeF() > 0 ? font.pointSizeF() : 10;
        font.setPointSizeF(m_basePointSize * m_typeScale);
        QApplication::setFont(font);
    }
    emit changed();
}

QString Appearance::clockText(qint64 ms, bool withDate) const
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, m_utc ? Qt::UTC : Qt::LocalTime);
    return t.toString(withDate ? QStringLiteral("yyyy-MM-dd HH:mm:ss") : QStringLiteral("HH:mm:ss"));
}

QString Appearance::zoneName() const
{
    return m_utc ? QStringLiteral("UTC") : tr("local time");
}

void followAppearance(QWidget *widget, std::function<QString()> sheet)
{
    widget->setStyleSheet(sheet());
    QObject::connect(&Appearance::instance(), &Appearance::changed, widget,
                     [widget, sheet = std::move(sheet)] { widget->setStyleSheet(sheet()); });
}

} // namespace gotriage::ui
