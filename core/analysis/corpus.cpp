#include "corpus.h"

#include <cmath>
#include <random>

namespace gotriage::analysis {

using vitals::Vital;

namespace {

unsigned derivedSeed(std::mt19937 &random)
{
    return static_cast<unsigned>(random());
}

enum class Shape { GoroutineLeak, HeapLeak, Noise, Sawtooth, Bursts, Restarts, CounterResets, DeployStep };

CorpusCase generate(Shape shape, double rate, double gogc, unsigned seed, const CorpusOptions &o)
{
    std::mt19937 random(seed * 7919 + static_cast<unsigned>(shape) * 104729 + static_cast<unsigned>(rate * 1e6));
    Ar1Noise goroutineNoise(o.phi, o.noise, derivedSeed(random)), heapNoise(o.phi, o.noise, derivedSeed(random)),
        cpuNoise(o.phi, o.noise, derivedSeed(random)), reqNoise(o.phi, o.noise, derivedSeed(random));
    CorpusCase c;
    c.onsetSeconds = o.onsetSeconds;
    c.ratePerMinute = rate;
    const double goroutineBase = 400;
    const double liveBase = 48.0 * 1024 * 1024;
    double heapInUse = liveBase;
    double restartAt = 0;
    double reqTotal = 0;
    double cpuTotal = 0;
    for (int s = 0; s < o.durationSeconds; ++s) {
        const double sinceOnset = std::max(0, s - o.onsetSeconds) / 60.0;
        double goroutines = goroutineBase;
        double live = liveBase;
        if (shape == Shape::GoroutineLeak)
            goroutines *= 1 + rate * sinceOnset;
        if (shape == Shape::HeapLeak)
            live *= 1 + rate * sinceOnset;
        if (shape == Shape::Restarts && s > 0 && s % 900 == 0) {
            restartAt = s;
            c.restartsAt.push_back(s);
        }
        // A freshly started process warms up: goroutines and heap rise to
        // their level over a minute, which is growth but not a leak.
        const double warmup = shape == Shape::Restarts ? std::min(1.0, 0.5 + (s - restartAt) / 120.0) : 1.0;
        goroutines *= warmup * (1 + goroutineNoise.next());
        if (shape == Shape::Bursts && std::uniform_int_distribution<int>(0, 90)(random) == 0)
            goroutines *= 2.5;
        if (shape == Shape::DeployStep && s >= o.onsetSeconds)
            goroutines *= 1.3, live *= 1.3;
        live *= warmup * (1 + heapNoise.next());

        // The GC sawtooth: allocation fills the heap up to the goal, a cycle
        // brings it back to the live heap.
        const double goal = live * (1 + gogc / 100);
        heapInUse += live * 0.08;
        if (heapInUse >= goal)
            heapInUse = live;
        double req = 200 * (1 + reqNoise.next());
        if (shape == Shape::Bursts && std::uniform_int_distribution<int>(0, 60)(random) == 0)
            req *= 3;
        // A counter reset (a re-registered collector, a library that
        // restarts its counters) without the process restarting.
        reqTotal = (shape == Shape::CounterResets && s > 0 && s % 600 == 0) ? req : reqTotal + req;

        vitals::VitalsSample v;
        v.tsMs = static_cast<std::int64_t>(s) * 1000;
        v[Vital::Goroutines] = std::round(goroutines);
        v[Vital::HeapInuse] = heapInUse;
        v[Vital::HeapGoal] = goal;
        v[Vital::Rss] = (goal * 1.1 + goroutines * 8192 + 12e6);
        v[Vital::Threads] = 9;
        v[Vital::Fds] = 24;
        v[Vital::FdsMax] = 65536;
        v[Vital::Cpu] = 0.4 * (1 + cpuNoise.next()) * (req / 200);
        cpuTotal += v[Vital::Cpu];
        if (!c.restartsAt.empty() && c.restartsAt.back() == s) {
            // A new process counts from zero.
            cpuTotal = v[Vital::Cpu];
            reqTotal = req;
        }
        v[Vital::ReqRate] = req;
        v[Vital::GcRate] = 0.08 * live / (goal - live);
        c.samples.push_back(v);
        c.counters.push_back({reqTotal, cpuTotal});
    }
    switch (shape) {
    case Shape::GoroutineLeak:
        c.expected = FindingKind::GoroutineLeak;
        c.signal = Vital::Goroutines;
        c.baseline = goroutineBase;
        break;
    case Shape::HeapLeak:
        c.expected = FindingKind::MemoryBlackHole;
        c.signal = Vital::HeapGoal;
        c.baseline = liveBase * (1 + gogc / 100);
        break;
    default:
        c.signal = Vital::Goroutines;
        c.baseline = goroutineBase;
        break;
    }
    return c;
}

QString percent(double rate)
{
    return QString::number(rate * 100, 'g', 3) + QStringLiteral("%/min");
}

} // namespace

Ar1Noise::Ar1Noise(double phi, double sigma, unsigned seed)
    : m_phi(phi), m_step(sigma * std::sqrt(1 - phi * phi)), m_random(seed)
{ }

double Ar1Noise::next()
{
    m_state = m_phi * m_state + std::normal_distribution<double>(0, m_step)(m_random);
    return m_state;
}

std::vector<CorpusCase> buildCorpus(const CorpusOptions &o)
{
    std::vector<CorpusCase> out;
    for (unsigned seed = 1; seed <= static_cast<unsigned>(o.seeds); ++seed) {
        for (double rate : o.leakRatesPerMinute) {
            CorpusCase g = generate(Shape::GoroutineLeak, rate, 100, seed, o);
            g.name = QStringLiteral("goroutine-leak-%1-seed%2").arg(percent(rate)).arg(seed);
            out.push_back(std::move(g));
            CorpusCase h = generate(Shape::HeapLeak, rate, 100, seed, o);
            h.name = QStringLiteral("heap-leak-%1-seed%2").arg(percent(rate)).arg(seed);
            out.push_back(std::move(h));
        }
        for (double gogc : {25.0, 50.0, 100.0, 200.0, 400.0}) {
            CorpusCase c = generate(Shape::Sawtooth, 0, gogc, seed, o);
            c.name = QStringLiteral("healthy-sawtooth-gogc%1-seed%2").arg(gogc).arg(seed);
            out.push_back(std::move(c));
        }
        const std::pair<Shape, const char *> healthy[] = {{Shape::Noise, "healthy-noise"},
                                                          {Shape::Bursts, "healthy-bursts"},
                                                          {Shape::Restarts, "healthy-restarts"},
                                                          {Shape::CounterResets, "healthy-counter-resets"},
                                                          {Shape::DeployStep, "healthy-deploy-step"}};
        for (const auto &[shape, name] : healthy) {
            CorpusCase c = generate(shape, 0, 100, seed, o);
            c.name = QStringLiteral("%1-seed%2").arg(QLatin1String(name)).arg(seed);
            out.push_back(std::move(c));
        }
    }
    return out;
}

} // namespace gotriage::analysis
