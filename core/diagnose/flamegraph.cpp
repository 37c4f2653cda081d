#include "flamegraph.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

namespace gotriage::diagnose {

namespace {

// Children by (parent, function name) while the tree is built, the name
// interned to an int once per function rather than hashed once per frame;
// sorted into vectors after.
struct Builder {
    FlameTree &tree;
    std::unordered_map<std::uint64_t, int> childIndex;

    int child(int parent, int nameId, const std::string &name)
    {
        const std::uint64_t key = (static_cast<std::uint64_t>(parent) << 32) | static_cast<std::uint32_t>(nameId);
        const auto [it, added] = childIndex.try_emplace(key, static_cast<int>(tree.nodes.size()));
        if (!added)
            return it->second;
        FlameTree::Node node;
        node.name = name;
        node.parent = parent;
        node.depth = tree.nodes[static_cast<std::size_t>(parent)].depth + 1;
        tree.nodes.push_back(std::move(node));
        tree.nodes[static_cast<std::size_t>(parent)].children.push_back(it->second);
        return it->second;
    }
};

} // namespace

FlameTree buildFlameTree(const formats::Profile &profile, std::string_view sampleIndex)
{
    FlameTree tree;
    const std::optional<std::size_t> index = profile.sampleIndex(sampleIndex);
    if (!index) {
        tree.error = "no sample type \"" + std::string(sampleIndex) + "\" in this profile";
        return tree;
    }
    tree.sampleType = profile.sampleTypes[*index];
    tree.nodes.push_back({"root", 0, 0, -1, 0, {}, 0});
    // Each location's frames, outermost first, as (name id, name).
    std::unordered_map<std::string_view, int> nameIds;
    std::vector<std::vector<std::pair<int, const std::string *>>> frames(profile.locationIndex.size());
    for (const formats::Profile::Location &l : profile.locations) {
        auto &out = frames[l.id];
        for (auto line = l.lines.rbegin(); line != l.lines.rend(); ++line) {
            const std::string &name = profile.function(line->functionId)->name;
            const auto [it, added] = nameIds.try_emplace(name, static_cast<int>(nameIds.size()));
            out.push_back({it->second, &name});
        }
    }
    Builder builder{tree, {}};
    for (const formats::Profile::Sample &s : profile.samples) {
        const std::int64_t v = profile.value(s, *index);
        if (v == 0)
            continue;
        int at = 0;
        tree.nodes[0].value += v;
        const auto ids = profile.locationIds(s);
        for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
            for (const auto &[nameId, name] : frames[*id]) {
                at = builder.child(at, nameId, *name);
                tree.nodes[static_cast<std::size_t>(at)].value += v;
            }
        }
        tree.nodes[static_cast<std::size_t>(at)].self += v;
    }
    for (FlameTree::Node &node : tree.nodes) {
        std::sort(node.children.begin(), node.children.end(), [&](int a, int b) {
            return tree.nodes[static_cast<std::size_t>(a)].name < tree.nodes[static_cast<std::size_t>(b)].name;
        });
    }
    return tree;
}

std::vector<FlameRect> layoutFlame(const FlameTree &tree, int zoom, double minWidth)
{
    std::vector<FlameRect> out;
    if (tree.nodes.empty() || zoom < 0 || static_cast<std::size_t>(zoom) >= tree.nodes.size())
        return out;
    // The breadcrumb: the zoomed node's ancestors, each as wide as the view.
    std::vector<int> ancestors;
    for (int n = tree.nodes[static_cast<std::size_t>(zoom)].parent; n >= 0;
         n = tree.nodes[static_cast<std::size_t>(n)].parent)
        ancestors.push_back(n);
    for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it)
        out.push_back({*it, tree.nodes[static_cast<std::size_t>(*it)].depth, 0.0, 1.0});
    const double scale = tree.nodes[static_cast<std::size_t>(zoom)].value == 0
        ? 0.0
        : 1.0 / static_cast<double>(std::llabs(tree.nodes[static_cast<std::size_t>(zoom)].value));
    // Breadth first from the zoomed node: each child starts where its
    // previous sibling ended, inside its parent's box.
    std::vector<FlameRect> level{{zoom, tree.nodes[static_cast<std::size_t>(zoom)].depth, 0.0, 1.0}};
    while (!level.empty()) {
        std::vector<FlameRect> next;
        for (const FlameRect &r : level) {
            out.push_back(r);
            double x = r.x;
            for (int child : tree.nodes[static_cast<std::size_t>(r.node)].children) {
                const double width
                    = static_cast<double>(std::llabs(tree.nodes[static_cast<std::size_t>(child)].value)) * scale;
                if (width > minWidth)
                    next.push_back({child, tree.nodes[static_cast<std::size_t>(child)].depth, x, width});
                x += width;
            }
        }
        level = std::move(next);
    }
    return out;
}

