#include "runtimeinfo.h"

#include "formats/metrics.h"

namespace gotriage::vitals {

void readRuntimeInfo(const formats::ParsedMetrics &m, RuntimeInfo &info)
{
    for (const formats::SampleRef &s : m.samples) {
        const std::string_view name = m.name(s);
        if (!name.starts_with("go_") && !name.starts_with("process_"))
            continue;
        if (name == "go_info") {
            const std::string_view version = m.label(s, "version");
            info.goVersion = QString::fromUtf8(version.data(), static_cast<qsizetype>(version.size()));
        } else if (name == "go_sched_gomaxprocs_threads") {
            info.gomaxprocs = s.value;
        } else if (name == "go_gc_gogc_percent") {
            info.gogcPercent = s.value;
        } else if (name == "go_gc_gomemlimit_bytes") {
            info.gomemlimitBytes = s.value;
        } else if (name == "process_start_time_seconds") {
            info.startTimeSeconds = s.value;
        }
    }
}

} // namespace gotriage::vitals
