#pragma once

#include <span>

namespace gotriage::analysis {

// Robust line through (x, y): Theil–Sen slope (median of pairwise slopes),
// intercept median(y) − slope·median(x), and the 95 % confidence interval of
// the slope from Sen (1968). O(n²) pairs: meant for bucketed series of at
// most a few hundred points.
struct TheilSen {
    double slope = 0;
    double intercept = 0;
    double slopeLow = 0; // 95 % CI
    double slopeHigh = 0;
    bool valid = false; // needs at least 3 points with distinct x
};
TheilSen theilSen(std::span<const double> x, std::span<const double> y);

// Mann–Kendall trend test on values in time order. S counts concordant minus
// discordant pairs; Var(S) is tie-corrected and inflated for lag-1
// autocorrelation of the detrended series (Yue–Wang style effective sample
// size), so a noisy but merely persistent series is not called a trend.
struct MannKendall {
    double s = 0;
    double variance = 0;
    double z = 0; // continuity-corrected
    double p = 1; // two-sided
    double lag1 = 0; // autocorrelation used for the correction
};
MannKendall mannKendall(std::span<const double> y, double detrendSlopePerIndex = 0);
// The same with the lag-1 autocorrelation given (from the caller's own fit).
MannKendall mannKendallWithLag1(std::span<const double> y, double lag1);

double median(std::span<const double> values); // copies; NaN when empty
double lag1Autocorrelation(std::span<const double> values);
double normalCdf(double z);

} // namespace gotriage::analysis
