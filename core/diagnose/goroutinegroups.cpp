#include "goroutinegroups.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace gotriage::diagnose {

namespace {

using Key = std::tuple<std::string, std::vector<std::tuple<std::string, std::string, std::int64_t>>>;

Key keyOf(const std::string &state, const std::vector<formats::GoroutineFrame> &frames)
{
    Key key{state, {}};
    auto &stack = std::get<1>(key);
    stack.reserve(frames.size());
    for (const formats::GoroutineFrame &f : frames)
        stack.emplace_back(f.function, f.file, f.line);
    return key;
}

std::string topFunction(const GoroutineGroup &g)
{
    return g.frames.empty() ? std::string() : g.frames.front().function;
}

} // namespace

bool isLeakState(const std::string &state)
{
    for (const char *prefix : {"chan receive", "chan send", "select", "IO wait", "semacquire", "sync.Mutex.Lock",
                               "sync.RWMutex.Lock", "sync.RWMutex.RLock", "sync.Cond.Wait"}) {
        if (state.starts_with(prefix))
            return true;
    }
    return false;
}

std::vector<GoroutineGroup> groupGoroutines(const std::vector<formats::Goroutine> &goroutines)
{
    std::map<Key, GoroutineGroup> byKey;
    for (const formats::Goroutine &g : goroutines) {
        auto [it, added] = byKey.try_emplace(keyOf(g.state, g.frames));
        GoroutineGroup &group = it->second;
        if (added) {
            group.state = g.state;
            group.frames = g.frames;
            group.createdBy = g.createdBy;
            group.leakState = isLeakState(g.state);
        }
        ++group.count;
        group.growth = group.count;
        group.lockedToThread += g.lockedToThread ? 1 : 0;
        if (g.waitMinutes && (!group.maxWaitMinutes || *g.waitMinutes > *group.maxWaitMinutes))
            group.maxWaitMinutes = g.waitMinutes;
    }
    std::vector<GoroutineGroup> out;
    out.reserve(byKey.size());
    for (auto &[key, group] : byKey)
        out.push_back(std::move(group));
    std::stable_sort(out.begin(), out.end(), [](const GoroutineGroup &a, const GoroutineGroup &b) {
        if (a.count != b.count)
            return a.count > b.count;
        if (a.leakState != b.leakState)
            return a.leakState;
        return std::make_pair(a.state, topFunction(a)) < std::make_pair(b.state, topFunction(b));
    });
    return out;
}

std::vector<GoroutineGroup> diffGoroutineGroups(const std::vector<GoroutineGroup> &older,
                                                const std::vector<GoroutineGroup> &newer)
{
    std::map<Key, int> before;
    for (const GoroutineGroup &g : older)
        before[keyOf(g.state, g.frames)] += g.count;
    std::vector<GoroutineGroup> out;
    for (const GoroutineGroup &g : newer) {
        GoroutineGroup d = g;
        const auto it = before.find(keyOf(g.state, g.frames));
        d.growth = g.count - (it == before.end() ? 0 : it->second);
        if (it != before.end())
            before.erase(it);
        out.push_back(std::move(d));
    }
    for (const GoroutineGroup &g : older) {
        if (!before.count(keyOf(g.state, g.frames)))
            continue; // matched above
        GoroutineGroup gone = g;
        gone.count = 0;
        gone.growth = -g.count;
        gone.maxWaitMinutes.reset();
        out.push_back(std::move(gone));
        before.erase(keyOf(g.state, g.frames));
    }
    std::stable_sort(out.begin(), out.end(), [](const GoroutineGroup &a, const GoroutineGroup &b) {
        if (a.growth != b.growth)
            return a.growth > b.growth;
        if (a.count != b.count)
            return a.count > b.count;
        return topFunction(a) < topFunction(b);
    });
    return out;
}

} // namespace gotriage::diagnose
