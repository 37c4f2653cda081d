#pragma once

#include "analysis/finding.h"
#include "signals/vital.h"

#include <QString>

#include <optional>
#include <random>
#include <vector>

namespace gotriage::analysis {

// A labelled synthetic series for the accuracy harness: 1 s samples of the
// vitals a Go service would show, healthy for `onsetSeconds`, then (for a
// leak) growing at `ratePerMinute` of the baseline. The noise model is AR(1)
// with coefficient 0.7 per second and a stationary standard deviation of 2 %
// of the level: slow, persistent wobble, the kind that fools a naive test.
struct CorpusCase {
    QString name; // "goroutine-leak-1%/min-seed3"
    std::optional<FindingKind> expected; // nullopt: healthy, nothing may fire
    vitals::Vital signal = vitals::Vital::Goroutines; // the one that grows
    double baseline = 0;
    int onsetSeconds = 0;
    double ratePerMinute = 0; // share of baseline per minute
    std::vector<vitals::VitalsSample> samples;
    // The counters behind the rates, as the service exposes them
    // (http_requests_total, process_cpu_seconds_total): the harness turns
    // them into rates with the real deriver, so counter resets go the same
    // way as in a scrape.
    struct Counters {
        double requests = 0;
        double cpuSeconds = 0;
    };
    std::vector<Counters> counters;
    std::vector<int> restartsAt; // seconds at which the process restarted
};

// AR(1) noise as a share of the level: each step keeps `phi` of the previous
// deviation; `sigma` is the stationary standard deviation.
class Ar1Noise
{
public:
    Ar1Noise(double phi, double sigma, unsigned seed);
    double next();

private:
    double m_phi, m_step, m_state = 0;
    std::mt19937 m_random;
};

struct CorpusOptions {
    int durationSeconds = 3600;
    int onsetSeconds = 600;
    int seeds = 10;
    std::vector<double> leakRatesPerMinute = {0.001, 0.003, 0.01, 0.03, 0.1};
    double noise = 0.02;
    double phi = 0.7;
};

std::vector<CorpusCase> buildCorpus(const CorpusOptions &options);

} // namespace gotriage::analysis
