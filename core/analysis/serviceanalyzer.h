#pragma once

#include "analysis/finding.h"
#include "analysis/trendtracker.h"
#include "config/fleetconfig.h"
#include "signals/runtimeinfo.h"
#include "signals/vital.h"

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace gotriage::scraping {
struct ServiceHealth;
}

namespace gotriage::analysis {

// Thresholds, windows and guards of the analysis. The defaults are what the
// accuracy targets are measured with; tests may use faster ones.
struct AnalysisSettings {
    std::vector<WindowSpec> windows
        = {{std::chrono::minutes(2), std::chrono::seconds(5)},   {std::chrono::minutes(5), std::chrono::seconds(10)},
           {std::chrono::minutes(10), std::chrono::seconds(10)}, {std::chrono::minutes(30), std::chrono::seconds(30)},
           {std::chrono::minutes(60), std::chrono::seconds(20)}, {std::chrono::hours(2), std::chrono::seconds(60)}};
    TrendSettings trend;
    std::chrono::seconds persistence{20}; // a condition holds this long before it is a finding
    std::chrono::seconds clearAfter{120}; // and is gone this long before the finding clears
    std::chrono::seconds shortWindow{60}; // for levels: CPU, GC rate
    std::chrono::seconds warmup{180}; // after a process starts, growth is start-up, not a leak
    double minRelativeGrowthPerMinute = 0.0005; // 0.05 %/min: slower growth is not material
    double minGoroutineGrowth = 5; // per window, for goroutine_leak
    double minGrowthOverNoise = 3; // growth over the window, in units of the buckets' noise
    double minRiseOverNoise = 2; // the same for a rise found after a flat stretch (TrendEstimate::flatBefore)
    // Corroboration: a rise must be significant in two windows at once, or
    // in one with a Mann–Kendall z at least this strong. Two windows count
    // as two witnesses only when one covers this much more history.
    double strongZ = 4.5;
    double strongSlopeT = 10; // a slope t (TrendEstimate::hingeZ) this high stands alone too
    double distinctCoverage = 1.25;
    double minBytesGrowth = 1.0 * 1024 * 1024; // per window, for memory_black_hole
    // RSS moves in steps of a MiB or more in a healthy process (a new heap
    // peak, code and runtime pages touched for the first time, the
    // scavenger's lag), and rarely comes back down: two or three such steps
    // in a window look like growth. Its floor is therefore higher.
    double minRssGrowth = 4.0 * 1024 * 1024; // per window, for memory_black_hole from RSS
    double gcRateWarning = 2; // cycles/s
    double gcRateCritical = 10;
    double gcCpuWarning = 0.10; // share of CPU in GC
    double gcCpuCritical = 0.25;
    double cpuSaturation = 0.85; // of GOMAXPROCS or the CPU quota
    double cpuCritical = 0.95;
    double minCpuGrowthCores = 0.1; // per window, for ineffective consumption
    double defaultGoroutineBudget = 100000;
    double defaultThreadLimit = 10000; // Go's runtime/debug.SetMaxThreads default
    std::chrono::seconds etaCritical{3600}; // a limit this close is critical
    // The next steps' spacing: two goroutine dumps, two heap profiles.
    std::chrono::seconds dumpSpacing{60};
    std::chrono::seconds heapProfileSpacing{300};
    int supportedGoMinor = 26; // oldest Go 1.x with security fixes (two newest releases, late 2026)

