#include "toptable.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace gotriage::diagnose {

namespace {

struct Node {
    std::string name;
    std::int64_t flat = 0;
    std::int64_t cum = 0;
    // How callers reach it: by an inlined call (the frame is not the
    // outermost of its location) or a real one. pprof marks a function
    // "(inline)" when every caller inlined it, "(partial-inline)" when some did.
    bool inlinedIn = false;
    bool calledIn = false;
};

// The graph of one pass: nodes by function name, and each location's frames
// as node indices (caller last, as in Location::lines), -1 for a frame whose
// node is not kept.
struct Graph {
    std::vector<Node> nodes;
    // Location id -> nodes, innermost first: a vector, since ids are dense
    // (Profile::locationIndex), looked up for every frame of every sample.
    std::vector<std::vector<int>> frames;
    const std::vector<int> &framesOf(std::uint64_t locationId) const { return frames[locationId]; }
};

// Edges (caller, callee) and whether every call along them was inlined; as
// in pprof, an edge counts once per sample, at its first occurrence. Dense
// for the usual few thousand functions, hashed beyond.
class Edges
{
public:
    explicit Edges(std::size_t nodes) : m_nodes(nodes)
    {
        if (nodes <= 2048)
            m_dense.assign(nodes * nodes, {});
    }
    void add(int caller, int callee, bool inlined, int sample)
    {
        Edge &e = m_dense.empty()
            ? m_sparse[(static_cast<std::uint64_t>(caller) << 32) | static_cast<std::uint32_t>(callee)]
            : m_dense[static_cast<std::size_t>(caller) * m_nodes + static_cast<std::size_t>(callee)];
        if (e.lastSample == 0) {
            e = {inlined, sample};
        } else if (e.lastSample != sample) {
            e.lastSample = sample;
            e.inlined = e.inlined && inlined;
        }
    }
    template<typename F> void forEach(F f) const
    {
        if (m_dense.empty()) {
            for (const auto &[key, e] : m_sparse)
                f(static_cast<int>(key & 0xffffffffU), e.inlined);
            return;
        }
        for (std::size_t i = 0; i < m_dense.size(); ++i) {
            if (m_dense[i].lastSample != 0)
                f(static_cast<int>(i % m_nodes), m_dense[i].inlined);
        }
    }

private:
    struct Edge {
        bool inlined = false;
        int lastSample = 0; // 0: never seen (samples count from 1)
    };
    std::size_t m_nodes;
    std::vector<Edge> m_dense;
    std::unordered_map<std::uint64_t, Edge> m_sparse;
};

Graph build(const formats::Profile &profile, std::size_t index, const std::unordered_map<std::string, int> *keptIds)
{
    Graph g;
    std::unordered_map<std::string, int> byName;
    if (keptIds) {
        // A rebuilt graph has exactly the kept nodes, numbered as before.
        g.nodes.resize(keptIds->size());
        for (const auto &[name, id] : *keptIds)
            g.nodes[static_cast<std::size_t>(id)].name = name;
        byName = *keptIds;
    }
    g.frames.resize(profile.locationIndex.size());
    for (const formats::Profile::Location &l : profile.locations) {
        std::vector<int> &nodes = g.frames[l.id];
        nodes.reserve(l.lines.size());
        for (const formats::Profile::Line &line : l.lines) {
            const formats::Profile::Function *f = profile.function(line.functionId);
            const std::string &name = f->name;
            auto it = byName.find(name);
            if (it == byName.end()) {
                if (keptIds) {
                    nodes.push_back(-1);
                    continue;
                }
                it = byName.emplace(name, static_cast<int>(g.nodes.size())).first;
                g.nodes.push_back({name, 0, 0});
            }
            nodes.push_back(it->second);
        }
    }
    std::vector<int> seen(g.nodes.size(), -1); // the sample that last added to each node's cum
    Edges edges(g.nodes.size());
    int sampleNumber = 0;
    for (const formats::Profile::Sample &s : profile.samples) {
        const std::int64_t v = profile.value(s, index);
        if (v == 0)
            continue;
        ++sampleNumber;
        int parent = -1;
        bool residual = false;
        for (auto location = profile.locationIds(s).rbegin(); location != profile.locationIds(s).rend(); ++location) {
            const std::vector<int> &nodes = g.framesOf(*location);
            for (auto n = nodes.rbegin(); n != nodes.rend(); ++n) {
                if (*n < 0) {
                    residual = true;
                    continue;
                }
                if (seen[static_cast<std::size_t>(*n)] != sampleNumber) {
                    seen[static_cast<std::size_t>(*n)] = sampleNumber;
                    g.nodes[static_cast<std::size_t>(*n)].cum += v;
                }
                if (parent >= 0 && parent != *n)
                    edges.add(parent, *n, n != nodes.rbegin() /* not its location's outermost frame */, sampleNumber);
                parent = *n;
                residual = false;
            }
        }
        if (parent >= 0 && !residual)
            g.nodes[static_cast<std::size_t>(parent)].flat += v;
    }
    edges.forEach([&g](int callee, bool inlined) {
        Node &node = g.nodes[static_cast<std::size_t>(callee)];
        (inlined ? node.inlinedIn : node.calledIn) = true;
    });
    return g;
}

} // namespace

