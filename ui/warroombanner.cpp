#include "warroombanner.h"

#include "appearance.h"
#include "palette.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>

namespace gotriage::ui {

WarRoomBanner::WarRoomBanner(QWidget *parent)
    : QFrame(parent), m_incident(new QLabel(this)), m_counts(new QLabel(this)), m_clock(new QLabel(this))
{
    setObjectName(QStringLiteral("warRoomBanner"));
    m_incident->setObjectName(QStringLiteral("warRoomIncident"));
    m_counts->setObjectName(QStringLiteral("warRoomCounts"));
    m_clock->setObjectName(QStringLiteral("warRoomClock"));
    m_incident->setTextFormat(Qt::RichText);
    // A long impact wraps under the clock rather than widening the window
    // past the screen.
    m_incident->setWordWrap(true);
    m_incident->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_counts->setTextFormat(Qt::RichText);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(16, 6, 16, 6);
    row->setSpacing(32);
    row->addWidget(m_incident, 1);
    row->addWidget(m_counts);
    row->addWidget(m_clock);
    restyle();
    connect(&Appearance::instance(), &Appearance::changed, this, &WarRoomBanner::restyle);
}

void WarRoomBanner::restyle()
{
    // Half as large again as the (already enlarged) text of the war room.
    const double points = QApplication::font().pointSizeF() * 1.5;
    const palette::Colours &c = palette::colours();
    setStyleSheet(QStringLiteral("#warRoomBanner { background: %1; border-bottom: 3px solid %2; }"
                                 "QLabel { color: %3; font-size: %4pt; font-weight: bold; }")
                      .arg(c.window.name(), c.grid.name(), c.text.name())
                      .arg(points, 0, 'f', 1));
}

void WarRoomBanner::setFigures(const Figures &f)
{
    const palette::Colours &c = palette::colours();
    const auto coloured = [](const QColor &colour, const QString &text) {
        return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour.name(), text.toHtmlEscaped());
    };
    QString incident = f.incident.isEmpty() ? tr("No incident open") : f.incident;
    m_incident->setText(coloured(f.incident.isEmpty() ? c.muted : c.warning, incident) + QStringLiteral(" · ")
                        + coloured(c.text, f.impact));
    QStringList counts;
    if (f.critical > 0)
        counts << coloured(c.critical, tr("✖ %1 critical").arg(f.critical));
    if (f.warning > 0)
        counts << coloured(c.warning, tr("⚠ %1 warning").arg(f.warning));
    if (f.down > 0)
        counts << coloured(c.critical, tr("✖ %1 DOWN").arg(f.down));
    if (f.stale > 0)
        counts << coloured(c.warning, tr("⌛ %1 STALE").arg(f.stale));
    counts << coloured(c.good, tr("● %1 of %2 up").arg(f.up).arg(f.total));
    m_counts->setText(counts.join(QStringLiteral("&nbsp;&nbsp;&nbsp;")));
    m_clock->setText(Appearance::instance().clockText(f.nowMs) + QLatin1Char(' ') + Appearance::instance().zoneName());
}

QString WarRoomBanner::incidentText() const
{
    return m_incident->text();
}

QString WarRoomBanner::countsText() const
{
    return m_counts->text();
}

} // namespace gotriage::ui
