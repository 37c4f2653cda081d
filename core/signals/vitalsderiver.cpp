#include "vitalsderiver.h"

#include "formats/gofloat.h"
#include "scraping/scraperesult.h"
#include "signals/histogramquantile.h"
#include "signals/trafficreader.h"

#include <algorithm>
#include <string_view>

namespace gotriage::vitals {

namespace {

void readMetrics(const formats::ParsedMetrics &m, Readings &r)
{
    for (const formats::SampleRef &s : m.samples) {
        const std::string_view name = m.name(s);
        const double v = s.value;
        if (!name.starts_with("go_") && !name.starts_with("process_"))
            continue;
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
        else if (name == "go_gc_duration_seconds_sum")
            r.gcPauseSum = v;
        else if (name == "go_gc_duration_seconds" && m.label(s, "quantile") == "1")
            r.gcPauseMax = v;
        else if (name == "go_cpu_classes_gc_total_cpu_seconds_total")
            r.gcCpuSeconds = v;
        else if (name == "go_cpu_classes_total_cpu_seconds_total")
            r.totalCpuSeconds = v;
        else if (name == "go_gc_heap_live_bytes")
            r.heapLive = v;
    }
}

QString familyText(const std::string &name)
{
    return QString::fromStdString(name);
}

} // namespace

VitalsDeriver::VitalsDeriver(Options options)
    : m_traffic(options.requestCounter, options.latencyHistogram, options.metricsPath)
{ }

bool VitalsDeriver::anyDecreased(const Counters &before, const Counters &after)
{
    // NaN compares false: a counter that was not there cannot have gone down.
    return after.cpuSeconds < before.cpuSeconds || after.allocBytes < before.allocBytes
        || after.gcCycles < before.gcCycles || after.requests < before.requests || after.errors < before.errors
        || after.shed < before.shed || after.gcCpuSeconds < before.gcCpuSeconds
        || after.totalCpuSeconds < before.totalCpuSeconds;
}

VitalsSample VitalsDeriver::derive(const scraping::ScrapeResult &scrape)
{
    if (!scrape.up) {
        VitalsSample out;
        out.tsMs = scrape.tsMs;
        m_sawRestart = false;
        m_sawProcessRestart = false;
        return out; // nothing known; the counters wait for the service to return
    }

    Readings r;
    if (scrape.metrics) {
        readMetrics(*scrape.metrics, r);
        TrafficReadings traffic = m_traffic.read(*scrape.metrics);
        r.requests = traffic.requests;
        r.errors = traffic.errors;
        r.shed = traffic.shed;
        r.latencyBuckets = std::move(traffic.latencyBuckets);
        m_sources.requestCounter = familyText(m_traffic.counter());
        m_sources.requestCounterDetected = !m_traffic.counterNamed();
        m_sources.latencyHistogram = familyText(m_traffic.histogram());
        m_sources.latencyHistogramDetected = !m_traffic.histogramNamed();
        m_sources.problems = traffic.problems;
    }

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
        if (!isKnown(r.gcCycles) && mem->numGC) {
            r.gcCycles = *mem->numGC;
            if (mem->pauseTotalNs)
                r.gcPauseSum = static_cast<double>(*mem->pauseTotalNs) / 1e9;
        }
    }
    if (!isKnown(r.goroutines) && scrape.vars && scrape.vars->goroutines)
        r.goroutines = static_cast<double>(*scrape.vars->goroutines);
    if (!isKnown(r.goroutines) && scrape.pprofGoroutines)
        r.goroutines = static_cast<double>(*scrape.pprofGoroutines);
    return deriveReadings(scrape.tsMs, std::move(r), mem);
}

VitalsSample VitalsDeriver::derive(std::int64_t tsMs, Readings readings)
{
    return deriveReadings(tsMs, std::move(readings), nullptr);
}