FlameSearch searchFlame(const FlameTree &tree, std::string_view text)
{
    FlameSearch out;
    if (text.empty() || tree.nodes.empty())
        return out;
    // Depth first, so that a match below a match is found but not counted twice.
    std::vector<std::pair<int, bool>> stack{{0, false}};
    while (!stack.empty()) {
        const auto [node, underMatch] = stack.back();
        stack.pop_back();
        const FlameTree::Node &n = tree.nodes[static_cast<std::size_t>(node)];
        const bool match = node != 0 && n.name.find(text) != std::string::npos;
        if (match) {
            out.matches.push_back(node);
            if (!underMatch)
                out.value += n.value;
        }
        for (int child : n.children)
            stack.push_back({child, underMatch || match});
    }
    std::sort(out.matches.begin(), out.matches.end());
    out.share = tree.total() == 0 ? 0.0 : static_cast<double>(out.value) / static_cast<double>(tree.total());
    return out;
}

double FlameTree::shareChange(int node) const
{
    const Node &n = nodes[static_cast<std::size_t>(node)];
    const double now = total() == 0 ? 0.0 : static_cast<double>(n.value) / static_cast<double>(total());
    const double before = baseTotal == 0 ? 0.0 : static_cast<double>(n.baseValue) / static_cast<double>(baseTotal);
    return now - before;
}

void annotateWithBase(FlameTree &tree, const FlameTree &base)
{
    if (tree.nodes.empty() || base.nodes.empty())
        return;
    tree.baseTotal = base.total();
    tree.nodes[0].baseValue = base.nodes[0].value;
    // Both trees' children are sorted by name: walk them side by side.
    std::vector<std::pair<int, int>> stack{{0, 0}};
    while (!stack.empty()) {
        const auto [mine, theirs] = stack.back();
        stack.pop_back();
        const auto &a = tree.nodes[static_cast<std::size_t>(mine)].children;
        const auto &b = base.nodes[static_cast<std::size_t>(theirs)].children;
        std::size_t j = 0;
        for (int child : a) {
            const std::string &name = tree.nodes[static_cast<std::size_t>(child)].name;
            while (j < b.size() && base.nodes[static_cast<std::size_t>(b[j])].name < name)
                ++j;
            if (j < b.size() && base.nodes[static_cast<std::size_t>(b[j])].name == name) {
                tree.nodes[static_cast<std::size_t>(child)].baseValue
                    = base.nodes[static_cast<std::size_t>(b[j])].value;
                stack.push_back({child, b[j]});
            }
        }
    }
}

CallersAndCallees callersAndCallees(const FlameTree &tree, std::string_view function)
{
    CallersAndCallees out;
    std::unordered_map<std::string, std::int64_t> callers, callees;
    std::vector<std::pair<int, bool>> stack{{0, false}};
    while (!stack.empty()) {
        const auto [node, underMatch] = stack.back();
        stack.pop_back();
        const FlameTree::Node &n = tree.nodes[static_cast<std::size_t>(node)];
        const bool match = node != 0 && n.name == function;
        if (match) {
            out.self += n.self;
            if (!underMatch) {
                out.cum += n.value;
                callers[tree.nodes[static_cast<std::size_t>(n.parent)].name] += n.value;
            }
            for (int child : n.children) {
                const FlameTree::Node &c = tree.nodes[static_cast<std::size_t>(child)];
                if (c.name != function)
                    callees[c.name] += c.value;
            }
        }
        for (int child : n.children)
            stack.push_back({child, underMatch || match});
    }
    const auto sorted = [](const std::unordered_map<std::string, std::int64_t> &edges) {
        std::vector<CallersAndCallees::Edge> list;
        for (const auto &[name, value] : edges)
            list.push_back({name, value});
        std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) {
            return a.value != b.value ? a.value > b.value : a.name < b.name;
        });
        return list;
    };
    out.callers = sorted(callers);
    out.callees = sorted(callees);
    return out;
}

} // namespace gotriage::diagnose
