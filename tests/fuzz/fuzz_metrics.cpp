// /metrics payloads, in both formats (the first byte chooses), with and
// without small limits (its second bit), then what the deriver reads from
// them: a hostile exposition must not crash or hang.
#include "formats/metrics.h"
#include "scraping/scraperesult.h"
#include "signals/vitalsderiver.h"

#include <cstddef>
#include <cstdint>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage;
    if (size == 0)
        return 0;
    const auto format
        = (data[0] & 1) ? formats::ExpositionFormat::OpenMetrics : formats::ExpositionFormat::PrometheusText;
    const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
    const formats::MetricsLimits limits = (data[0] & 2) ? formats::MetricsLimits{5, 16} : formats::MetricsLimits{};
    auto parsed = std::make_shared<formats::ParsedMetrics>(formats::parseMetrics(text, format, limits));
    if (parsed->limitExceeded && (data[0] & 2) == 0)
        __builtin_trap(); // no limit, nothing exceeded
    if ((data[0] & 2) && parsed->samples.size() > 5)
        __builtin_trap(); // the bound holds
    for (const formats::SampleRef &s : parsed->samples) {
        (void)parsed->name(s);
        for (const formats::LabelRef &l : parsed->labelsOf(s))
            (void)parsed->text(l.value);
    }
    scraping::ScrapeResult scrape;
    scrape.up = true;
    scrape.metrics = parsed;
    vitals::VitalsDeriver deriver;
    deriver.derive(scrape);
    scrape.tsMs = 10'000;
    deriver.derive(scrape);
    return 0;
}
