#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gotriage::formats {

// Streaming gzip decoder with a bound on the decoded size, for HTTP bodies
// sent with Content-Encoding: gzip and for pprof's .pb.gz files. Unlike a
// decoder that stops at whatever it was given, it knows when the stream is
// complete: a body cut short, however it was framed, fails in finish()
// rather than passing as a shorter payload. Not thread-safe.
class GzipInflater
{
public:
    explicit GzipInflater(std::size_t outputLimit);
    ~GzipInflater();
    GzipInflater(const GzipInflater &) = delete;
    GzipInflater &operator=(const GzipInflater &) = delete;

    // Decodes `input` and appends to `out`. False on corrupt input, data past
    // the end of the stream, or output beyond the limit; error() says which.
    bool feed(std::string_view input, std::string &out);
    // True when the stream ended with its trailer (CRC and length checked).
    bool finish();

    bool failed() const { return !m_error.empty(); }
    const std::string &error() const { return m_error; }
    bool limitExceeded() const { return m_limitExceeded; }
    std::size_t decodedBytes() const { return m_decoded; }

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    std::size_t m_limit;
    std::size_t m_decoded = 0;
    bool m_ended = false;
    bool m_limitExceeded = false;
    std::string m_error;
};

// Whole-buffer convenience: the decoded bytes, or an error.
struct InflateResult {
    std::string data;
    std::string error; // empty when ok
    bool limitExceeded = false;
};
InflateResult gunzip(std::string_view input, std::size_t outputLimit);

// Compresses to a gzip stream (what Go's pprof handlers serve).
std::string gzip(std::string_view input);

// Whether bytes begin with the gzip magic (1f 8b).
inline bool looksGzipped(std::string_view bytes)
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f
        && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

} // namespace gotriage::formats
