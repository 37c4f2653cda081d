#include "chunkcodec.h"

#include "bitstream.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace gotriage::record {

using detail::BitReader;
using detail::BitWriter;

namespace {

constexpr std::uint8_t kFormat = 1;
constexpr std::uint8_t kColumnInteger = 0;
constexpr std::uint8_t kColumnFloat = 1;
constexpr std::uint8_t kColumnDecimal = 2; // whole numbers of 10^-k: counters of seconds, ratios
constexpr int kMaxDecimals = 9;
constexpr double kPowersOfTen[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
// A column or a block larger than this is not one we wrote.
constexpr std::uint64_t kMaxSamples = 1u << 20;
constexpr std::uint64_t kMaxColumns = 4096;

std::uint64_t zigzag(std::int64_t v)
{
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v)
{
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// Delta-of-delta of integers: 0 → '0'; small → a prefix and a few bits;
// anything else → '1111' and 64 bits. Wrapping arithmetic keeps any int64
// sequence exact.
void writeDeltaOfDelta(BitWriter &w, std::int64_t dod)
{
    const std::uint64_t z = zigzag(dod);
    if (z == 0)
        w.write(0, 1);
    else if (z < (1u << 7))
        w.write(0b10, 2), w.write(z, 7);
    else if (z < (1u << 12))
        w.write(0b110, 3), w.write(z, 12);
    else if (z < (1u << 20))
        w.write(0b1110, 4), w.write(z, 20);
    else
        w.write(0b1111, 4), w.write(z, 64);
}

bool readDeltaOfDelta(BitReader &r, std::int64_t *dod)
{
    std::uint64_t bit = 0, z = 0;
    int width = 64;
    int prefix = 0;
    for (; prefix < 4; ++prefix) {
        if (!r.read(1, &bit))
            return false;
        if (bit == 0)
            break;
    }
    static constexpr int kWidths[] = {0, 7, 12, 20, 64};
    width = kWidths[prefix];
    if (width > 0 && !r.read(width, &z))
        return false;
    *dod = unzigzag(z);
    return true;
}

bool decodeIntegers(BitReader &r, std::size_t count, std::vector<std::int64_t> &out)
{
    out.resize(count);
    std::int64_t previous = 0, delta = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (i == 0) {
            std::uint64_t z = 0;
            if (!r.read(64, &z))
                return false;
            previous = unzigzag(z);
        } else {
            std::int64_t dod = 0;
            if (!readDeltaOfDelta(r, &dod))
                return false;
            delta = static_cast<std::int64_t>(static_cast<std::uint64_t>(delta) + static_cast<std::uint64_t>(dod));
            previous
                = static_cast<std::int64_t>(static_cast<std::uint64_t>(previous) + static_cast<std::uint64_t>(delta));
        }
        out[i] = previous;
    }
    return true;
}

bool decodeFloats(BitReader &r, std::size_t count, std::vector<double> &out)
{
    out.resize(count);
    std::uint64_t previous = 0;
    int leading = -1, trailing = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (i == 0) {
            if (!r.read(64, &previous))
                return false;
            out[0] = std::bit_cast<double>(previous);
            continue;
        }
        std::uint64_t control = 0;
        if (!r.read(1, &control))
            return false;
        if (control == 1) {
            std::uint64_t reuse = 0;
            if (!r.read(1, &reuse))
                return false;
            if (reuse == 1) {
                std::uint64_t lead = 0, length = 0;
                if (!r.read(6, &lead) || !r.read(6, &length))
                    return false;
                leading = static_cast<int>(lead);
                const int bits = static_cast<int>(length) + 1;
                if (leading + bits > 64)
                    return false;
                trailing = 64 - leading - bits;
            } else if (leading < 0) {
                return false; // a reuse before any window
            }
            std::uint64_t x = 0;
            if (!r.read(64 - leading - trailing, &x))
                return false;
            previous ^= x << trailing;
        }
        out[i] = std::bit_cast<double>(previous);
    }
    return true;
}

bool isWhole(double v)
{
    return std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9.0e15
        && !(v == 0 && std::signbit(v)); // -0 keeps its sign as a float
}

bool fitsDecimals(double v, int k)
{
    const double scale = kPowersOfTen[k];
    const double scaled = std::round(v * scale);
    return isWhole(scaled) && scaled / scale == v && !(v == 0 && std::signbit(v));
}

// The fewest decimals (1 to kMaxDecimals) in which every value is exactly
// a whole number of 10^-k, dividing back to the same bits; 0 when none.
int decimalsOf(const std::vector<double> &column)
{
    for (int k = 1; k <= kMaxDecimals; ++k) {
        if (std::all_of(column.begin(), column.end(), [k](double v) { return fitsDecimals(v, k); }))
            return k;
    }
    return 0;
}

} // namespace

// One series' bits and the state its next value is coded against.
struct BlockBuilder::Column {
    std::uint8_t coding = kNoCoding;
    int decimals = 0;
    BitWriter bits;
    std::size_t count = 0;
    std::int64_t previous = 0, delta = 0; // the integer codings
    std::uint64_t previousBits = 0; // the float coding
    int leading = -1, trailing = 0;

