// A Prometheus server's /api/v1/targets answer, and the label matchers and
// durations read from it and from the user: never a crash, a refusal says
// why, every target read becomes one service, and no two services share a
// name.
#include "ingest/promtargets.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::ingest;
    const QByteArray bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QString error;
    int skipped = 0;
    const auto targets = parseTargets(bytes, &error, &skipped);
    if (!targets && error.isEmpty())
        std::abort();
    if (targets) {
        const auto services = servicesFromTargets(*targets);
        std::set<QString> names;
        for (const auto &service : services)
            names.insert(service.name);
        if (services.size() != targets->size() || names.size() != services.size())
            std::abort();
    }
    const QString text = QString::fromUtf8(bytes.left(4096));
    error.clear();
    const auto matchers = parseLabelMatchers(text, &error);
    if (!matchers && error.isEmpty())
        std::abort();
    if (matchers && targets && !targets->empty())
        matchesAll(*matchers, targets->front());
    parsePromDuration(text);
    return 0;
}
