#include "histogramquantile.h"

#include <cmath>
#include <limits>

namespace gotriage::vitals {

double histogramQuantile(double q, const std::vector<std::pair<double, double>> &buckets)
{
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    if (buckets.size() < 2 || !std::isinf(buckets.back().first) || q < 0 || q > 1)
        return kNaN;
    const double total = buckets.back().second;
    if (!(total > 0))
        return kNaN;
    const double rank = q * total;
    std::size_t b = 0;
    while (b < buckets.size() && buckets[b].second < rank)
        ++b;
    if (b >= buckets.size() - 1)
        return buckets[buckets.size() - 2].first;
    const double upper = buckets[b].first;
    double lower = 0;
    double countBelow = 0;
    if (b > 0) {
        lower = buckets[b - 1].first;
        countBelow = buckets[b - 1].second;
    } else if (upper <= 0) {
        return upper;
    }
    const double inBucket = buckets[b].second - countBelow;
    if (!(inBucket > 0))
        return upper;
    return lower + (upper - lower) * (rank - countBelow) / inBucket;
}

} // namespace gotriage::vitals
