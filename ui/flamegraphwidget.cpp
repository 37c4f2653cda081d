#include "flamegraphwidget.h"

#include "palette.h"
#include "vitalformat.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace gotriage::ui {

QString goPackageOf(const QString &function)
{
    const qsizetype slash = function.lastIndexOf(u'/');
    const qsizetype dot = function.indexOf(u'.', slash + 1);
    return dot < 0 ? function : function.left(dot);
}

FlameGraphWidget::FlameGraphWidget(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
}

QSize FlameGraphWidget::sizeHint() const
{
    return {800, (m_maxDepth + 1) * kRowHeight};
}

namespace {

// Warm hues (red to yellow) by package, as flame graphs are read.
QRgb packageColor(const QString &function)
{
    const auto hash = qHash(goPackageOf(function));
    return QColor::fromHsv(static_cast<int>(hash % 60U), 130 + static_cast<int>(hash % 70U), 235).rgb();
}

} // namespace

FlameGraphWidget::Labels FlameGraphWidget::labelsFor(const diagnose::FlameTree &tree)
{
    Labels labels;
    labels.names.reserve(tree.nodes.size());
    labels.packageColors.reserve(tree.nodes.size());
    for (const diagnose::FlameTree::Node &n : tree.nodes) {
        labels.names.push_back(QString::fromStdString(n.name));
        labels.packageColors.push_back(packageColor(labels.names.back()));
    }
    return labels;
}

void FlameGraphWidget::setTree(std::shared_ptr<const diagnose::FlameTree> tree, Labels labels)
{
    m_tree = std::move(tree);
    m_zoom = 0;
    m_hovered = -1;
    m_maxDepth = 0;
    m_maxShareChange = 0;
    if (m_tree) {
        for (std::size_t i = 0; i < m_tree->nodes.size(); ++i) {
            m_maxDepth = std::max(m_maxDepth, m_tree->nodes[i].depth);
            if (m_tree->isDiff())
                m_maxShareChange = std::max(m_maxShareChange, std::abs(m_tree->shareChange(static_cast<int>(i))));
        }
    }
    const std::size_t count = m_tree ? m_tree->nodes.size() : 0;
    if (labels.names.size() == count && labels.packageColors.size() == count) {
        m_names = std::move(labels.names);
        m_packageColors = std::move(labels.packageColors);
    } else {
        m_names.assign(count, QString());
        m_packageColors.assign(count, 0);
    }
    setMinimumHeight((m_maxDepth + 1) * kRowHeight);
    updateGeometry();
    setSearch({});
    relayout();
    emit zoomChanged(m_zoom);
}

void FlameGraphWidget::setIcicle(bool icicle)
{
    m_icicle = icicle;
    update();
}

void FlameGraphWidget::zoomTo(int node)
{
    if (!m_tree || node < 0 || node >= static_cast<int>(m_tree->nodes.size()) || node == m_zoom)
        return;
    m_zoom = node;
    relayout();
    emit zoomChanged(m_zoom);
}

void FlameGraphWidget::setSearch(const QString &text)
{
    m_search = {};
    if (m_tree)
        m_search = diagnose::searchFlame(*m_tree, text.toStdString());
    m_matched.assign(m_tree ? m_tree->nodes.size() : 0, false);
    for (int node : m_search.matches)
        m_matched[static_cast<std::size_t>(node)] = true;
    update();
    emit searchChanged(m_search.share, static_cast<int>(m_search.matches.size()));
}

void FlameGraphWidget::relayout()
{
    m_rects.clear();
    m_rows.assign(static_cast<std::size_t>(m_maxDepth) + 1, {});
    m_rectOfNode.assign(m_tree ? m_tree->nodes.size() : 0, -1);
    if (m_tree && width() > 0) {
        // Boxes under a pixel are not drawn, which bounds the work by the
        // screen, not by the profile.
        m_rects = diagnose::layoutFlame(*m_tree, m_zoom, 1.0 / width());
        for (std::size_t i = 0; i < m_rects.size(); ++i) {
            m_rows[static_cast<std::size_t>(m_rects[i].depth)].push_back(static_cast<int>(i));
            m_rectOfNode[static_cast<std::size_t>(m_rects[i].node)] = static_cast<int>(i);
        }
        for (auto &row : m_rows)
            std::sort(row.begin(), row.end(), [this](int a, int b) {
                return m_rects[static_cast<std::size_t>(a)].x < m_rects[static_cast<std::size_t>(b)].x;
            });
    }
    update();
}

