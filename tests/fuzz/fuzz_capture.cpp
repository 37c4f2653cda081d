// Capture files (`gotriage-cli scrape --json`, what `analyze --replay` reads):
// one update per line. What reads back writes out the same way.
#include "ingest/updatejson.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::ingest;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        QString error;
        if (const auto update = updateFromJsonLine(text.substr(start, end - start), &error)) {
            const std::string line = toJsonLine(*update);
            const auto again = updateFromJsonLine(line, &error);
            if (!again || toJsonLine(*again) != line)
                std::abort(); // a line we wrote must read back as itself
        }
        start = end + 1;
    }
    return 0;
}