    static constexpr std::uint8_t kNoCoding = 0xff; // nothing coded yet

    // Delta-of-delta of integers: 0 → '0'; small → a prefix and a few bits;
    // anything else → '1111' and 64 bits. Wrapping arithmetic keeps any
    // int64 sequence exact.
    void appendInteger(std::int64_t value)
    {
        if (count++ == 0) {
            bits.write(zigzag(value), 64);
        } else {
            const auto d
                = static_cast<std::int64_t>(static_cast<std::uint64_t>(value) - static_cast<std::uint64_t>(previous));
            writeDeltaOfDelta(
                bits, static_cast<std::int64_t>(static_cast<std::uint64_t>(d) - static_cast<std::uint64_t>(delta)));
            delta = d;
        }
        previous = value;
    }

    // XOR of successive doubles: same → '0'; inside the previous window of
    // meaningful bits → '10' and those bits; else '11', 6 bits of leading
    // zeros, 6 bits of length − 1, and the bits.
    void appendFloat(double value)
    {
        const std::uint64_t v = std::bit_cast<std::uint64_t>(value);
        if (count++ == 0) {
            bits.write(v, 64);
            previousBits = v;
            return;
        }
        const std::uint64_t x = v ^ previousBits;
        previousBits = v;
        if (x == 0) {
            bits.write(0, 1);
            return;
        }
        const int lead = std::countl_zero(x);
        const int trail = std::countr_zero(x);
        if (leading >= 0 && lead >= leading && trail >= trailing) {
            bits.write(0b10, 2);
            bits.write(x >> trailing, 64 - leading - trailing);
            return;
        }
        leading = lead;
        trailing = trail;
        const int length = 64 - lead - trail;
        bits.write(0b11, 2);
        bits.write(static_cast<std::uint64_t>(lead), 6);
        bits.write(static_cast<std::uint64_t>(length - 1), 6);
        bits.write(x >> trail, length);
    }

    void appendCoded(double value)
    {
        if (coding == kColumnInteger)
            appendInteger(static_cast<std::int64_t>(value));
        else if (coding == kColumnDecimal)
            appendInteger(static_cast<std::int64_t>(std::round(value * kPowersOfTen[decimals])));
        else
            appendFloat(value);
    }

    bool fits(double value) const
    {
        if (coding == kColumnInteger)
            return isWhole(value);
        if (coding == kColumnDecimal)
            return fitsDecimals(value, decimals);
        return coding == kColumnFloat;
    }

    void append(double value)
    {
        if (fits(value)) {
            appendCoded(value);
            return;
        }
        if (count == 0) { // the first value picks the coding on its own
            int k = 0;
            if (!isWhole(value)) {
                for (k = 1; k <= kMaxDecimals && !fitsDecimals(value, k); ++k) { }
            }
            coding = k == 0 ? kColumnInteger : k <= kMaxDecimals ? kColumnDecimal : kColumnFloat;
            decimals = coding == kColumnDecimal ? k : 0;
            appendCoded(value);
            return;
        }
        // The coding no longer fits: read the series back from its own bits
        // and code it again, in the cheapest coding that holds every value.
        std::vector<double> values = decoded();
        values.push_back(value);
        const bool whole = std::all_of(values.begin(), values.end(), isWhole);
        decimals = whole ? 0 : decimalsOf(values);
        coding = whole ? kColumnInteger : decimals > 0 ? kColumnDecimal : kColumnFloat;
        const std::uint8_t chosen = coding;
        const int chosenDecimals = decimals;
        clear();
        coding = chosen;
        decimals = chosenDecimals;
        for (const double v : values)
            appendCoded(v);
    }

    std::vector<double> decoded() const
    {
        std::vector<double> values;
        if (count == 0)
            return values;
        const QByteArray bytes = bits.bytes();
        BitReader r(bytes);
        if (coding == kColumnFloat) {
            decodeFloats(r, count, values);
            return values;
        }
        std::vector<std::int64_t> integers;
        decodeIntegers(r, count, integers);
        const double scale = coding == kColumnDecimal ? kPowersOfTen[decimals] : 1.0;
        values.reserve(integers.size());
        for (const std::int64_t v : integers)
            values.push_back(coding == kColumnDecimal ? static_cast<double>(v) / scale : static_cast<double>(v));
        return values;
    }

    void clear()
    {
        coding = kNoCoding;
        decimals = 0;
        bits.clear(); // keeps its memory for the next block
        count = 0;
        previous = delta = 0;
        previousBits = 0;
        leading = -1;
        trailing = 0;
    }
};

BlockBuilder::BlockBuilder(std::size_t columns) : m_columns(columns + 1)
{
    m_columns[0].coding = kColumnInteger;
}

BlockBuilder::~BlockBuilder() = default;
BlockBuilder::BlockBuilder(BlockBuilder &&) noexcept = default;
BlockBuilder &BlockBuilder::operator=(BlockBuilder &&) noexcept = default;

std::size_t BlockBuilder::columnCount() const
{
    return m_columns.size() - 1;
}

