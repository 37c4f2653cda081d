// The /debug/pprof/ index page.
#include "formats/pprofindex.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    (void)gotriage::formats::parsePprofIndex(std::string_view(reinterpret_cast<const char *>(data), size));
    return 0;
}
