#pragma once

#include <QByteArray>

#include <algorithm>
#include <cstdint>
#include <vector>

// The chunk codec's bit streams: internal to core/record.
namespace gotriage::record::detail {

// Bits, most significant first, gathered 64 at a time. Whole words are kept
// as words, so that one stream can be appended to another (a series' bits
// into its block) a word at a time.
class BitWriter
{
public:
    void write(std::uint64_t bits, int count)
    {
        if (count < 64)
            bits &= (std::uint64_t(1) << count) - 1;
        const int room = 64 - m_pending;
        if (count < room) {
            m_accumulator = (m_accumulator << count) | bits;
            m_pending += count;
            return;
        }
        // Fill the word, start the next with what is left.
        const int rest = count - room;
        const std::uint64_t head = rest >= 64 ? 0 : bits >> rest;
        m_words.push_back(room == 64 ? head : (m_accumulator << room) | head);
        m_accumulator = rest == 0 ? 0 : bits & ((std::uint64_t(1) << rest) - 1);
        m_pending = rest;
    }
    void writeVarint(std::uint64_t value)
    {
        do {
            const std::uint8_t byte = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
            write(byte, 8);
            value >>= 7;
        } while (value);
    }
    void append(const BitWriter &other)
    {
        m_words.reserve(m_words.size() + other.m_words.size() + 1);
        if (m_pending == 0) {
            m_words.insert(m_words.end(), other.m_words.begin(), other.m_words.end());
        } else {
            // Each word of the other stream straddles two of this one.
            const int shift = m_pending;
            for (const std::uint64_t word : other.m_words) {
                m_words.push_back((m_accumulator << (64 - shift)) | (word >> shift));
                m_accumulator = word & ((std::uint64_t(1) << shift) - 1);
            }
        }
        if (other.m_pending > 0)
            write(other.m_accumulator, other.m_pending);
    }
    void reserve(std::uint64_t bits) { m_words.reserve(bits / 64 + 1); }
    std::uint64_t bitCount() const { return m_words.size() * 64 + static_cast<std::uint64_t>(m_pending); }
    void clear()
    {
        m_words.clear();
        m_accumulator = 0;
        m_pending = 0;
    }
    // The bits as bytes, the last one padded with zeros.
    QByteArray bytes() const
    {
        QByteArray out(static_cast<qsizetype>(m_words.size() * 8 + (m_pending + 7) / 8), Qt::Uninitialized);
        auto *data = reinterpret_cast<std::uint8_t *>(out.data());
        const auto put = [&data](std::uint64_t word, int bytes) {
            for (int i = 0; i < bytes; ++i)
                *data++ = static_cast<std::uint8_t>(word >> (56 - 8 * i));
        };
        for (const std::uint64_t word : m_words)
            put(word, 8);
        if (m_pending > 0)
            put(m_accumulator << (64 - m_pending), (m_pending + 7) / 8);
        return out;
    }

private:
    std::vector<std::uint64_t> m_words;
    std::uint64_t m_accumulator = 0;
    int m_pending = 0; // bits in the accumulator, 0..63
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
        while (count > 0) {
            const auto byte = static_cast<std::uint8_t>(m_bytes[static_cast<qsizetype>(m_position / 8)]);
            const int offset = static_cast<int>(m_position % 8);
            const int take = std::min(8 - offset, count);
            const std::uint64_t bits = (byte >> (8 - offset - take)) & ((1u << take) - 1);
            value = (value << take) | bits;
            m_position += static_cast<std::uint64_t>(take);
            count -= take;
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

} // namespace gotriage::record::detail
