#include "simservice.h"

#include "formats/gofloat.h"

#include <algorithm>
#include <cmath>

namespace gotriage::sim {

namespace {

constexpr double kGoMaxProcs = 2;
constexpr double kBaseLiveHeap = 6.0 * 1024 * 1024;
constexpr double kGoroutineStack = 8 * 1024;
constexpr double kFlapPeriod = 45; // seconds: up, then a crash and restart
constexpr double kFlapDowntime = 12;
constexpr std::array<double, 10> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

struct Writer {
    QByteArray out;

    void family(const char *name, const char *type, const char *help)
    {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    }
    void sample(const char *name, double value, const char *labels = nullptr)
    {
        out += name;
        if (labels) {
            out += '{';
            out += labels;
            out += '}';
        }
        out += ' ';
        char buffer[32];
        out.append(buffer, static_cast<qsizetype>(formats::formatGoFloat(value, buffer)));
        out += '\n';
    }
    void gauge(const char *name, double value, const char *help)
    {
        family(name, "gauge", help);
        sample(name, value);
    }
    void counter(const char *name, double value, const char *help)
    {
        family(name, "counter", help);
        sample(name, value);
    }
};

} // namespace

QString scenarioName(Scenario scenario)
{
    switch (scenario) {
    case Scenario::Healthy:
        return QStringLiteral("healthy");
    case Scenario::GoroutineLeak:
        return QStringLiteral("goroutine-leak");
    case Scenario::MemoryCreep:
        return QStringLiteral("memory-creep");
    case Scenario::GcFrenzy:
        return QStringLiteral("gc-frenzy");
    case Scenario::CpuContention:
        return QStringLiteral("cpu-contention");
    case Scenario::Flapping:
        return QStringLiteral("flapping");
    }
    return {};
}

SimService::SimService(QString name, Scenario scenario, std::uint32_t seed, double startSeconds)
    : m_name(std::move(name))
    , m_scenario(scenario)
    , m_random(seed)
    , m_baseRps(std::uniform_real_distribution<double>(40, 160)(m_random))
    , m_now(startSeconds)
    , m_startTime(startSeconds)
{
    m_heapAlloc = kBaseLiveHeap;
}

double SimService::goroutines() const
{
    // Idle runtime goroutines, handlers in flight, and whatever the fault adds.
    return std::round(8 + m_servedRps * m_latencySeconds + m_leakedGoroutines + m_spinningGoroutines);
}

void SimService::advanceTo(double nowSeconds)
{
    // Fixed steps keep the sawtooth and the rates independent of how often
    // the service is scraped.
    constexpr double kStep = 0.05;
    while (m_now + kStep <= nowSeconds) {
        step(kStep);
        m_now += kStep;
    }
}

void SimService::restart()
{
    const double demand = m_demandRps;
    const double throttle = m_throttleRps;
    *this = SimService(m_name, m_scenario, static_cast<std::uint32_t>(m_random()), m_now);
    m_demandRps = demand;
    m_throttleRps = throttle;
}

void SimService::collectGarbage()
{
    const bool frenzy = m_scenario == Scenario::GcFrenzy;
    const double pauseUs = std::uniform_real_distribution<double>(40, frenzy ? 900 : 250)(m_random);
    const auto pauseNs = static_cast<std::uint64_t>(pauseUs * 1000);
    m_lastGcNs = static_cast<std::uint64_t>(m_now * 1e9);
    m_pauseNs[m_numGC % 256] = pauseNs;
    m_pauseEnd[m_numGC % 256] = m_lastGcNs;
    ++m_numGC;
    m_pauseTotalNs += pauseNs;
    const double live = kBaseLiveHeap + m_retainedBytes + m_leakedGoroutines * 512;
    m_frees += std::max(0.0, (m_heapAlloc - live) / 512);
    m_heapAlloc = live;
}

void SimService::step(double dt)
{
    if (m_scenario == Scenario::Flapping) {
        const double phase = std::fmod(m_now - m_startTime, kFlapPeriod);
        const bool down = phase > kFlapPeriod - kFlapDowntime;
        if (m_down && !down) {
            m_down = false;
            restart(); // the process comes back with fresh counters
            return;
        }
        m_down = down;
        if (m_down)
            return;
    }

    // Demand: a slow wave plus noise; the throttle caps what is served.
    std::normal_distribution<double> noise(0.0, 0.05);
    m_demandRps
        = std::max(0.0, m_baseRps * (1 + 0.25 * std::sin((m_now - m_startTime) / 300 * 2 * M_PI) + noise(m_random)));
    m_servedRps = m_throttleRps > 0 ? std::min(m_demandRps, m_throttleRps) : m_demandRps;
    const double served = m_servedRps * dt;

    // Faults that grow with traffic: throttling slows them down.
    if (m_scenario == Scenario::GoroutineLeak)
        m_leakedGoroutines += served * 0.01;
    if (m_scenario == Scenario::MemoryCreep)
        m_retainedBytes += served * 512;
    m_spinningGoroutines = m_scenario == Scenario::CpuContention ? 6 + m_servedRps * 0.05 : 0;

    double latency = 0.012 + 0.00002 * m_leakedGoroutines;
    double cpuCores = 0.01 + m_servedRps * 0.0006;
    double bytesPerRequest = 48 * 1024;
    if (m_scenario == Scenario::CpuContention) {
        // Spinners fight over one mutex: CPU near GOMAXPROCS, latency up.
        cpuCores = std::min(kGoMaxProcs * 0.95, cpuCores + 0.9 + m_servedRps * 0.006);
        latency += 0.15;
    }
    if (m_scenario == Scenario::GcFrenzy) {
        bytesPerRequest *= 30;
        cpuCores += m_servedRps * 0.002;
        latency += 0.03;
    }
    m_latencySeconds = latency;
    m_cpuSeconds += cpuCores * dt;

    const double allocated = served * bytesPerRequest;
    m_allocBytesTotal += allocated;
    m_mallocs += allocated / 512;
    m_heapAlloc += allocated;
    const double live = kBaseLiveHeap + m_retainedBytes + m_leakedGoroutines * 512;
    const double goal = std::max(4.0 * 1024 * 1024, live * 2); // GOGC=100
    int cycles = 0;
    while (m_heapAlloc >= goal && cycles++ < 100)
        collectGarbage();

    // Requests: mostly 200, a trickle of 500s, more when the service is sick.
    const double errorShare = m_scenario == Scenario::Healthy ? 0.002 : 0.01;
    m_requestsOk += served * (1 - errorShare);
    m_requestsError += served * errorShare;
    m_requestsThrottled += (m_demandRps - m_servedRps) * dt;
    m_latencySum += served * latency;
    for (std::size_t b = 0; b < kLatencyBounds.size(); ++b) {
        // A log-normal-ish spread around the mean latency.
        const double z = std::log(kLatencyBounds[b] / latency) / 0.6;
        const double share = 0.5 * std::erfc(-z / std::sqrt(2.0));
        m_latencyBuckets[b] += served * share;
    }
}

QByteArray SimService::metricsText() const
{
    ++m_metricsScrapes;
    Writer w;
    w.out.reserve(8 * 1024);
    // The same families and types as a Go service with client_golang's default registry.
    w.family("go_gc_duration_seconds", "summary", "A summary of the pause duration of garbage collection cycles.");
    std::array<std::uint64_t, 256> recent{};
    const std::size_t n = std::min<std::size_t>(m_numGC, 256);
    for (std::size_t i = 0; i < n; ++i)
        recent[i] = m_pauseNs[i];
    std::sort(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(n));
    const char *quantiles[]
        = {"quantile=\"0\"", "quantile=\"0.25\"", "quantile=\"0.5\"", "quantile=\"0.75\"", "quantile=\"1\""};
    const double qs[] = {0, 0.25, 0.5, 0.75, 1};
    for (int i = 0; i < 5; ++i) {
        const double v = n == 0
            ? 0
            : static_cast<double>(recent[static_cast<std::size_t>(qs[i] * static_cast<double>(n - 1))]) / 1e9;
        w.sample("go_gc_duration_seconds", v, quantiles[i]);
    }
    w.sample("go_gc_duration_seconds_sum", static_cast<double>(m_pauseTotalNs) / 1e9);
    w.sample("go_gc_duration_seconds_count", m_numGC);
    w.gauge("go_goroutines", goroutines(), "Number of goroutines that currently exist.");
    w.family("go_info", "gauge", "Information about the Go environment.");
    w.sample("go_info", 1, "version=\"go1.19.8\"");

    const double heapInuse = std::ceil(m_heapAlloc / 8192) * 8192 + 256 * 1024;
    const double heapSys = std::max(heapInuse * 1.25, 8.0 * 1024 * 1024);
    const double stack = goroutines() * kGoroutineStack;
    const double live = kBaseLiveHeap + m_retainedBytes + m_leakedGoroutines * 512;
    const double sys = heapSys + stack + 9.0 * 1024 * 1024;
    w.gauge("go_memstats_alloc_bytes", m_heapAlloc, "Number of bytes allocated and still in use.");
    w.counter("go_memstats_alloc_bytes_total", m_allocBytesTotal, "Total number of bytes allocated, even if freed.");
    w.gauge("go_memstats_buck_hash_sys_bytes", 1445409, "Number of bytes used by the profiling bucket hash table.");
    w.counter("go_memstats_frees_total", std::round(m_frees), "Total number of frees.");
    w.gauge("go_memstats_gc_sys_bytes", 7734856, "Number of bytes used for garbage collection system metadata.");
    w.gauge("go_memstats_heap_alloc_bytes", m_heapAlloc, "Number of heap bytes allocated and still in use.");
    w.gauge("go_memstats_heap_idle_bytes", heapSys - heapInuse, "Number of heap bytes waiting to be used.");
    w.gauge("go_memstats_heap_inuse_bytes", heapInuse, "Number of heap bytes that are in use.");
    w.gauge("go_memstats_heap_objects", std::round((m_mallocs - m_frees)), "Number of allocated objects.");
    w.gauge("go_memstats_heap_released_bytes", (heapSys - heapInuse) / 2, "Number of heap bytes released to OS.");
    w.gauge("go_memstats_heap_sys_bytes", heapSys, "Number of heap bytes obtained from system.");
    w.gauge("go_memstats_last_gc_time_seconds", static_cast<double>(m_lastGcNs) / 1e9,
            "Number of seconds since 1970 of last garbage collection.");
    w.counter("go_memstats_lookups_total", 0, "Total number of pointer lookups.");
    w.counter("go_memstats_mallocs_total", std::round(m_mallocs), "Total number of mallocs.");
    w.gauge("go_memstats_mcache_inuse_bytes", 2400, "Number of bytes in use by mcache structures.");
    w.gauge("go_memstats_mcache_sys_bytes", 15600, "Number of bytes used for mcache structures obtained from system.");
    w.gauge("go_memstats_mspan_inuse_bytes", 30672, "Number of bytes in use by mspan structures.");
    w.gauge("go_memstats_mspan_sys_bytes", 32544, "Number of bytes used for mspan structures obtained from system.");
    w.gauge("go_memstats_next_gc_bytes", std::max(4.0 * 1024 * 1024, live * 2),
            "Number of heap bytes when next garbage collection will take place.");
    w.gauge("go_memstats_other_sys_bytes", 713871, "Number of bytes used for other system allocations.");
    w.gauge("go_memstats_stack_inuse_bytes", stack, "Number of bytes in use by the stack allocator.");
    w.gauge("go_memstats_stack_sys_bytes", stack, "Number of bytes obtained from system for stack allocator.");
    w.gauge("go_memstats_sys_bytes", sys, "Number of bytes obtained from system.");
    w.gauge("go_threads", m_scenario == Scenario::CpuContention ? 12 : 7, "Number of OS threads created.");

    w.family("http_request_duration_seconds", "histogram", "Latency of handled requests.");
    for (std::size_t b = 0; b < kLatencyBounds.size(); ++b) {
        char label[48];
        char number[32];
        number[formats::formatGoFloat(kLatencyBounds[b], number)] = '\0';
        std::snprintf(label, sizeof label, "le=\"%s\"", number);
        w.sample("http_request_duration_seconds_bucket", std::round(m_latencyBuckets[b]), label);
    }
    const double handled = std::round(m_requestsOk) + std::round(m_requestsError);
    w.sample("http_request_duration_seconds_bucket", handled, "le=\"+Inf\"");
    w.sample("http_request_duration_seconds_sum", m_latencySum);
    w.sample("http_request_duration_seconds_count", handled);
    w.family("http_requests_total", "counter", "Requests handled, by status code.");
    w.sample("http_requests_total", std::round(m_requestsOk), "code=\"200\"");
    w.sample("http_requests_total", std::round(m_requestsThrottled), "code=\"429\"");
    w.sample("http_requests_total", std::round(m_requestsError), "code=\"500\"");

    w.counter("process_cpu_seconds_total", std::round(m_cpuSeconds * 100) / 100,
              "Total user and system CPU time spent in seconds.");
    w.gauge("process_max_fds", 65536, "Maximum number of open file descriptors.");
    w.gauge("process_open_fds", std::round(11 + m_servedRps * m_latencySeconds), "Number of open file descriptors.");
    w.gauge("process_resident_memory_bytes", std::round(sys * 0.82 / 4096) * 4096, "Resident memory size in bytes.");
    w.gauge("process_start_time_seconds", std::round(m_startTime * 100) / 100,
            "Start time of the process since unix epoch in seconds.");
    w.gauge("process_virtual_memory_bytes", 1.041969152e+09, "Virtual memory size in bytes.");
    w.gauge("process_virtual_memory_max_bytes", 1.8446744073709552e+19,
            "Maximum amount of virtual memory available in bytes.");
    w.gauge("promhttp_metric_handler_requests_in_flight", 1, "Current number of scrapes being served.");
    w.family("promhttp_metric_handler_requests_total", "counter", "Total number of scrapes by HTTP status code.");
    w.sample("promhttp_metric_handler_requests_total", m_metricsScrapes - 1, "code=\"200\"");
    w.sample("promhttp_metric_handler_requests_total", 0, "code=\"500\"");
    w.sample("promhttp_metric_handler_requests_total", 0, "code=\"503\"");
    return w.out;
}

QByteArray SimService::varsJson() const
{
    const double heapInuse = std::ceil(m_heapAlloc / 8192) * 8192 + 256 * 1024;
    const double heapSys = std::max(heapInuse * 1.25, 8.0 * 1024 * 1024);
    const double stack = goroutines() * kGoroutineStack;
    const double live = kBaseLiveHeap + m_retainedBytes + m_leakedGoroutines * 512;
    auto u = [](double v) { return QByteArray::number(static_cast<qulonglong>(std::max(0.0, std::round(v)))); };
    auto ring = [](const std::array<std::uint64_t, 256> &values) {
        QByteArray out = "[";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i)
                out += ',';
            out += QByteArray::number(static_cast<qulonglong>(values[i]));
        }
        return out + ']';
    };
    QByteArray out;
    out.reserve(8 * 1024);
    out += "{\n\"cmdline\": [\"/usr/local/bin/" + m_name.toUtf8() + "\"],\n";
    out += "\"memstats\": {\"Alloc\":" + u(m_heapAlloc) + ",\"TotalAlloc\":" + u(m_allocBytesTotal)
        + ",\"Sys\":" + u(heapSys + stack + 9.0 * 1024 * 1024) + ",\"Lookups\":0,\"Mallocs\":" + u(m_mallocs)
        + ",\"Frees\":" + u(m_frees) + ",\"HeapAlloc\":" + u(m_heapAlloc) + ",\"HeapSys\":" + u(heapSys)
        + ",\"HeapIdle\":" + u(heapSys - heapInuse) + ",\"HeapInuse\":" + u(heapInuse)
        + ",\"HeapReleased\":" + u((heapSys - heapInuse) / 2) + ",\"HeapObjects\":" + u(m_mallocs - m_frees)
        + ",\"StackInuse\":" + u(stack) + ",\"StackSys\":" + u(stack)
        + ",\"MSpanInuse\":30672,\"MSpanSys\":32544,\"MCacheInuse\":2400,\"MCacheSys\":15600"
          ",\"BuckHashSys\":1445409,\"GCSys\":7734856,\"OtherSys\":713871,\"NextGC\":"
        + u(std::max(4.0 * 1024 * 1024, live * 2))
        + ",\"LastGC\":" + QByteArray::number(static_cast<qulonglong>(m_lastGcNs)) + ",\"PauseTotalNs\":"
        + QByteArray::number(static_cast<qulonglong>(m_pauseTotalNs)) + ",\"PauseNs\":" + ring(m_pauseNs)
        + ",\"PauseEnd\":" + ring(m_pauseEnd) + ",\"NumGC\":" + QByteArray::number(m_numGC)
        + ",\"NumForcedGC\":0,\"GCCPUFraction\":" + QByteArray::number(m_scenario == Scenario::GcFrenzy ? 0.08 : 0.004)
        + ",\"EnableGC\":true,\"DebugGC\":false,\"BySize\":[]}\n}\n";
    return out;
}

QByteArray SimService::pprofIndexHtml() const
{
    QByteArray out = "<html>\n<head>\n<title>/debug/pprof/</title>\n</head>\n<body>\n/debug/pprof/<br>\n<br>\n"
                     "Types of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td></thead>\n";
    const auto row = [&out](qint64 count, const char *name) {
        out += "<tr><td>" + QByteArray::number(count) + "</td><td><a href='" + name + "?debug=1'>" + name
            + "</a></td></tr>\n";
    };
    row(4, "allocs");
    row(0, "block");
    row(0, "cmdline");
    row(static_cast<qint64>(goroutines()), "goroutine");
    row(4, "heap");
    row(0, "mutex");
    row(0, "profile");
    row(7, "threadcreate");
    row(0, "trace");
    out += "</table>\n</body>\n</html>\n";
    return out;
}

} // namespace gotriage::sim