int FlameGraphWidget::rowTop(int depth) const
{
    return m_icicle ? depth * kRowHeight : height() - (depth + 1) * kRowHeight;
}

QRect FlameGraphWidget::rectOf(int node) const
{
    if (node < 0 || node >= static_cast<int>(m_rectOfNode.size()) || m_rectOfNode[static_cast<std::size_t>(node)] < 0)
        return {};
    return boxOf(m_rects[static_cast<std::size_t>(m_rectOfNode[static_cast<std::size_t>(node)])]);
}

const QString &FlameGraphWidget::nameOf(int node) const
{
    QString &name = m_names[static_cast<std::size_t>(node)];
    if (name.isEmpty())
        name = QString::fromStdString(m_tree->nodes[static_cast<std::size_t>(node)].name);
    return name;
}

QRect FlameGraphWidget::boxOf(const diagnose::FlameRect &r) const
{
    const int left = static_cast<int>(std::floor(r.x * width()));
    const int right = static_cast<int>(std::floor((r.x + r.width) * width()));
    return {left, rowTop(r.depth), std::max(1, right - left), kRowHeight};
}

int FlameGraphWidget::nodeAt(const QPoint &pos) const
{
    if (!m_tree || width() <= 0)
        return -1;
    const int depth = m_icicle ? pos.y() / kRowHeight : (height() - 1 - pos.y()) / kRowHeight;
    if (pos.y() < 0 || depth < 0 || depth >= static_cast<int>(m_rows.size()))
        return -1;
    const double x = static_cast<double>(pos.x()) / width();
    const auto &row = m_rows[static_cast<std::size_t>(depth)];
    // The last box that starts at or before x.
    auto it = std::upper_bound(row.begin(), row.end(), x,
                               [this](double v, int i) { return v < m_rects[static_cast<std::size_t>(i)].x; });
    if (it == row.begin())
        return -1;
    const diagnose::FlameRect &r = m_rects[static_cast<std::size_t>(*(it - 1))];
    return x <= r.x + r.width ? r.node : -1;
}

QString FlameGraphWidget::formatValue(std::int64_t value) const
{
    return m_tree ? formatSampleValue(value, m_tree->sampleType.unit) : QString::number(value);
}

QString FlameGraphWidget::describe(int node) const
{
    if (!m_tree || node < 0 || node >= static_cast<int>(m_tree->nodes.size()))
        return {};
    const diagnose::FlameTree::Node &n = m_tree->nodes[static_cast<std::size_t>(node)];
    const double total = static_cast<double>(std::max<std::int64_t>(1, m_tree->total()));
    QString text = QStringLiteral("<b>%1</b><br>%2 (%3 % of all)")
                       .arg(QString::fromStdString(n.name).toHtmlEscaped(), formatValue(n.value))
                       .arg(100.0 * static_cast<double>(n.value) / total, 0, 'f', 2);
    if (n.self != 0)
        text += tr("<br>itself: %1 (%2 %)")
                    .arg(formatValue(n.self))
                    .arg(100.0 * static_cast<double>(n.self) / total, 0, 'f', 2);
    if (m_tree->isDiff()) {
        const double before = 100.0 * static_cast<double>(n.baseValue)
            / static_cast<double>(std::max<std::int64_t>(1, m_tree->baseTotal));
        text += tr("<br>base: %1 (%2 %), change %3%4 points")
                    .arg(formatValue(n.baseValue))
                    .arg(before, 0, 'f', 2)
                    .arg(m_tree->shareChange(node) >= 0 ? QStringLiteral("+") : QString())
                    .arg(100.0 * m_tree->shareChange(node), 0, 'f', 2);
    }
    return text;
}