    // Windows and guards scaled down ~30× for tests that cannot wait minutes.
    static AnalysisSettings fast();
};

// A signal's projection toward its limit, for badges and charts.
struct Projection {
    vitals::Vital vital = vitals::Vital::Goroutines;
    TrendEstimate trend;
    std::int64_t segmentStartMs = 0;
    std::optional<double> limit;
    std::optional<double> etaSeconds, etaLowSeconds, etaHighSeconds;
    bool material = false; // the rise a finding rests on (significant, material, corroborated, after warm-up)
};

using vitals::kNoMemoryLimitBytes;
using vitals::RuntimeInfo;

// Analysis of one service: trends on restart-aware segments, time to limit,
// the four battlefields with hysteresis, staleness and runtime configuration
// remarks. Fed every update of its service, on the session's thread, in
// data time: it never reads a clock. Not thread-safe.
class ServiceAnalyzer
{
public:
    ServiceAnalyzer(config::ServiceConfig service, AnalysisSettings settings = {});
    // Moved, never copied: its trend rings are a block of its own.
    ServiceAnalyzer(ServiceAnalyzer &&) = default;
    ServiceAnalyzer &operator=(ServiceAnalyzer &&) = default;
    ServiceAnalyzer(const ServiceAnalyzer &) = delete;
    ServiceAnalyzer &operator=(const ServiceAnalyzer &) = delete;

    // A fleet-file reload that changed what analysis reads (limits, tier,
    // labels) but not how the service is scraped: history and trends stay,
    // projections and findings use the new values from the next update.
    void setService(config::ServiceConfig service) { m_service = std::move(service); }
    const config::ServiceConfig &service() const { return m_service; }

    // Takes one update of the service at `tsMs` (health.up: the vitals are
    // real) with the runtime settings as last read. Returns what was
    // raised, updated or cleared by it.
    std::vector<FindingChange> update(std::int64_t tsMs, const vitals::VitalsSample &vitals,
                                      const scraping::ServiceHealth &health, bool restarted,
                                      const RuntimeInfo &runtime);

    std::vector<Finding> findings() const;
    std::vector<Projection> projections() const;
    const RuntimeInfo &runtime() const { return m_runtime; }
    // The trend rings, allocated whole when the analysis is made.
    std::size_t ringBytes() const { return m_rings.size(); }

private:
    // One finding's hysteresis: raised after the condition held for
    // `persistence`, cleared after it was absent for `clearAfter`.
    struct Candidate {
        std::optional<Finding> proposal; // this scrape's reading
        std::int64_t heldSinceMs = -1;
        std::int64_t lastHeldMs = -1;
        std::int64_t absentSinceMs = -1;
        std::int64_t lowerSinceMs = -1; // severity below the active one since
        std::optional<Finding> active;
    };

    struct Tracked {
        vitals::Vital vital;
        TrendTracker tracker;
        // The window a finding would rest on (index into tracker.estimates()),
        // chosen once per update for findings and projections alike.
        std::optional<std::size_t> materialWindow;
        const TrendEstimate *material() const
        {
            return materialWindow ? &tracker.estimates()[*materialWindow] : nullptr;
        }
    };

    void track(std::int64_t tsMs, const vitals::VitalsSample &vitals);
    std::optional<double> limitOf(vitals::Vital vital, const vitals::VitalsSample &latest) const;
    Projection project(const Tracked &tracked) const; // from the tracker's best window
    Projection project(const Tracked &tracked, const TrendEstimate &trend) const;
    double recentMedian(vitals::Vital vital) const;
    std::map<FindingKind, Finding> propose(std::int64_t tsMs, const vitals::VitalsSample &vitals,
                                           const scraping::ServiceHealth &health) const;
    // Least growth over a window that counts for a signal (infinite: not judged for growth).
    double minGrowth(vitals::Vital vital) const;
    // The longest window whose rise is significant, material and corroborated, if any.
    std::optional<std::size_t> chooseMaterialWindow(const Tracked &tracked) const;
    std::optional<Finding> growthFinding(FindingKind kind, const Tracked &tracked) const;
    std::vector<Finding> configRemarks(const vitals::VitalsSample &vitals) const;

    config::ServiceConfig m_service;
    AnalysisSettings m_settings;
    common::PrefaultedBlock m_rings; // every tracker's rings, mapped in one call
    std::vector<Tracked> m_tracked;
    std::deque<vitals::VitalsSample> m_recent; // the short window
    vitals::VitalsSample m_latest;
    RuntimeInfo m_runtime;
    std::int64_t m_warmupUntilMs = 0; // no growth finding before this
    std::map<FindingKind, Candidate> m_candidates;
    std::vector<Finding> m_configFindings;
};

} // namespace gotriage::analysis