std::size_t BlockBuilder::addColumn()
{
    Column &column = m_columns.emplace_back();
    for (std::size_t i = 0; i < m_count; ++i)
        column.append(std::numeric_limits<double>::quiet_NaN());
    return m_columns.size() - 2;
}

void BlockBuilder::append(std::int64_t tsMs, std::span<const double> values)
{
    Q_ASSERT(values.size() == columnCount());
    if (m_count == 0)
        m_firstMs = tsMs;
    m_lastMs = tsMs;
    m_columns[0].appendInteger(tsMs);
    for (std::size_t c = 0; c < values.size(); ++c)
        m_columns[c + 1].append(values[c]);
    ++m_count;
}

QByteArray BlockBuilder::encode() const
{
    BitWriter w;
    std::uint64_t bits = 64;
    for (const Column &column : m_columns)
        bits += 16 + column.bits.bitCount();
    w.reserve(bits);
    w.write(kFormat, 8);
    w.writeVarint(m_count);
    w.writeVarint(columnCount());
    w.append(m_columns[0].bits);
    for (std::size_t c = 1; c < m_columns.size(); ++c) {
        const Column &column = m_columns[c];
        const std::uint8_t coding = column.coding == Column::kNoCoding ? kColumnInteger : column.coding;
        w.write(coding, 8);
        if (coding == kColumnDecimal)
            w.write(static_cast<std::uint64_t>(column.decimals), 8);
        w.append(column.bits);
    }
    return w.bytes();
}

void BlockBuilder::clear()
{
    for (Column &column : m_columns)
        column.clear();
    m_columns[0].coding = kColumnInteger;
    m_count = 0;
    m_firstMs = m_lastMs = 0;
}

QByteArray encodeBlock(const SampleBlock &block)
{
    BlockBuilder builder(block.columns.size());
    std::vector<double> row(block.columns.size());
    for (std::size_t i = 0; i < block.sampleCount(); ++i) {
        for (std::size_t c = 0; c < row.size(); ++c)
            row[c] = block.columns[c][i];
        builder.append(block.timesMs[i], row);
    }
    return builder.encode();
}

std::optional<SampleBlock> decodeBlock(const QByteArray &bytes, QString *error)
{
    const auto fail = [error](const QString &why) -> std::optional<SampleBlock> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    BitReader r(bytes);
    std::uint64_t format = 0, count = 0, columns = 0;
    if (!r.read(8, &format))
        return fail(QStringLiteral("empty block"));
    if (format != kFormat)
        return fail(QStringLiteral("block format %1 is not one this version reads (%2)").arg(format).arg(kFormat));
    if (!r.readVarint(&count) || !r.readVarint(&columns))
        return fail(QStringLiteral("block header cut short"));
    if (count > kMaxSamples || columns > kMaxColumns)
        return fail(QStringLiteral("block claims %1 samples of %2 series: not a block this program wrote")
                        .arg(count)
                        .arg(columns));
    // Every sample costs at least a bit per column: a claim the bytes cannot
    // hold is refused before anything is allocated for it.
    if (count > 0 && (count - 1) * (columns + 1) > static_cast<std::uint64_t>(bytes.size()) * 8)
        return fail(QStringLiteral("block claims %1 samples but holds %2 bytes").arg(count).arg(bytes.size()));
    SampleBlock block;
    if (!decodeIntegers(r, count, block.timesMs))
        return fail(QStringLiteral("times cut short"));
    block.columns.resize(columns);
    for (std::uint64_t c = 0; c < columns; ++c) {
        std::uint64_t coding = 0;
        if (!r.read(8, &coding))
            return fail(QStringLiteral("series %1 of %2 cut short").arg(c + 1).arg(columns));
        if (coding == kColumnInteger) {
            std::vector<std::int64_t> integers;
            if (!decodeIntegers(r, count, integers))
                return fail(QStringLiteral("series %1 of %2 cut short").arg(c + 1).arg(columns));
            block.columns[c].assign(integers.begin(), integers.end());
        } else if (coding == kColumnDecimal) {
            std::uint64_t decimals = 0;
            std::vector<std::int64_t> integers;
            if (!r.read(8, &decimals) || decimals < 1 || decimals > kMaxDecimals)
                return fail(QStringLiteral("series %1 of %2: a bad decimal scale").arg(c + 1).arg(columns));
            if (!decodeIntegers(r, count, integers))
                return fail(QStringLiteral("series %1 of %2 cut short").arg(c + 1).arg(columns));
            block.columns[c].reserve(count);
            for (const std::int64_t v : integers)
                block.columns[c].push_back(static_cast<double>(v) / kPowersOfTen[decimals]);
        } else if (coding == kColumnFloat) {
            if (!decodeFloats(r, count, block.columns[c]))
                return fail(QStringLiteral("series %1 of %2 cut short or damaged").arg(c + 1).arg(columns));
        } else {
            return fail(QStringLiteral("series %1 has an unknown coding %2").arg(c + 1).arg(coding));
        }
    }
    return block;
}

} // namespace gotriage::record
