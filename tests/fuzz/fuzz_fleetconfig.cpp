// Fleet files (their services and their actions): our own format, file_sd
// lists, and whatever a user saves.
#include "config/actioncatalog.h"
#include "config/fleetconfig.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto fleet = gotriage::config::parseFleetConfig(std::string_view(reinterpret_cast<const char *>(data), size),
                                                          QStringLiteral("fuzz.json"));
    for (const auto &problem : fleet.problems)
        (void)problem.toString();
    // The same file's action catalog.
    const auto catalog = gotriage::config::parseActionCatalog(
        std::string_view(reinterpret_cast<const char *>(data), size), QStringLiteral("fuzz.json"));
    for (const auto &problem : catalog.problems)
        (void)problem.toString();
    return 0;
}
