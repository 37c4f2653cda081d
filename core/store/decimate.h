#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace gotriage::store {

// What a chart `columns` pixels wide needs of a series to draw [fromMs, toMs]
// exactly: per pixel column, the lowest and the highest point (in time
// order), so that no spike is lost and the line is the same as with every
// point. Also the last point before the range and the first after it, so
// that the line runs to the edges. At most 2 × columns + 2 points; a series
// that already has no more than that is returned as it is (within range).
// `points` is in time order.
std::vector<std::pair<std::int64_t, double>> decimateMinMax(std::span<const std::pair<std::int64_t, double>> points,
                                                            std::int64_t fromMs, std::int64_t toMs, int columns);

} // namespace gotriage::store
