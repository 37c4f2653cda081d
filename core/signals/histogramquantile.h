#pragma once

#include <utility>
#include <vector>

namespace gotriage::vitals {

// PromQL's histogram_quantile over cumulative buckets (upper bound, count),
// sorted by bound, the last one +Inf. Linear interpolation inside a bucket;
// a rank in the +Inf bucket answers the highest finite bound. NaN when the
// histogram is empty or malformed.
double histogramQuantile(double q, const std::vector<std::pair<double, double>> &buckets);

} // namespace gotriage::vitals
