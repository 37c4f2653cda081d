#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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
// to the millisecond, a GC pause to the nanosecond: k ≤ 9) the same way,
// when every value divides back to its exact bits; anything else as the XOR
// of successive IEEE doubles with their leading and trailing zero bits
// dropped, so that NaN ("unknown"), infinities and -0 survive bit for bit.
QByteArray encodeBlock(const SampleBlock &block);

// Builds a block one sample at a time, each series keeping its encoded bits
// as it goes: writing an open block every second then costs what was added
// since, not the whole block again. A series whose new value does not fit
// its coding is re-coded once, from its own bits. encode() gives the bytes
// encodeBlock() gives for the same samples.
class BlockBuilder
{
public:
    explicit BlockBuilder(std::size_t columns = 0);
    ~BlockBuilder();
    BlockBuilder(BlockBuilder &&) noexcept;
    BlockBuilder &operator=(BlockBuilder &&) noexcept;

    std::size_t sampleCount() const { return m_count; }
    std::size_t columnCount() const;
    std::int64_t firstMs() const { return m_firstMs; }
    std::int64_t lastMs() const { return m_lastMs; }
    // A new series; unknown (NaN) in the samples before it. Its index.
    std::size_t addColumn();
    // One sample: `values` holds a value per column.
    void append(std::int64_t tsMs, std::span<const double> values);
    QByteArray encode() const;
    // Starts the next block with the same number of series.
    void clear();

private:
    struct Column;
    // The times first, then the series: one array, walked in order every
    // sample (a pointer per series cost a cache miss per value).
    std::vector<Column> m_columns;
    std::size_t m_count = 0;
    std::int64_t m_firstMs = 0, m_lastMs = 0;
};

// The block back, or nullopt and `error` naming what is wrong (cut short,
// a count that does not fit, an unknown coding) for a blob that is damaged
// or was never one. Never reads past `bytes`.
std::optional<SampleBlock> decodeBlock(const QByteArray &bytes, QString *error);

} // namespace gotriage::record
