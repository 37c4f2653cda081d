#pragma once

#include "diagnose/flamegraph.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace gotriage::ui {

// Draws a FlameTree (layout from core: diagnose::layoutFlame). Click a box
// to zoom to it; the boxes above it (the breadcrumb, full width) zoom back
// out. Search highlights matches; hovering tells the values. Colours are by
// package, or, for a diff, by how much a stack's share grew (red) or shrank
// (blue). Root on top (icicle) or at the bottom (flame). GUI thread only.
class FlameGraphWidget : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kRowHeight = 18;

    explicit FlameGraphWidget(QWidget *parent = nullptr);

    // What each node is drawn with: its name as a QString and its package's
    // colour, made where the tree is made (off the GUI thread), so that the
    // first frame converts and hashes nothing.
    struct Labels {
        std::vector<QString> names;
        std::vector<QRgb> packageColors;
    };
    static Labels labelsFor(const diagnose::FlameTree &tree);
    void setTree(std::shared_ptr<const diagnose::FlameTree> tree, Labels labels = {});
    const diagnose::FlameTree *tree() const { return m_tree.get(); }
    void setIcicle(bool icicle);
    bool isIcicle() const { return m_icicle; }
    void zoomTo(int node);
    int zoom() const { return m_zoom; }
    void setSearch(const QString &text);
    const diagnose::FlameSearch &searchResult() const { return m_search; }

    // The node drawn at `pos` (widget coordinates), or -1.
    int nodeAt(const QPoint &pos) const;
    QRect rectOf(int node) const; // where `node` is drawn; empty if it is not
    QString describe(int node) const; // the tooltip text
    // The value of `node` in the tree's unit: "1.25 s", "12.5 MiB", "340".
    QString formatValue(std::int64_t value) const;
    int drawnBoxes() const { return static_cast<int>(m_rects.size()); }
    int hovered() const { return m_hovered; }
    QSize sizeHint() const override;

signals:
    void zoomChanged(int node);
    void functionSelected(const QString &name); // a box was clicked: callers/callees
    void searchChanged(double share, int matches);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayout();
    int rowTop(int depth) const;
    QColor colorOf(int node) const;
    QRect boxOf(const diagnose::FlameRect &r) const;
    const QString &nameOf(int node) const;
    void setHovered(int node);

    std::shared_ptr<const diagnose::FlameTree> m_tree;
    std::vector<diagnose::FlameRect> m_rects;
    std::vector<std::vector<int>> m_rows; // per depth: indices into m_rects, left to right
    std::vector<int> m_rectOfNode; // node -> index into m_rects, or -1
    std::vector<bool> m_matched;
    // Per node, made on first paint: the name as a QString and the
    // package's colour (a repaint converts and hashes nothing twice).
    mutable std::vector<QString> m_names;
    mutable std::vector<QRgb> m_packageColors;
    diagnose::FlameSearch m_search;
    double m_maxShareChange = 0;
    int m_maxDepth = 0;
    int m_zoom = 0;
    int m_hovered = -1;
    bool m_icicle = true;
};

// The package of a Go function name, which its colour follows:
// "github.com/a/b/pkg.(*T).M" -> "github.com/a/b/pkg", "runtime.gopark" -> "runtime".
QString goPackageOf(const QString &function);

} // namespace gotriage::ui
