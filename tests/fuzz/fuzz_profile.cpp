// pprof profiles (gzip, then protobuf), and the top table made from them:
// whatever decodes must aggregate without crashing, for every sample type.
#include "diagnose/toptable.h"
#include "formats/profile.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage;
    formats::ProfileLimits limits;
    limits.maxDecompressedBytes = 16U * 1024U * 1024U; // a bomb must stop here, not exhaust the fuzzer
    const auto parsed = formats::parseProfile(std::string_view(reinterpret_cast<const char *>(data), size), limits);
    if (!parsed.profile)
        return 0;
    for (const auto &type : parsed.profile->sampleTypes) {
        diagnose::TopOptions options;
        options.sampleIndex = type.type;
        (void)diagnose::topTable(*parsed.profile, options);
    }
    return 0;
}
