// A Prometheus server's query answers (query_range and instant query), as a
// hostile or broken server (or a proxy's error page) would send them: never
// a crash, a refusal says why, and every series read keeps its points in the
// order given.
#include "ingest/promql.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QString error;
    const auto range = gotriage::ingest::parseQueryRange(bytes, &error);
    if (!range && error.isEmpty())
        std::abort();
    error.clear();
    const auto instant = gotriage::ingest::parseInstantQuery(bytes, &error);
    if (!instant && error.isEmpty())
        std::abort();
    return 0;
}
