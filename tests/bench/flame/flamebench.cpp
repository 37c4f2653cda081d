// gotriage-bench-flame [--nodes N] [--size WxH]
//
// Builds a flame tree of N nodes (a random call tree, up to 48 deep, as a
// large Go service's CPU profile makes), then times what the operator does
// with the widget: zooming to a box (layout and a full repaint) and moving
// the mouse over the boxes (hit test, tooltip text, repaint of the two
// boxes that change). Run offscreen: QT_QPA_PLATFORM=offscreen.
#include "diagnose/flamegraph.h"
#include "flamegraphwidget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <random>

using gotriage::diagnose::FlameTree;

namespace {

FlameTree randomTree(int nodes, std::mt19937 &random)
{
    FlameTree tree;
    tree.sampleType = {"cpu", "nanoseconds"};
    tree.nodes.push_back({"root", 0, 0, -1, 0, {}, 0});
    const char *packages[]
        = {"main", "runtime",   "net/http", "encoding/json", "github.com/acme/shop/cart", "github.com/acme/shop/db",
           "sync", "crypto/tls"};
    // Attach each new node under a random earlier one, favouring recent
    // ones so that stacks grow deep, as real ones do.
    for (int i = 1; i < nodes; ++i) {
        int parent = 0;
        for (int tries = 0; tries < 8; ++tries) {
            const int lo = std::max(0, i - 64);
            parent = std::uniform_int_distribution<int>(lo, i - 1)(random);
            if (tree.nodes[static_cast<std::size_t>(parent)].depth < 48)
                break;
            parent = 0;
        }
        FlameTree::Node n;
        n.name = std::string(packages[random() % 8]) + ".fn" + std::to_string(i);
        n.parent = parent;
        n.depth = tree.nodes[static_cast<std::size_t>(parent)].depth + 1;
        n.self = std::uniform_int_distribution<std::int64_t>(0, 1'000'000)(random);
        tree.nodes[static_cast<std::size_t>(parent)].children.push_back(i);
        tree.nodes.push_back(std::move(n));
    }
    // Values bottom up (children come after their parents), children by name.
    for (int i = nodes - 1; i >= 0; --i) {
        FlameTree::Node &n = tree.nodes[static_cast<std::size_t>(i)];
        n.value += n.self;
        if (n.parent >= 0)
            tree.nodes[static_cast<std::size_t>(n.parent)].value += n.value;
        std::sort(n.children.begin(), n.children.end(), [&](int a, int b) {
            return tree.nodes[static_cast<std::size_t>(a)].name < tree.nodes[static_cast<std::size_t>(b)].name;
        });
    }
    return tree;
}

struct Figures {
    std::vector<double> ms;
    void add(double v) { ms.push_back(v); }
    double quantile(double q)
    {
        std::sort(ms.begin(), ms.end());
        return ms.empty() ? 0
                          : ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
    }
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("nodes"), QStringLiteral("tree size (default 100000)"), QStringLiteral("N"),
                      QStringLiteral("100000")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("widget size (default 1600x900)"), QStringLiteral("WxH"),
                      QStringLiteral("1600x900")});
    parser.process(app);
    const int nodes = parser.value(QStringLiteral("nodes")).toInt();
    const QStringList size = parser.value(QStringLiteral("size")).split(u'x');
    const QSize pixels(size.value(0).toInt(), size.value(1).toInt());
    if (nodes < 2 || pixels.isEmpty()) {
        std::fprintf(stderr, "gotriage-bench-flame: bad --nodes or --size\n");
        return 2;
    }

    std::mt19937 random(11);
    auto tree = std::make_shared<FlameTree>(randomTree(nodes, random));
    int maxDepth = 0;
    for (const auto &n : tree->nodes)
        maxDepth = std::max(maxDepth, n.depth);
    gotriage::ui::FlameGraphWidget widget;
    {
        // The process' first text loads its fonts: done by the window's
        // other widgets long before a flame graph opens, so not timed here.
        QImage warm(64, 64, QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&warm);
        painter.drawText(QRect(0, 0, 64, 64), QStringLiteral("runtime.mallocgc"));
    }
    widget.resize(pixels.width(), std::max(pixels.height(), (maxDepth + 1) * widget.kRowHeight));
    // The labels are made where the tree is made (a worker thread in the
    // window), so that the first frame does not make them.
    gotriage::ui::FlameGraphWidget::Labels labels = gotriage::ui::FlameGraphWidget::labelsFor(*tree);
    QElapsedTimer timer;
    timer.start();
    widget.setTree(tree, std::move(labels));
    const double setMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    QImage frame(widget.size(), QImage::Format_ARGB32_Premultiplied);
    // The first frame converts the names it shows and picks their colours.
    timer.restart();
    widget.render(&frame);
    const double firstMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

    // Zoom: a click on a box lays the graph out again and repaints it all.
    Figures zoom;
    std::vector<int> targets;
    for (int i = 0; i < 60; ++i)
        targets.push_back(std::uniform_int_distribution<int>(0, nodes - 1)(random));
    targets.push_back(0);
    for (int node : targets) {
        timer.restart();
        widget.zoomTo(node);
        widget.render(&frame);
        zoom.add(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    // Hover at the root zoom: each move hit-tests, builds the tooltip and
    // repaints only the boxes that changed.
    widget.zoomTo(0);
    Figures hover;
    int hits = 0;
    for (int i = 0; i < 2000; ++i) {
        const QPointF at(std::uniform_real_distribution<double>(0, widget.width() - 1)(random),
                         std::uniform_real_distribution<double>(0, (maxDepth + 1) * widget.kRowHeight - 1)(random));
        timer.restart();
        const int before = widget.hovered();
        QMouseEvent move(QEvent::MouseMove, at, widget.mapToGlobal(at), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&widget, &move);
        QRegion dirty = QRegion(widget.rectOf(before)) + QRegion(widget.rectOf(widget.hovered()));
        if (!dirty.isEmpty())
            widget.render(&frame, dirty.boundingRect().topLeft(), dirty);
        hover.add(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        hits += widget.hovered() >= 0 ? 1 : 0;
    }
    std::printf("flame-tree: %d nodes, %d deep, %dx%d pixels; setTree %.1f ms, first frame %.1f ms; %d boxes drawn "
                "at the root zoom\n",
                nodes, maxDepth, widget.width(), widget.height(), setMs, firstMs, widget.drawnBoxes());
    std::printf("flame-zoom: layout + full repaint p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu zooms)\n",
                zoom.quantile(0.5), zoom.quantile(0.99), zoom.quantile(1.0), zoom.ms.size());
    std::printf(
        "flame-hover: hit test + tooltip + repaint p50 %.3f ms, p99 %.3f ms, max %.3f ms (%zu moves, %d on a box)\n",
        hover.quantile(0.5), hover.quantile(0.99), hover.quantile(1.0), hover.ms.size(), hits);
    return 0;
}
