#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include <vector>

namespace gotriage::ui {

class FleetOverviewModel;
class FleetSortProxy;

// Small multiples of the services that need attention most: the first
// rows of the fleet table (worst first, its filter and group included) that
// are down, stale or have a finding, each a card with its name, what is
// wrong, and the vital behind it over the sparkline window. With 2 000
// services the table scrolls; these stay in sight. Hidden when nothing
// needs attention. Painted, not widgets: refresh() reads a few rows.
class TopServicesStrip : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kMaxCards = 8;
    static constexpr int kMinCardWidth = 220;

    TopServicesStrip(const FleetOverviewModel *overview, const FleetSortProxy *table, QWidget *parent = nullptr);

    void refresh();
    QStringList services() const; // the cards, left to right

    QSize sizeHint() const override;

signals:
    void serviceClicked(const QString &service);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    struct Card {
        QString service;
        QString what; // the worst finding, or the health
        QString value; // the vital's current value
        QString vitalName;
        QList<double> line;
        double minSpan = 0;
        bool critical = false;
        bool stale = false;
    };
    int visibleCards() const;
    QRect cardRect(int i) const;

    const FleetOverviewModel *m_overview;
    const FleetSortProxy *m_table;
    std::vector<Card> m_cards;
};

} // namespace gotriage::ui
