#include "vitalsderiver.h"

#include "formats/gofloat.h"
#include "ingest/scraperesult.h"
#include "signals/histogramquantile.h"

#include <algorithm>
#include <string_view>

namespace gotriage::vitals {

namespace {

// Gauges and counters read straight from one /metrics payload.
struct MetricsReadings {
    double cpuSeconds = kUnknown;
    double rss = kUnknown;
    double startTime = kUnknown;
    double openFds = kUnknown;
    double maxFds = kUnknown;
    double goroutines = kUnknown;
    double threads = kUnknown;
    double heapInuse = kUnknown;
    double nextGc = kUnknown;
    double allocBytes = kUnknown;
    double gcCycles = kUnknown;
    double gcPauseMax = kUnknown; // go_gc_duration_seconds{quantile="1"}
    double gcCpuSeconds = kUnknown;
    double totalCpuSeconds = kUnknown;
    double heapLive = kUnknown;
    double requests = kUnknown;
    double errors = kUnknown;
    std::map<double, double> latencyBuckets;
};

bool isStatusLabel(std::string_view name)
{
    return name == "code" || name == "status" || name == "status_code";
}

MetricsReadings readMetrics(const formats::ParsedMetrics &m, const std::string &requestCounter,
                            const std::string &latencyBucket)
{
    MetricsReadings r;
    std::string_view detectedCounter;
    for (const formats::SampleRef &s : m.samples) {
        const std::string_view name = m.name(s);
        const double v = s.value;
        if (name == "process_cpu_seconds_total")
            r.cpuSeconds = v;
        else if (name == "process_resident_memory_bytes")
            r.rss = v;
        else if (name == "process_start_time_seconds")
            r.startTime = v;
        else if (name == "process_open_fds")
            r.openFds = v;
        else if (name == "process_max_fds")
            r.maxFds = v;
        else if (name == "go_goroutines")
            r.goroutines = v;
        else if (name == "go_threads")
            r.threads = v;
        else if (name == "go_memstats_heap_inuse_bytes")
            r.heapInuse = v;
        else if (name == "go_memstats_next_gc_bytes")
            r.nextGc = v;
        else if (name == "go_memstats_alloc_bytes_total")
            r.allocBytes = v;
        else if (name == "go_gc_duration_seconds_count")
            r.gcCycles = v;
        else if (name == "go_gc_duration_seconds" && m.label(s, "quantile") == "1")
            r.gcPauseMax = v;
        else if (name == "go_cpu_classes_gc_total_cpu_seconds_total")
            r.gcCpuSeconds = v;
        else if (name == "go_cpu_classes_total_cpu_seconds_total")
            r.totalCpuSeconds = v;
        else if (name == "go_gc_heap_live_bytes")
            r.heapLive = v;
        else if (!latencyBucket.empty() && name == latencyBucket) {
            if (const auto le = formats::parseGoFloat(m.label(s, "le")))
                r.latencyBuckets[*le] += v;
        }

        // Requests: the named counter, or the first counter family with a
        // status-code label (promhttp's own scrape counter does not count).
        const bool named = !requestCounter.empty() && name == requestCounter;
        const bool candidate = requestCounter.empty() && m.typeOf(s) == formats::MetricType::Counter
            && name != "promhttp_metric_handler_requests_total" && (detectedCounter.empty() || detectedCounter == name);
        if (!named && !candidate)
            continue;
        for (const formats::LabelRef &label : m.labelsOf(s)) {
            if (!isStatusLabel(m.text(label.name)))
                continue;
            detectedCounter = name;
            r.requests = (std::isnan(r.requests) ? 0.0 : r.requests) + v;
            if (!isKnown(r.errors))
                r.errors = 0;
            if (m.text(label.value).starts_with('5'))
                r.errors += v;
            break;
        }
    }
    return r;
}

} // namespace

VitalsDeriver::VitalsDeriver(Options options) : m_options(std::move(options))
{ }

double VitalsDeriver::rate(double previous, double current, double seconds) const
{
    if (!isKnown(previous) || !isKnown(current) || !(seconds > 0))
        return kUnknown;
    const bool reset = m_sawRestart || current < previous;
    return (reset ? current : current - previous) / seconds;
}

VitalsSample VitalsDeriver::derive(const ingest::ScrapeResult &scrape)
{
    VitalsSample out;
    out.tsMs = scrape.tsMs;
    if (!scrape.up)
        return out; // nothing known; keep the previous counters for when it returns

    const std::string latencyBucket
        = m_options.latencyHistogram.isEmpty() ? std::string() : m_options.latencyHistogram.toStdString() + "_bucket";
    MetricsReadings r;
    if (scrape.metrics)
        r = readMetrics(*scrape.metrics, m_options.requestCounter.toStdString(), latencyBucket);

    const formats::MemStats *mem = scrape.vars && scrape.vars->memstats ? &*scrape.vars->memstats : nullptr;
    // expvar fills what /metrics does not give (a service may serve only one).
    auto fill = [](double &target, const std::optional<std::uint64_t> &value) {
        if (!isKnown(target) && value)
            target = static_cast<double>(*value);
    };
    if (mem) {
        fill(r.heapInuse, mem->heapInuse);
        fill(r.nextGc, mem->nextGC);
        fill(r.allocBytes, mem->totalAlloc);
        if (!isKnown(r.gcCycles) && mem->numGC)
            r.gcCycles = *mem->numGC;
    }
    if (!isKnown(r.goroutines) && scrape.vars && scrape.vars->goroutines)
        r.goroutines = static_cast<double>(*scrape.vars->goroutines);
    if (!isKnown(r.goroutines) && scrape.pprofGoroutines)
        r.goroutines = static_cast<double>(*scrape.pprofGoroutines);

    m_sawRestart
        = isKnown(r.startTime) && isKnown(m_previousStartTime) && std::fabs(r.startTime - m_previousStartTime) > 0.5;
    if (mem && mem->numGC && m_previousNumGC && *mem->numGC < *m_previousNumGC && !isKnown(r.startTime))
        m_sawRestart = true;

    const double seconds = m_previousTsMs ? static_cast<double>(scrape.tsMs - *m_previousTsMs) / 1000.0 : 0.0;

    out[Vital::Cpu] = rate(m_previous.cpuSeconds, r.cpuSeconds, seconds);
    out[Vital::Rss] = r.rss;
    out[Vital::HeapInuse] = r.heapInuse;
    out[Vital::HeapGoal] = r.nextGc;
    out[Vital::AllocRate] = rate(m_previous.allocBytes, r.allocBytes, seconds);
    out[Vital::GcRate] = rate(m_previous.gcCycles, r.gcCycles, seconds);
    out[Vital::Goroutines] = r.goroutines;
    out[Vital::Threads] = r.threads;
    out[Vital::Fds] = r.openFds;
    out[Vital::FdsMax] = r.maxFds;
    out[Vital::ReqRate] = rate(m_previous.requests, r.requests, seconds);
    out[Vital::ErrRate] = rate(m_previous.errors, r.errors, seconds);
    out[Vital::HeapLive] = r.heapLive;

    // GC pause: every pause since the previous scrape from the expvar ring,
    // else the summary's max over the runtime's last 256 pauses.
    if (mem && mem->hasPauseRing && m_previousNumGC && !m_sawRestart) {
        double longest = 0;
        for (const formats::GcPause &pause : formats::pausesSince(*mem, m_previousNumGC).pauses)
            longest = std::max(longest, static_cast<double>(pause.pauseNs) / 1e9);
        out[Vital::GcPause] = longest;
    } else if (isKnown(r.gcPauseMax)) {
        out[Vital::GcPause] = r.gcPauseMax;
    }

    const double gcCpu = rate(m_previous.gcCpuSeconds, r.gcCpuSeconds, seconds);
    const double totalCpu = rate(m_previous.totalCpuSeconds, r.totalCpuSeconds, seconds);
    if (isKnown(gcCpu) && totalCpu > 0)
        out[Vital::GcCpu] = gcCpu / totalCpu;
    else if (mem && mem->gcCpuFraction)
        out[Vital::GcCpu] = *mem->gcCpuFraction; // lifetime average: the best expvar offers

    if (!r.latencyBuckets.empty() && !m_previous.latencyBuckets.empty()) {
        std::vector<std::pair<double, double>> delta;
        delta.reserve(r.latencyBuckets.size());
        for (const auto &[le, count] : r.latencyBuckets) {
            const auto before = m_previous.latencyBuckets.find(le);
            const double previous = before == m_previous.latencyBuckets.end() || m_sawRestart ? 0.0 : before->second;
            delta.emplace_back(le, count >= previous ? count - previous : count);
        }
        out[Vital::LatencyP99] = histogramQuantile(0.99, delta);
    }

    m_previousTsMs = scrape.tsMs;
    m_previousStartTime = r.startTime;
    if (mem && mem->numGC)
        m_previousNumGC = *mem->numGC;
    m_previous = Counters {r.cpuSeconds, r.allocBytes,   r.gcCycles,        r.requests,
                           r.errors,     r.gcCpuSeconds, r.totalCpuSeconds, std::move(r.latencyBuckets)};
    return out;
}

} // namespace gotriage::vitals