TopTable topTable(const formats::Profile &profile, const TopOptions &options)
{
    TopTable out;
    const std::optional<std::size_t> index = profile.sampleIndex(options.sampleIndex);
    if (!index) {
        out.error = "no sample type \"" + options.sampleIndex + "\" in this profile";
        if (!profile.sampleTypes.empty()) {
            out.error += " (it has";
            for (const auto &t : profile.sampleTypes)
                out.error += " " + t.type;
            out.error += ")";
        }
        return out;
    }
    out.sampleType = profile.sampleTypes[*index];
    for (const formats::Profile::Sample &s : profile.samples)
        out.total += std::llabs(profile.value(s, *index));

    Graph g = build(profile, *index, nullptr);
    if (options.nodeFraction > 0) {
        out.dropCutoff = std::llabs(static_cast<std::int64_t>(static_cast<double>(out.total) * options.nodeFraction));
        // Dropped nodes are left out of a rebuilt graph, as pprof does: a
        // stack passes through them, and a leaf among them keeps its flat.
        std::unordered_map<std::string, int> keptIds;
        int inGraph = 0;
        for (const Node &n : g.nodes) {
            if (n.cum == 0 && n.flat == 0)
                continue; // never in pprof's graph, so never "dropped" either
            ++inGraph;
            if (std::llabs(n.cum) >= out.dropCutoff) // pprof keeps cum == cutoff (and prints "cum <= cutoff")
                keptIds.emplace(n.name, static_cast<int>(keptIds.size()));
        }
        out.droppedNodes = inGraph - static_cast<int>(keptIds.size());
        if (out.droppedNodes > 0)
            g = build(profile, *index, &keptIds);
    }

    std::vector<Node> &nodes = g.nodes;
    std::erase_if(nodes, [](const Node &n) { return n.cum == 0 && n.flat == 0; });
    std::sort(nodes.begin(), nodes.end(), [&](const Node &l, const Node &r) {
        const std::int64_t lk = std::llabs(options.sortByCum ? l.cum : l.flat);
        const std::int64_t rk = std::llabs(options.sortByCum ? r.cum : r.flat);
        if (lk != rk)
            return lk > rk;
        if (l.name != r.name)
            return l.name < r.name;
        return std::llabs(options.sortByCum ? l.flat : l.cum) > std::llabs(options.sortByCum ? r.flat : r.cum);
    });
    if (options.nodeCount > 0 && nodes.size() > static_cast<std::size_t>(options.nodeCount))
        nodes.resize(static_cast<std::size_t>(options.nodeCount));

    const auto percent = [&](std::int64_t v) {
        return out.total == 0 ? 0.0 : 100.0 * static_cast<double>(v) / static_cast<double>(out.total);
    };
    std::int64_t running = 0;
    out.rows.reserve(nodes.size());
    for (const Node &n : nodes) {
        running += n.flat;
        const std::string mark = !n.inlinedIn ? std::string() : n.calledIn ? " (partial-inline)" : " (inline)";
        out.rows.push_back({n.name + mark, n.flat, n.cum, percent(n.flat), percent(running), percent(n.cum)});
    }
    out.shown = running;
    return out;
}

} // namespace gotriage::diagnose
