#pragma once

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <random>

namespace gotriage::sim {

enum class Scenario { Healthy, GoroutineLeak, MemoryCreep, GcFrenzy, CpuContention, Flapping };

QString scenarioName(Scenario scenario);

// One emulated Go service: a small model of a Go process under request load
// (CPU, heap sawtooth and GC cycles, goroutines, threads, fds, requests by
// status code, latency) that renders what client_golang, expvar and
// net/http/pprof would serve. Time is passed in, so tests can drive it.
// Not thread-safe: owned by the thread that serves it.
class SimService
{
public:
    SimService(QString name, Scenario scenario, std::uint32_t seed, double startSeconds);

    const QString &name() const { return m_name; }
    Scenario scenario() const { return m_scenario; }

    // Moves the model forward to `nowSeconds` (Unix time); earlier times are ignored.
    void advanceTo(double nowSeconds);

    // Flapping services are down part of the time: they answer 503.
    bool isDown() const { return m_down; }

    // Requests per second admitted; 0 means unlimited. Lowers the load, and
    // with it every fault that grows with traffic.
    void setThrottle(double rps) { m_throttleRps = rps < 0 ? 0 : rps; }
    double throttle() const { return m_throttleRps; }

    QByteArray metricsText() const; // text/plain; version=0.0.4
    QByteArray varsJson() const; // /debug/vars
    QByteArray pprofIndexHtml() const; // /debug/pprof/

    // Model state, for tests and the throttle's effect.
    double demandRps() const { return m_demandRps; }
    double servedRps() const { return m_servedRps; }
    double goroutines() const;
    std::uint32_t numGC() const { return m_numGC; }
    // What the pprof endpoints tell (core/sim/simprofiles).
    double leakedGoroutines() const { return m_leakedGoroutines; }
    double spinningGoroutines() const { return m_spinningGoroutines; }
    double inFlight() const { return m_servedRps * m_latencySeconds; }
    double cpuSeconds() const { return m_cpuSeconds; }
    double allocBytesTotal() const { return m_allocBytesTotal; }
    double heapAlloc() const { return m_heapAlloc; }
    double retainedBytes() const { return m_retainedBytes; }
    double uptimeSeconds() const { return m_now - m_startTime; }
    double now() const { return m_now; }

private:
    void step(double dt);
    void restart();
    void collectGarbage();

    QString m_name;
    Scenario m_scenario;
    std::mt19937 m_random;
    double m_baseRps;
    double m_now;
    double m_startTime;
    bool m_down = false;
    double m_throttleRps = 0;
    double m_demandRps = 0;
    double m_servedRps = 0;

    double m_cpuSeconds = 0;
    double m_allocBytesTotal = 0;
    double m_mallocs = 0;
    double m_frees = 0;
    double m_heapAlloc = 0;
    double m_retainedBytes = 0;
    double m_leakedGoroutines = 0;
    double m_spinningGoroutines = 0;
    double m_latencySeconds = 0.02;
    double m_requestsOk = 0;
    double m_requestsError = 0;
    double m_requestsThrottled = 0;
    std::array<double, 10> m_latencyBuckets{}; // cumulative counts per bucket of kLatencyBounds
    double m_latencySum = 0;
    mutable double m_metricsScrapes = 0; // promhttp counts its own scrapes

    std::uint32_t m_numGC = 0;
    std::uint64_t m_pauseTotalNs = 0;
    std::uint64_t m_lastGcNs = 0;
    std::array<std::uint64_t, 256> m_pauseNs{};
    std::array<std::uint64_t, 256> m_pauseEnd{};
};

} // namespace gotriage::sim
