#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace gotriage::record {

// A block of one service's samples: their times and one column of values
// per series, all the same length. What the recording stores as one blob.
struct SampleBlock {
    std::vector<std::int64_t> timesMs;
    std::vector<std::vector<double>> columns;

    std::size_t sampleCount() const { return timesMs.size(); }
};

// Encodes a block compactly. Times: delta-of-delta in variable bit widths
// (a steady 1 s scrape with jitter costs about a byte). Each column picks
// the cheapest of three codings: whole numbers (counters, goroutines, bytes)
// as a delta-of-delta of integers; whole numbers of 10^-k (seconds counted
// to the millisecond, k ≤ 6) the same way, when every value divides back to
// its exact bits; anything else as the XOR of successive
// IEEE doubles with their leading and trailing zero bits dropped, so that
// NaN ("unknown"), infinities and -0 survive bit for bit.
QByteArray encodeBlock(const SampleBlock &block);

// The block back, or nullopt and `error` naming what is wrong (cut short,
// a count that does not fit, an unknown coding) for a blob that is damaged
// or was never one. Never reads past `bytes`.
std::optional<SampleBlock> decodeBlock(const QByteArray &bytes, QString *error);

} // namespace gotriage::record
