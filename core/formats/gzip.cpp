#include "gzip.h"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace gotriage::formats {

struct GzipInflater::Stream {
    z_stream z{};
    bool initialised = false;
};

namespace {

std::string sizeText(std::size_t bytes)
{
    return bytes >= 1024 * 1024 ? std::to_string(bytes / (1024 * 1024)) + " MiB" : std::to_string(bytes) + " bytes";
}

} // namespace

GzipInflater::GzipInflater(std::size_t outputLimit) : m_stream(std::make_unique<Stream>()), m_limit(outputLimit)
{
    // 16 + MAX_WBITS: a gzip wrapper, not zlib or raw deflate.
    if (inflateInit2(&m_stream->z, 16 + MAX_WBITS) == Z_OK)
        m_stream->initialised = true;
    else
        m_error = "cannot initialise zlib";
}

GzipInflater::~GzipInflater()
{
    if (m_stream->initialised)
        inflateEnd(&m_stream->z);
}

bool GzipInflater::feed(std::string_view input, std::string &out)
{
    if (failed())
        return false;
    if (m_ended) {
        if (!input.empty())
            m_error = "data after the end of the gzip stream";
        return !failed();
    }
    z_stream &z = m_stream->z;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
    z.avail_in = static_cast<uInt>(input.size());
    std::array<char, 64 * 1024> buffer{};
    while (z.avail_in > 0 || !m_ended) {
        z.next_out = reinterpret_cast<Bytef *>(buffer.data());
        z.avail_out = static_cast<uInt>(buffer.size());
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = buffer.size() - z.avail_out;
        if (m_decoded + produced > m_limit) {
            m_limitExceeded = true;
            m_error = "decompressed body exceeds the " + sizeText(m_limit) + " limit";
            return false;
        }
        m_decoded += produced;
        out.append(buffer.data(), produced);
        if (rc == Z_STREAM_END) {
            m_ended = true;
            if (z.avail_in > 0) {
                m_error = "data after the end of the gzip stream";
                return false;
            }
            break;
        }
        if (rc == Z_BUF_ERROR || (rc == Z_OK && produced == 0 && z.avail_in == 0))
            break; // needs more input
        if (rc != Z_OK) {
            m_error = std::string("corrupt gzip data: ") + (z.msg ? z.msg : "zlib error " + std::to_string(rc));
            return false;
        }
    }
    return true;
}

bool GzipInflater::finish()
{
    if (failed())
        return false;
    if (!m_ended) {
        m_error = "gzip stream cut short after " + sizeText(m_decoded) + " decoded (no end marker)";
        return false;
    }
    return true;
}

InflateResult gunzip(std::string_view input, std::size_t outputLimit)
{
    InflateResult result;
    GzipInflater inflater(outputLimit);
    if (!inflater.feed(input, result.data) || !inflater.finish()) {
        result.error = inflater.error();
        result.limitExceeded = inflater.limitExceeded();
        result.data.clear();
    }
    return result;
}

std::string gzip(std::string_view input)
{
    z_stream z{};
    // 15 + 16: a gzip header and trailer rather than zlib's.
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&z, static_cast<uLong>(input.size())), '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
    z.avail_in = static_cast<uInt>(input.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&z, Z_FINISH);
    out.resize(status == Z_STREAM_END ? z.total_out : 0);
    deflateEnd(&z);
    return out;
}

} // namespace gotriage::formats
