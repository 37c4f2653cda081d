// Findings, finding changes and projections as JSON (analyze --json, and
// later recordings): whatever reads back writes out and reads back the same.
#include "analysis/findingjson.h"
#include "analysis/serviceanalyzer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::analysis;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    QString error;
    if (const auto change = findingChangeFromJson(text, &error)) {
        const std::string json = toJson(*change);
        const auto again = findingChangeFromJson(json, &error);
        if (!again || toJson(*again) != json)
            std::abort();
    }
    if (const auto finding = findingFromJson(text, &error)) {
        const std::string json = toJson(*finding);
        const auto again = findingFromJson(json, &error);
        if (!again || toJson(*again) != json)
            std::abort();
    }
    if (const auto projection = projectionFromJson(text, &error)) {
        const std::string json = toJson(*projection);
        const auto again = projectionFromJson(json, &error);
        if (!again || toJson(*again) != json)
            std::abort();
    }
    return 0;
}
