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

bool VitalsDeriver::anyDecreased(const Counters &before, const Counters &after)
{
    // NaN compares false: a counter that was not there cannot have gone down.
    return after.cpuSeconds < before.cpuSeconds || after.allocBytes < before.allocBytes
        || after.gcCycles < before.gcCycles || after.requests < before.requests || after.errors < before.errors
        || after.gcCpuSeconds < before.gcCpuSeconds || after.totalCpuSeconds < before.totalCpuSeconds;
}

VitalsSample VitalsDeriver::derive(const ingest::ScrapeResult &scrape)
{
    VitalsSample out;
    out.tsMs = scrape.tsMs;
    m_sawRestart = false;
    m_sawProcessRestart = false;
    if (!scrape.up)
        return out; // nothing known; the counters wait for the service to return

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

    Counters current{r.cpuSeconds, r.allocBytes,   r.gcCycles,        r.requests,
                     r.errors,     r.gcCpuSeconds, r.totalCpuSeconds, std::move(r.latencyBuckets)};
    const bool restarted
        = isKnown(r.startTime) && isKnown(m_previousStartTime) && std::fabs(r.startTime - m_previousStartTime) > 0.5;
    const bool numGcWentBack = mem && mem->numGC && m_previousNumGC && *mem->numGC < *m_previousNumGC;
    const bool decreased = !m_history.empty() && anyDecreased(m_history.back().counters, current);
    const bool reset = !m_history.empty() && (restarted || numGcWentBack || decreased);
    m_sawRestart = reset;
    const bool processIdentified = isKnown(r.startTime) || (mem && mem->numGC);
    m_sawProcessRestart = !m_history.empty() && (restarted || numGcWentBack || (decreased && !processIdentified));
    // After a reset the window starts at the last scrape before it, and what
    // the counters show now is all increase since the restart.
    if (reset)
        m_history.erase(m_history.begin(), m_history.end() - 1);
    while (m_history.size() > 1 && m_history[1].tsMs <= scrape.tsMs - kRateWindowMs)
        m_history.pop_front();
    const Checkpoint *base = m_history.empty() ? nullptr : &m_history.front();
    const double seconds = base ? static_cast<double>(scrape.tsMs - base->tsMs) / 1000.0 : 0.0;
    auto rate = [&](double Counters::*field) {
        if (!base || !isKnown(base->counters.*field) || !isKnown(current.*field) || !(seconds > 0))
            return kUnknown;
        return (reset ? current.*field : current.*field - base->counters.*field) / seconds;
    };

    out[Vital::Cpu] = rate(&Counters::cpuSeconds);
    out[Vital::Rss] = r.rss;
    out[Vital::HeapInuse] = r.heapInuse;
    out[Vital::HeapGoal] = r.nextGc;
    out[Vital::AllocRate] = rate(&Counters::allocBytes);
    out[Vital::GcRate] = rate(&Counters::gcCycles);
    out[Vital::Goroutines] = r.goroutines;
    out[Vital::Threads] = r.threads;
    out[Vital::Fds] = r.openFds;
    out[Vital::FdsMax] = r.maxFds;
    out[Vital::ReqRate] = rate(&Counters::requests);
    out[Vital::ErrRate] = rate(&Counters::errors);
    out[Vital::HeapLive] = r.heapLive;

    // GC pause: every pause since the previous scrape from the expvar ring,
    // else the summary's max over the runtime's last 256 pauses.
    if (mem && mem->hasPauseRing && m_previousNumGC && !reset) {
        double longest = 0;
        for (const formats::GcPause &pause : formats::pausesSince(*mem, m_previousNumGC).pauses)
            longest = std::max(longest, static_cast<double>(pause.pauseNs) / 1e9);
        out[Vital::GcPause] = longest;
    } else if (isKnown(r.gcPauseMax) && !m_previousNumGC) {
        // Only for services without expvar: once the ring has been seen, a
        // scrape that skipped /debug/vars leaves the pause unknown rather
        // than mixing in the summary's different "max of the last 256".
        out[Vital::GcPause] = r.gcPauseMax;
    }

    const double gcCpu = rate(&Counters::gcCpuSeconds);
    const double totalCpu = rate(&Counters::totalCpuSeconds);
    if (isKnown(gcCpu) && totalCpu > 0)
        out[Vital::GcCpu] = gcCpu / totalCpu;
    else if (mem && mem->gcCpuFraction)
        out[Vital::GcCpu] = *mem->gcCpuFraction; // lifetime average: the best expvar offers

    if (base && !current.latencyBuckets.empty() && !base->counters.latencyBuckets.empty()) {
        std::vector<std::pair<double, double>> delta;
        delta.reserve(current.latencyBuckets.size());
        for (const auto &[le, count] : current.latencyBuckets) {
            const auto before = base->counters.latencyBuckets.find(le);
            const double previous = before == base->counters.latencyBuckets.end() || reset ? 0.0 : before->second;
            delta.emplace_back(le, count >= previous ? count - previous : count);
        }
        out[Vital::LatencyP99] = histogramQuantile(0.99, delta);
    }

    m_previousStartTime = r.startTime;
    if (mem && mem->numGC)
        m_previousNumGC = *mem->numGC;
    if (reset)
        m_history.clear(); // the restart begins a new segment: no rate spans it
    m_history.push_back({scrape.tsMs, std::move(current)});
    return out;
}

} // namespace gotriage::vitals
