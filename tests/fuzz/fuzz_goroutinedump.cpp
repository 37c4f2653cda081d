// Goroutine dumps (debug=2 text), and their grouping and diff.
#include "diagnose/goroutinegroups.h"
#include "formats/goroutinedump.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage;
    const auto dump = formats::parseGoroutineDump(std::string_view(reinterpret_cast<const char *>(data), size));
    const auto groups = diagnose::groupGoroutines(dump.goroutines);
    (void)diagnose::diffGoroutineGroups(groups, groups);
    return 0;
}
