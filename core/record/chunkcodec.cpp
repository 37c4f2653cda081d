#include "chunkcodec.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace gotriage::record {

namespace {

constexpr std::uint8_t kFormat = 1;
constexpr std::uint8_t kColumnInteger = 0;
constexpr std::uint8_t kColumnFloat = 1;
constexpr std::uint8_t kColumnDecimal = 2; // whole numbers of 10^-k: counters of seconds, ratios
constexpr int kMaxDecimals = 6;
constexpr double kPowersOfTen[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
// A column or a block larger than this is not one we wrote.
constexpr std::uint64_t kMaxSamples = 1u << 20;
constexpr std::uint64_t kMaxColumns = 4096;

// Bits, most significant first, gathered 64 at a time.
class BitWriter
{
public:
    void write(std::uint64_t bits, int count)
    {
        while (count > 0) {
            const int take = std::min(64 - m_pending, count);
            const int rest = count - take;
            std::uint64_t chunk = rest >= 64 ? 0 : bits >> rest;
            if (take < 64)
                chunk &= (std::uint64_t(1) << take) - 1;
            m_accumulator = take == 64 ? chunk : (m_accumulator << take) | chunk;
            m_pending += take;
            count = rest;
            if (m_pending == 64) {
                for (int shift = 56; shift >= 0; shift -= 8)
                    m_bytes.push_back(static_cast<std::uint8_t>(m_accumulator >> shift));
                m_accumulator = 0;
                m_pending = 0;
            }
        }
    }
    void writeVarint(std::uint64_t value)
    {
        do {
            const std::uint8_t byte = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
            write(byte, 8);
            value >>= 7;
        } while (value);
    }
    QByteArray take()
    {
        if (m_pending > 0) {
            const std::uint64_t aligned = m_accumulator << (64 - m_pending);
            for (int i = 0; i < (m_pending + 7) / 8; ++i)
                m_bytes.push_back(static_cast<std::uint8_t>(aligned >> (56 - 8 * i)));
        }
        return QByteArray(reinterpret_cast<const char *>(m_bytes.data()), static_cast<qsizetype>(m_bytes.size()));
    }

private:
    std::vector<std::uint8_t> m_bytes;
    std::uint64_t m_accumulator = 0;
    int m_pending = 0; // bits in the accumulator
};

class BitReader
{
public:
    explicit BitReader(const QByteArray &bytes) : m_bytes(bytes) { }

    bool read(int count, std::uint64_t *out)
    {
        if (m_position + static_cast<std::uint64_t>(count) > static_cast<std::uint64_t>(m_bytes.size()) * 8)
            return false;
        std::uint64_t value = 0;
        for (int i = 0; i < count; ++i, ++m_position) {
            const auto byte = static_cast<std::uint8_t>(m_bytes[static_cast<qsizetype>(m_position / 8)]);
            value = (value << 1) | ((byte >> (7 - m_position % 8)) & 1u);
        }
        *out = value;
        return true;
    }
    bool readVarint(std::uint64_t *out)
    {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            std::uint64_t byte = 0;
            if (!read(8, &byte))
                return false;
            value |= (byte & 0x7f) << shift;
            if (!(byte & 0x80)) {
                *out = value;
                return true;
            }
        }
        return false;
    }

private:
    const QByteArray &m_bytes;
    std::uint64_t m_position = 0;
};

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

void encodeIntegers(BitWriter &w, const std::vector<std::int64_t> &values)
{
    std::int64_t previous = 0, delta = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i == 0) {
            w.write(zigzag(values[0]), 64);
        } else {
            const std::int64_t d = static_cast<std::int64_t>(static_cast<std::uint64_t>(values[i])
                                                             - static_cast<std::uint64_t>(previous));
            writeDeltaOfDelta(
                w, static_cast<std::int64_t>(static_cast<std::uint64_t>(d) - static_cast<std::uint64_t>(delta)));
            delta = d;
        }
        previous = values[i];
    }
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

// XOR of successive doubles: same → '0'; inside the previous window of
// meaningful bits → '10' and those bits; else '11', 6 bits of leading
// zeros, 6 bits of length − 1, and the bits.
void encodeFloats(BitWriter &w, const std::vector<double> &values)
{
    std::uint64_t previous = 0;
    int leading = -1, trailing = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::uint64_t bits = std::bit_cast<std::uint64_t>(values[i]);
        if (i == 0) {
            w.write(bits, 64);
            previous = bits;
            continue;
        }
        const std::uint64_t x = bits ^ previous;
        previous = bits;
        if (x == 0) {
            w.write(0, 1);
            continue;
        }
        const int lead = std::countl_zero(x);
        const int trail = std::countr_zero(x);
        if (leading >= 0 && lead >= leading && trail >= trailing) {
            w.write(0b10, 2);
            w.write(x >> trailing, 64 - leading - trailing);
            continue;
        }
        leading = lead;
        trailing = trail;
        const int length = 64 - lead - trail;
        w.write(0b11, 2);
        w.write(static_cast<std::uint64_t>(lead), 6);
        w.write(static_cast<std::uint64_t>(length - 1), 6);
        w.write(x >> trail, length);
    }
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

// The fewest decimals (1 to kMaxDecimals) in which every value is exactly
// a whole number of 10^-k, dividing back to the same bits; 0 when none.
int decimalsOf(const std::vector<double> &column)
{
    for (int k = 1; k <= kMaxDecimals; ++k) {
        const double scale = kPowersOfTen[k];
        const bool exact = std::all_of(column.begin(), column.end(), [scale](double v) {
            const double scaled = std::round(v * scale);
            return isWhole(scaled) && scaled / scale == v && !(v == 0 && std::signbit(v));
        });
        if (exact)
            return k;
    }
    return 0;
}

} // namespace

QByteArray encodeBlock(const SampleBlock &block)
{
    BitWriter w;
    const std::size_t n = block.timesMs.size();
    w.write(kFormat, 8);
    w.writeVarint(n);
    w.writeVarint(block.columns.size());
    encodeIntegers(w, block.timesMs);
    for (const std::vector<double> &column : block.columns) {
        Q_ASSERT(column.size() == n);
        bool whole = true;
        for (double v : column)
            whole = whole && isWhole(v);
        const int decimals = whole ? 0 : decimalsOf(column);
        if (whole) {
            w.write(kColumnInteger, 8);
            std::vector<std::int64_t> integers(column.begin(), column.end());
            encodeIntegers(w, integers);
        } else if (decimals > 0) {
            w.write(kColumnDecimal, 8);
            w.write(static_cast<std::uint64_t>(decimals), 8);
            std::vector<std::int64_t> integers;
            integers.reserve(column.size());
            for (double v : column)
                integers.push_back(static_cast<std::int64_t>(std::round(v * kPowersOfTen[decimals])));
            encodeIntegers(w, integers);
        } else {
            w.write(kColumnFloat, 8);
            encodeFloats(w, column);
        }
    }
    return w.take();
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
