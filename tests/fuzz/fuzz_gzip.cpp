// gzip bodies, fed in two pieces as the network delivers them: the decoder
// never exceeds its limit, and a stream it calls complete is all there is.
#include "formats/gzip.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::formats;
    constexpr std::size_t kLimit = 1 << 20;
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const std::size_t split = size > 0 ? data[0] % (size + 1) : 0;
    GzipInflater inflater(kLimit);
    std::string out;
    const bool ok = inflater.feed(input.substr(0, split), out) && inflater.feed(input.substr(split), out);
    const bool complete = ok && inflater.finish();
    if (out.size() > kLimit)
        std::abort(); // the bound must hold while decoding
    const InflateResult whole = gunzip(input, kLimit);
    if (complete && (!whole.error.empty() || whole.data != out))
        std::abort(); // split or whole, the same stream decodes the same way
    return 0;
}
