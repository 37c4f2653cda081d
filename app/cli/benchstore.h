#pragma once

#include <cstddef>

namespace gotriage::cli {

// gotriage-cli bench store: `services` services' vitals at 1 s for `hours`
// into a SeriesStore of `budgetMiB`, fed round by round as live scrapes
// are: the cost of an append per sample and per vital, the memory held
// (the store's count and the process' RSS), how far back each service
// reaches, and the cost of a chart's read of a day, an hour and 5 minutes
// at 1500 pixels, against what it cost before the tiers: one service's
// every sample in the range copied and decimated.
int benchStore(int services, double hours, std::size_t budgetMiB);

} // namespace gotriage::cli
