// /metrics payloads, in both formats (the first byte chooses), then what the
// deriver reads from them: a hostile exposition must not crash or hang.
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
    auto parsed = std::make_shared<formats::ParsedMetrics>(formats::parseMetrics(text, format));
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
