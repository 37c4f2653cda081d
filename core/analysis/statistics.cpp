#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

namespace gotriage::analysis {

double median(std::span<const double> values)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::vector<double> copy(values.begin(), values.end());
    const std::size_t mid = copy.size() / 2;
    std::nth_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(mid), copy.end());
    const double upper = copy[mid];
    if (copy.size() % 2 == 1)
        return upper;
    const double lower = *std::max_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(mid));
    return (lower + upper) / 2;
}

double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double lag1Autocorrelation(std::span<const double> values)
{
    const std::size_t n = values.size();
    if (n < 3)
        return 0;
    double mean = 0;
    for (double v : values)
        mean += v;
    mean /= static_cast<double>(n);
    double numerator = 0, denominator = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = values[i] - mean;
        denominator += d * d;
        if (i + 1 < n)
            numerator += d * (values[i + 1] - mean);
    }
    return denominator > 0 ? numerator / denominator : 0;
}

TheilSen theilSen(std::span<const double> x, std::span<const double> y)
{
    TheilSen out;
    const std::size_t n = std::min(x.size(), y.size());
    if (n < 3)
        return out;
    std::vector<double> slopes;
    slopes.reserve(n * (n - 1) / 2);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const double dx = x[j] - x[i];
            if (dx != 0)
                slopes.push_back((y[j] - y[i]) / dx);
        }
    }
    if (slopes.size() < 2)
        return out;
    std::sort(slopes.begin(), slopes.end());
    const std::size_t m = slopes.size();
    out.slope = m % 2 ? slopes[m / 2] : (slopes[m / 2 - 1] + slopes[m / 2]) / 2;
    out.intercept = median(y.first(n)) - out.slope * median(x.first(n));
    // Sen (1968): the CI spans ranks (m − C)/2 and (m + C)/2 of the sorted
    // slopes, with C = z(0.975) · sqrt(Var(S)) and Var(S) = n(n−1)(2n+5)/18.
    const double varS = static_cast<double>(n) * static_cast<double>(n - 1) * static_cast<double>(2 * n + 5) / 18.0;
    const double c = 1.959964 * std::sqrt(varS);
    const auto rank = [&](double r) {
        const auto k = static_cast<std::ptrdiff_t>(std::llround(r));
        return slopes[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(k, 0, static_cast<std::ptrdiff_t>(m) - 1))];
    };
    out.slopeLow = rank((static_cast<double>(m) - c) / 2.0);
    out.slopeHigh = rank((static_cast<double>(m) + c) / 2.0 + 1.0);
    out.valid = true;
    return out;
}

MannKendall mannKendall(std::span<const double> y, double detrendSlopePerIndex)
{
    std::vector<double> residual(y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
        residual[i] = y[i] - detrendSlopePerIndex * static_cast<double>(i);
    return mannKendallWithLag1(y, lag1Autocorrelation(residual));
}

MannKendall mannKendallWithLag1(std::span<const double> y, double lag1)
{
    MannKendall out;
    const std::size_t n = y.size();
    if (n < 4)
        return out;
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const double d = y[j] - y[i];
            s += d > 0 ? 1 : d < 0 ? -1 : 0;
        }
    }
    // Ties: Σ t(t−1)(2t+5) over groups of equal values.
    std::map<double, int> groups;
    for (double v : y)
        ++groups[v];
    double ties = 0;
    for (const auto &[value, t] : groups) {
        if (t > 1)
            ties += static_cast<double>(t) * (t - 1) * (2 * t + 5);
    }
    const double nn = static_cast<double>(n);
    double variance = (nn * (nn - 1) * (2 * nn + 5) - ties) / 18.0;

    // Autocorrelation of what is left after removing the trend: persistence
    // makes runs look like trends, so it widens the variance.
    out.lag1 = std::clamp(lag1, 0.0, 0.9);
    variance *= (1 + out.lag1) / (1 - out.lag1);

    out.s = s;
    out.variance = variance;
    if (variance > 0) {
        out.z = s > 0 ? (s - 1) / std::sqrt(variance) : s < 0 ? (s + 1) / std::sqrt(variance) : 0;
        out.p = 2 * (1 - normalCdf(std::fabs(out.z)));
    }
    return out;
}

} // namespace gotriage::analysis
