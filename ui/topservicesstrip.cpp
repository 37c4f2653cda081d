#include "topservicesstrip.h"

#include "fleetoverviewmodel.h"
#include "palette.h"
#include "sparklinedelegate.h"

#include "analysis/finding.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace gotriage::ui {

namespace {

constexpr int kGap = 6;
constexpr int kPadding = 8;
// Down, stale, a warning or a critical finding (pending and healthy are below).
constexpr int kAttentionRank = 150;

// The table column whose sparkline shows what a finding rests on.
FleetOverviewModel::Column columnFor(const analysis::Finding *finding)
{
    using Model = FleetOverviewModel;
    if (finding && finding->signal) {
        for (int column = Model::CpuColumn; column < Model::ColumnCount; ++column) {
            if (Model::vitalOf(static_cast<Model::Column>(column)) == *finding->signal)
                return static_cast<Model::Column>(column);
        }
        if (*finding->signal == vitals::Vital::HeapLive || *finding->signal == vitals::Vital::HeapGoal)
            return Model::HeapColumn;
    }
    return Model::CpuColumn;
}

} // namespace

TopServicesStrip::TopServicesStrip(const FleetOverviewModel *overview, const FleetSortProxy *table, QWidget *parent)
    : QWidget(parent), m_overview(overview), m_table(table)
{
    setObjectName(QStringLiteral("topServices"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("The services that need attention most, worst first; click one to select it"));
    hide();
}

void TopServicesStrip::refresh()
{
    std::vector<Card> cards;
    for (int row = 0; row < m_table->rowCount() && static_cast<int>(cards.size()) < kMaxCards; ++row) {
        const QModelIndex index = m_table->index(row, 0);
        // The table is worst first: past the first that needs nothing, none do.
        if (index.data(FleetOverviewModel::SortRankRole).toInt() < kAttentionRank)
            break;
        const int sourceRow = m_table->mapToSource(index).row();
        const analysis::Finding *finding = m_overview->worstFinding(sourceRow);
        const FleetOverviewModel::Column column = columnFor(finding);
        const QModelIndex vital = m_overview->index(sourceRow, column);
        Card card;
        card.service = index.data(FleetOverviewModel::ServiceNameRole).toString();
        card.what = finding ? m_overview->index(sourceRow, FleetOverviewModel::FindingsColumn).data().toString()
                            : m_overview->index(sourceRow, FleetOverviewModel::HealthColumn).data().toString();
        card.critical = (finding && finding->severity == analysis::Severity::Critical)
            || m_overview->healthOf(sourceRow) == FleetOverviewModel::Health::Down;
        card.stale = vital.data(FleetOverviewModel::StaleRole).toBool();
        card.value = vital.data().toString();
        card.vitalName = m_overview->headerData(column, Qt::Horizontal).toString();
        card.line = vital.data(FleetOverviewModel::SparklineRole).value<QList<double>>();
        card.minSpan = vital.data(FleetOverviewModel::SparklineMinSpanRole).toDouble();
        cards.push_back(std::move(card));
    }
    m_cards = std::move(cards);
    setVisible(!m_cards.empty());
    update();
}

QStringList TopServicesStrip::services() const
{
    QStringList out;
    for (const Card &card : m_cards)
        out << card.service;
    return out;
}

QSize TopServicesStrip::sizeHint() const
{
    // Three lines of text and a sparkline as tall as two of them.
    return {kMaxCards * kMinCardWidth, 5 * fontMetrics().height() + 2 * kPadding + kGap};
}

int TopServicesStrip::visibleCards() const
{
    const int fit = std::max(1, (width() - kGap) / (kMinCardWidth + kGap));
    return std::min(static_cast<int>(m_cards.size()), fit);
}

QRect TopServicesStrip::cardRect(int i) const
{
    // Cards share the width as if all kMaxCards were there, so that one sick
    // service does not get a card as wide as the window.
    const int places = std::max(1, std::min(kMaxCards, (width() - kGap) / (kMinCardWidth + kGap)));
    const int cardWidth = (width() - kGap) / places - kGap;
    return {kGap + i * (cardWidth + kGap), kGap / 2, cardWidth, height() - kGap};
}

void TopServicesStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const palette::Colours &colours = palette::colours();
    const QFontMetrics metrics = fontMetrics();
    QFont bold = font();
    bold.setBold(true);
    for (int i = 0; i < visibleCards(); ++i) {
        const Card &card = m_cards[static_cast<std::size_t>(i)];
        const QRect rect = cardRect(i);
        const QColor accent = card.critical ? colours.critical : colours.warning;
        painter.setPen(Qt::NoPen);
        painter.setBrush(colours.chartBackground);
        painter.drawRoundedRect(rect, 4, 4);
        painter.setBrush(accent);
        painter.drawRect(QRect(rect.left(), rect.top(), 3, rect.height()));

        const QRect inner = rect.adjusted(kPadding + 2, kPadding / 2, -kPadding, -kPadding / 2);
        const int line = metrics.height();
        painter.setFont(bold);
        painter.setPen(colours.text);
        const QFontMetrics boldMetrics(bold);
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                         boldMetrics.elidedText(card.service, Qt::ElideMiddle, inner.width()));
        painter.setFont(font());
        painter.setPen(accent);
        painter.drawText(QRect(inner.left(), inner.top() + line, inner.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(card.what, Qt::ElideRight, inner.width()));
        // The vital's name and value under the line, so that the card reads
        // without the table's header.
        const QRect footer(inner.left(), inner.bottom() - line, inner.width(), line);
        painter.setPen(colours.muted);
        painter.drawText(footer, Qt::AlignLeft | Qt::AlignVCenter, card.vitalName);
        painter.setPen(card.stale ? colours.muted : colours.text);
        painter.drawText(footer, Qt::AlignRight | Qt::AlignVCenter, card.value);
        const QRectF chart(inner.left(), inner.top() + 2 * line + 4, inner.width(),
                           footer.top() - (inner.top() + 2 * line + 4) - 4);
        if (chart.height() > 4) {
            painter.setPen(QPen(card.stale ? colours.staleSparkline : colours.seriesBlue, 1.6));
            painter.setBrush(Qt::NoBrush);
            painter.drawPath(SparklineDelegate::linePath(card.line, chart, card.minSpan));
        }
    }
}

void TopServicesStrip::mousePressEvent(QMouseEvent *event)
{
    for (int i = 0; i < visibleCards(); ++i) {
        if (cardRect(i).contains(event->position().toPoint())) {
            emit serviceClicked(m_cards[static_cast<std::size_t>(i)].service);
            return;
        }
    }
    QWidget::mousePressEvent(event);
}

} // namespace gotriage::ui
