// /debug/vars payloads, and the pause ring read from them.
#include "formats/expvar.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::formats;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const ParsedExpvar vars = parseExpvar(text, ExpvarOptions::KeepMemstatsJson);
    if (vars.memstats) {
        (void)pausesSince(*vars.memstats, std::nullopt);
        (void)pausesSince(*vars.memstats, vars.memstats->numGC ? *vars.memstats->numGC / 2 : 0U);
    }
    return 0;
}
