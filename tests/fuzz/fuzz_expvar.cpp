// /debug/vars payloads, and the pause ring read from them. The scanner
// that reads them must take exactly the texts nlohmann's parser takes.
#include "formats/expvar.h"
#include "formats/jsonscan.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::formats;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    struct Ignored : JsonEvents {
        void null() override { }
        void boolean(bool) override { }
        void integer(std::int64_t) override { }
        void unsignedInteger(std::uint64_t) override { }
        void number(double, std::string_view) override { }
        void string(std::string_view) override { }
        void key(std::string_view) override { }
        void startObject() override { }
        void endObject() override { }
        void startArray() override { }
        void endArray() override { }
    } ignored;
    // nlohmann reads a NUL byte between tokens as the end of the input
    // (for C strings); JSON and the scanner do not, so those texts are not
    // compared.
    const bool taken = scanJson(text, ignored, nullptr);
    if (text.find('\0') == std::string_view::npos && taken != nlohmann::json::accept(text.begin(), text.end()))
        __builtin_trap();
    const ParsedExpvar vars = parseExpvar(text, ExpvarOptions::KeepMemstatsJson);
    if (vars.memstats) {
        (void)pausesSince(*vars.memstats, std::nullopt);
        (void)pausesSince(*vars.memstats, vars.memstats->numGC ? *vars.memstats->numGC / 2 : 0U);
    }
    return 0;
}
