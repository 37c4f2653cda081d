#include "decimate.h"

#include <algorithm>

namespace gotriage::store {

std::vector<std::pair<std::int64_t, double>> decimateMinMax(std::span<const std::pair<std::int64_t, double>> points,
                                                            std::int64_t fromMs, std::int64_t toMs, int columns)
{
    using Point = std::pair<std::int64_t, double>;
    const auto byTime = [](const Point &p, std::int64_t t) { return p.first < t; };
    auto first = std::lower_bound(points.begin(), points.end(), fromMs, byTime);
    auto end = std::upper_bound(first, points.end(), toMs, [](std::int64_t t, const Point &p) { return t < p.first; });
    // The neighbours outside the range carry the line to the chart's edges.
    if (first != points.begin())
        --first;
    if (end != points.end())
        ++end;
    std::vector<Point> out;
    const auto inRange = static_cast<std::size_t>(end - first);
    if (columns < 1 || toMs <= fromMs || inRange <= 2 * static_cast<std::size_t>(columns) + 2) {
        out.assign(first, end);
        return out;
    }
    out.reserve(2 * static_cast<std::size_t>(columns) + 2);
    const double span = static_cast<double>(toMs - fromMs);
    // -1 and `columns` hold the one neighbour each side.
    const auto columnOf = [&](std::int64_t tsMs) {
        if (tsMs < fromMs)
            return -1;
        if (tsMs > toMs)
            return columns;
        return std::min(static_cast<int>(static_cast<double>(tsMs - fromMs) / span * columns), columns - 1);
    };
    auto it = first;
    while (it != end) {
        const int column = columnOf(it->first);
        const Point *low = &*it;
        const Point *high = &*it;
        for (++it; it != end && columnOf(it->first) == column; ++it) {
            if (it->second < low->second)
                low = &*it;
            if (it->second > high->second)
                high = &*it;
        }
        if (low == high) {
            out.push_back(*low);
        } else if (low->first <= high->first) {
            out.push_back(*low);
            out.push_back(*high);
        } else {
            out.push_back(*high);
            out.push_back(*low);
        }
    }
    return out;
}

} // namespace gotriage::store