QColor FlameGraphWidget::colorOf(int node) const
{
    if (!m_search.matches.empty())
        return m_matched[static_cast<std::size_t>(node)] ? palette::colours().flameMatch
                                                         : palette::colours().flameDimmed;
    if (m_tree->isDiff()) {
        // Growth red, shrinkage blue, unchanged grey; the strength follows
        // the change against the largest change in the graph.
        const double change = m_maxShareChange > 0 ? m_tree->shareChange(node) / m_maxShareChange : 0.0;
        const double strength = std::min(1.0, std::sqrt(std::abs(change)));
        const QColor &base = palette::colours().diffUnchanged;
        const QColor &towards = change >= 0 ? palette::colours().diffGrowth : palette::colours().diffShrinkage;
        const auto mix = [&](int a, int b) { return static_cast<int>(a + (b - a) * strength); };
        return {mix(base.red(), towards.red()), mix(base.green(), towards.green()), mix(base.blue(), towards.blue())};
    }
    if (node == 0)
        return palette::colours().flameRoot;
    QRgb &cached = m_packageColors[static_cast<std::size_t>(node)];
    if (cached == 0)
        cached = packageColor(nameOf(node));
    return QColor::fromRgb(cached);
}

void FlameGraphWidget::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), palette::colours().chartBackground);
    if (!m_tree || m_tree->nodes.empty())
        return;
    const QFontMetrics metrics(font());
    const int zoomDepth = m_tree->nodes[static_cast<std::size_t>(m_zoom)].depth;
    // Only the rows, and in each the boxes, that the region to paint meets:
    // hovering repaints two boxes, not the graph.
    const QRect area = event->rect();
    const double fromX = static_cast<double>(area.left()) / std::max(1, width());
    for (std::size_t depth = 0; depth < m_rows.size(); ++depth) {
        const int top = rowTop(static_cast<int>(depth));
        if (top > area.bottom() || top + kRowHeight <= area.top())
            continue;
        const auto &row = m_rows[depth];
        auto it = std::upper_bound(row.begin(), row.end(), fromX,
                                   [this](double v, int i) { return v < m_rects[static_cast<std::size_t>(i)].x; });
        if (it != row.begin())
            --it;
        for (; it != row.end(); ++it) {
            const diagnose::FlameRect &r = m_rects[static_cast<std::size_t>(*it)];
            const QRect box = boxOf(r);
            if (box.left() > area.right())
                break;
            if (!box.intersects(area))
                continue;
            QColor fill = colorOf(r.node);
            if (r.depth < zoomDepth)
                fill = fill.darker(160); // the breadcrumb: above the zoomed box
            if (r.node == m_hovered)
                fill = fill.lighter(125);
            painter.fillRect(box.adjusted(0, 0, -1, -1), fill);
            if (box.width() > 28) {
                painter.setPen(r.depth < zoomDepth ? palette::colours().text : palette::colours().flameText);
                painter.drawText(box.adjusted(3, 0, -3, -1), Qt::AlignVCenter | Qt::AlignLeft,
                                 metrics.elidedText(nameOf(r.node), Qt::ElideLeft, box.width() - 6));
            }
        }
    }
}

void FlameGraphWidget::setHovered(int node)
{
    if (node == m_hovered)
        return;
    const QRect old = rectOf(m_hovered);
    m_hovered = node;
    // Only the two boxes change: repaint them, not the graph.
    update(old);
    update(rectOf(m_hovered));
}

void FlameGraphWidget::mouseMoveEvent(QMouseEvent *event)
{
    const int node = nodeAt(event->position().toPoint());
    setHovered(node);
    if (node >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), describe(node), this, rectOf(node));
    else
        QToolTip::hideText();
}

void FlameGraphWidget::mousePressEvent(QMouseEvent *event)
{
    const int node = nodeAt(event->position().toPoint());
    if (node < 0 || event->button() != Qt::LeftButton)
        return;
    if (node != 0)
        emit functionSelected(QString::fromStdString(m_tree->nodes[static_cast<std::size_t>(node)].name));
    zoomTo(node);
}

void FlameGraphWidget::leaveEvent(QEvent *event)
{
    setHovered(-1);
    QWidget::leaveEvent(event);
}

void FlameGraphWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
}

} // namespace gotriage::ui