VitalsSample VitalsDeriver::deriveReadings(std::int64_t tsMs, Readings r, const formats::MemStats *mem)
{
    VitalsSample out;
    out.tsMs = tsMs;
    m_sawRestart = false;
    m_sawProcessRestart = false;
    Counters current{r.cpuSeconds,
                     r.allocBytes,
                     r.gcCycles,
                     r.requests,
                     r.errors,
                     r.gcCpuSeconds,
                     r.totalCpuSeconds,
                     r.gcPauseSum,
                     std::move(r.latencyBuckets),
                     r.shed};
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
    if (reset) {
        m_history.erase(m_history.begin(), m_history.end() - 1);
        m_gcHistory.clear();
        m_pause = {};
        m_varsGcCpu = {};
    }
    while (m_history.size() > 1 && m_history[1].tsMs <= tsMs - kRateWindowMs)
        m_history.pop_front();
    const Checkpoint *base = m_history.empty() ? nullptr : &m_history.front();
    const std::int64_t spanMs = base ? tsMs - base->tsMs : 0;
    // A window shorter than kMinRateWindowMs gives no rate: a counter that
    // ticks in whole GC cycles or 10 ms CPU slices reads 0 over one second.
    const bool rateReady = base && spanMs >= std::min<std::int64_t>(kMinRateWindowMs, kRateWindowMs);
    const double seconds = static_cast<double>(spanMs) / 1000.0;
    auto increase = [&](double Counters::*field) {
        if (!rateReady || !isKnown(base->counters.*field) || !isKnown(current.*field))
            return kUnknown;
        return reset ? current.*field : current.*field - base->counters.*field;
    };
    auto rate = [&](double Counters::*field) { return increase(field) / seconds; };

    out[Vital::Cpu] = rate(&Counters::cpuSeconds);
    out[Vital::Rss] = r.rss;
    out[Vital::HeapInuse] = r.heapInuse;
    out[Vital::HeapGoal] = r.nextGc;
    out[Vital::AllocRate] = rate(&Counters::allocBytes);
    out[Vital::Goroutines] = r.goroutines;
    out[Vital::Threads] = r.threads;
    out[Vital::Fds] = r.openFds;
    out[Vital::FdsMax] = r.maxFds;
    out[Vital::ReqRate] = rate(&Counters::requests);
    out[Vital::ErrRate] = rate(&Counters::errors);
    out[Vital::ShedRate] = rate(&Counters::shed);
    const double requests = increase(&Counters::requests);
    if (requests > 0 && isKnown(increase(&Counters::errors)))
        out[Vital::ErrRatio] = increase(&Counters::errors) / requests; // no traffic: no ratio, not 0 %
    out[Vital::HeapLive] = r.heapLive;
    out[Vital::GcPauseRecentMax] = r.gcPauseMax;
    deriveGc(out, current);

    // GC pause: every pause since the previous read of expvar's ring. /debug/vars
    // is read more slowly than /metrics: in between, the last value stands,
    // with its age in varsTsMs.
    if (mem && mem->hasPauseRing && m_previousNumGC && !reset) {
        double longest = 0;
        for (const formats::GcPause &pause : formats::pausesSince(*mem, m_previousNumGC).pauses)
            longest = std::max(longest, static_cast<double>(pause.pauseNs) / 1e9);
        m_pause = {longest, tsMs};
    }
    if (mem && mem->gcCpuFraction)
        m_varsGcCpu = {*mem->gcCpuFraction, tsMs}; // lifetime average: the best expvar offers
    out[Vital::GcPause] = m_pause.value;

    const double gcCpu = rate(&Counters::gcCpuSeconds);
    const double totalCpu = rate(&Counters::totalCpuSeconds);
    if (isKnown(gcCpu) && totalCpu > 0)
        out[Vital::GcCpu] = gcCpu / totalCpu;
    else
        out[Vital::GcCpu] = m_varsGcCpu.value;
    out.varsTsMs = std::max(m_pause.tsMs, m_varsGcCpu.tsMs);

    if (rateReady && !current.latencyBuckets.empty() && !base->counters.latencyBuckets.empty()) {
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
    m_history.push_back({tsMs, std::move(current)});
    return out;
}

void VitalsDeriver::deriveGc(VitalsSample &out, const Counters &current)
{
    if (!isKnown(current.gcCycles))
        return;
    while (!m_gcHistory.empty() && m_gcHistory.front().tsMs < out.tsMs - kMaxGcWindowMs)
        m_gcHistory.pop_front();
    m_gcHistory.push_back({out.tsMs, current.gcCycles, current.gcPauseSeconds});
    const GcCheckpoint &now = m_gcHistory.back();
    auto meanPause = [&](const GcCheckpoint &from, double cycles) {
        if (cycles > 0 && isKnown(now.pauseSeconds) && isKnown(from.pauseSeconds))
            out[Vital::GcPauseMean] = (now.pauseSeconds - from.pauseSeconds) / cycles;
    };

    // A busy collector: two or more cycles in the usual rate window.
    const auto inWindow = std::find_if(m_gcHistory.begin(), m_gcHistory.end(),
                                       [&](const GcCheckpoint &c) { return c.tsMs >= now.tsMs - kRateWindowMs; });
    if (inWindow != m_gcHistory.end() && now.tsMs - inWindow->tsMs >= kMinRateWindowMs
        && now.cycles - inWindow->cycles >= 2) {
        out[Vital::GcRate]
            = (now.cycles - inWindow->cycles) / (static_cast<double>(now.tsMs - inWindow->tsMs) / 1000.0);
        meanPause(*inWindow, now.cycles - inWindow->cycles);
        return;
    }

    // A rare one: the rate from the span between the first and the last
    // scrape that saw a new cycle (each seen the same way, so the scrape
    // interval cancels out), stretched by the current gap once it is longer
    // than the average one, so that a collector that stopped decays.
    const GcCheckpoint *first = nullptr;
    const GcCheckpoint *last = nullptr;
    for (std::size_t i = 1; i < m_gcHistory.size(); ++i) {
        if (m_gcHistory[i].cycles > m_gcHistory[i - 1].cycles) {
            if (!first)
                first = &m_gcHistory[i];
            last = &m_gcHistory[i];
        }
    }
    if (first && last != first) {
        const double cycles = last->cycles - first->cycles;
        const double span = static_cast<double>(last->tsMs - first->tsMs) / 1000.0;
        const double gap = static_cast<double>(now.tsMs - last->tsMs) / 1000.0;
        out[Vital::GcRate] = cycles / (span + std::max(0.0, gap - span / cycles));
        if (isKnown(last->pauseSeconds) && isKnown(first->pauseSeconds))
            out[Vital::GcPauseMean] = (last->pauseSeconds - first->pauseSeconds) / cycles;
        return;
    }
    // Fewer than two cycles seen: a rate only once the longest window is full.
    const GcCheckpoint &oldest = m_gcHistory.front();
    if (now.tsMs - oldest.tsMs >= kMaxGcWindowMs - kRateWindowMs) {
        out[Vital::GcRate] = (now.cycles - oldest.cycles) / (static_cast<double>(now.tsMs - oldest.tsMs) / 1000.0);
        meanPause(oldest, now.cycles - oldest.cycles);
    }
}

} // namespace gotriage::vitals
