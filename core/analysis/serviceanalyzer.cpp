#include "serviceanalyzer.h"

#include "analysis/findingtext.h"
#include "analysis/statistics.h"
#include "common/duration.h"
#include "scraping/servicehealth.h"

#include <QRegularExpression>

#include <cmath>
#include <cstddef>
#include <iterator>

namespace gotriage::analysis {

using vitals::Vital;

namespace {

// How long a CPU profile the next step asks for, and how far apart two
// goroutine dumps or heap profiles are taken.
constexpr double kCpuProfileSeconds = 10;

double seconds(std::chrono::seconds s)
{
    return static_cast<double>(s.count());
}

} // namespace

AnalysisSettings AnalysisSettings::fast()
{
    AnalysisSettings s;
    s.windows = {{std::chrono::seconds(20), std::chrono::seconds(1)},
                 {std::chrono::seconds(60), std::chrono::seconds(2)},
                 {std::chrono::seconds(240), std::chrono::seconds(4)}};
    s.persistence = std::chrono::seconds(2);
    s.clearAfter = std::chrono::seconds(5);
    s.shortWindow = std::chrono::seconds(5);
    s.warmup = std::chrono::seconds(5);
    s.dumpSpacing = std::chrono::seconds(5);
    s.heapProfileSpacing = std::chrono::seconds(10);
    return s;
}

ServiceAnalyzer::ServiceAnalyzer(config::ServiceConfig service, AnalysisSettings settings)
    : m_service(std::move(service)), m_settings(std::move(settings))
{
    const Vital tracked[] = {Vital::Goroutines, Vital::HeapLive, Vital::HeapInuse, Vital::Rss,
                             Vital::Fds,        Vital::Threads,  Vital::Cpu,       Vital::ReqRate};
    const std::size_t ringBytes = TrendTracker::ringBytes(m_settings.windows);
    m_rings = common::PrefaultedBlock(ringBytes * std::size(tracked));
    auto *rings = static_cast<std::byte *>(m_rings.data());
    m_tracked.reserve(std::size(tracked));
    for (const Vital vital : tracked) {
        // Heap is trended after GC: a lower envelope rides under the sawtooth.
        const Aggregate aggregate = vital == Vital::HeapInuse ? Aggregate::Min : Aggregate::Median;
        m_tracked.push_back({vital, TrendTracker(m_settings.windows, aggregate, rings), {}});
        rings += ringBytes;
    }
}

void ServiceAnalyzer::track(std::int64_t tsMs, const vitals::VitalsSample &v)
{
    for (Tracked &t : m_tracked) {
        double value = v[t.vital];
        // Heap after GC: the live heap (Go >= 1.21), else the heap goal
        // (proportional to it while GOGC is constant). Only without either is
        // heap in use trended, through its minimum per bucket: the lower
        // envelope under the sawtooth.
        const bool postGcKnown = vitals::isKnown(v[Vital::HeapLive]) || vitals::isKnown(v[Vital::HeapGoal]);
        if (t.vital == Vital::HeapLive)
            value = vitals::isKnown(v[Vital::HeapLive]) ? v[Vital::HeapLive] : v[Vital::HeapGoal];
        else if (t.vital == Vital::HeapInuse && postGcKnown)
            continue;
        t.tracker.add(tsMs, value, m_settings.trend);
    }
}

std::optional<double> ServiceAnalyzer::limitOf(Vital vital, const vitals::VitalsSample &latest) const
{
    switch (vital) {
    case Vital::Goroutines:
        return m_service.limits.goroutines.value_or(m_settings.defaultGoroutineBudget);
    case Vital::HeapLive:
    case Vital::HeapInuse:
    case Vital::Rss:
        // GOMEMLIMIT counts when set (math.MaxInt64 means "no limit").
        if (m_runtime.gomemlimitBytes && *m_runtime.gomemlimitBytes < kNoMemoryLimitBytes)
            return m_runtime.gomemlimitBytes;
        return m_service.limits.memoryBytes;
    case Vital::Fds:
        return vitals::isKnown(latest[Vital::FdsMax]) ? std::optional(latest[Vital::FdsMax]) : std::nullopt;
    case Vital::Threads:
        return m_service.limits.threads.value_or(m_settings.defaultThreadLimit);
    default:
        return std::nullopt;
    }
}

Projection ServiceAnalyzer::project(const Tracked &t) const
{
    const TrendEstimate *best = t.tracker.best();
    return project(t, best ? *best : TrendEstimate{});
}

Projection ServiceAnalyzer::project(const Tracked &t, const TrendEstimate &trend) const
{
    Projection p;
    p.vital = t.vital;
    p.segmentStartMs = t.tracker.segmentStartMs();
    p.trend = trend;
    p.limit = limitOf(t.vital, m_latest);
    // Time to limit only for a significant rise still below the limit.
    if (p.limit && p.trend.significant && p.trend.slopePerSecond > 0 && p.trend.level < *p.limit) {
        const double headroom = *p.limit - p.trend.level;
        p.etaSeconds = headroom / p.trend.slopePerSecond;
        p.etaLowSeconds = headroom / p.trend.slopeHighPerSecond;
        p.etaHighSeconds = p.trend.slopeLowPerSecond > 0 ? headroom / p.trend.slopeLowPerSecond
                                                         : std::numeric_limits<double>::infinity();
    }
    return p;
}

double ServiceAnalyzer::recentMedian(Vital vital) const
{
    std::vector<double> values;
    for (const vitals::VitalsSample &s : m_recent) {
        if (vitals::isKnown(s[vital]))
            values.push_back(s[vital]);
    }
    return values.empty() ? vitals::kUnknown : median(values);
}

double ServiceAnalyzer::minGrowth(Vital vital) const
{
    switch (vital) {
    case Vital::Goroutines:
        return m_settings.minGoroutineGrowth;
    case Vital::Threads:
    case Vital::Fds:
        return 10;
    case Vital::HeapLive:
    case Vital::HeapInuse:
        return m_settings.minBytesGrowth;
    case Vital::Rss:
        return m_settings.minRssGrowth;
    default:
        return std::numeric_limits<double>::infinity(); // not judged for growth
    }
}

std::optional<std::size_t> ServiceAnalyzer::chooseMaterialWindow(const Tracked &t) const
{
    // Every window is a candidate: the finding rests on the longest one that
    // is significant and material, so a slow leak need not wait for the
    // longest window to agree.
    const double minGrowth = this->minGrowth(t.vital);
    const auto &all = t.tracker.estimates();
    std::optional<std::size_t> chosen;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const TrendEstimate &w = all[i];
        if (!w.valid || !w.significant || w.slopePerSecond <= 0)
            continue;
        // Material: fast enough relative to the level, enough in absolute
        // terms, and well above the buckets' own noise (a rise after a flat
        // stretch has passed a stricter test already, so it needs less).
        const double growth = w.slopePerSecond * w.spanSeconds;
        if (w.relativePerMinute() < m_settings.minRelativeGrowthPerMinute || growth < minGrowth
            || growth < (w.flatBefore ? m_settings.minRiseOverNoise : m_settings.minGrowthOverNoise) * w.noise)
            continue;
        // Corroborated by a second window that sees a different stretch of
        // history, or strong on its own. Early on, when every window holds
        // the same few minutes, windows are one witness, not several.
        const bool corroborated = std::any_of(all.begin(), all.end(), [&](const TrendEstimate &o) {
            const double longer = std::max(o.coveredSeconds, w.coveredSeconds);
            const double shorter = std::min(o.coveredSeconds, w.coveredSeconds);
            return &o != &w && o.valid && o.significant && o.slopePerSecond > 0
                && longer >= m_settings.distinctCoverage * shorter;
        });
        const bool strong = w.z >= m_settings.strongZ || (w.fromHinge && w.hingeZ >= m_settings.strongSlopeT);
        if (!corroborated && !strong)
            continue;
        if (!chosen || w.spanSeconds > all[*chosen].spanSeconds)
            chosen = i;
    }
    return chosen;
}

std::optional<Finding> ServiceAnalyzer::growthFinding(FindingKind kind, const Tracked &t) const
{
    const TrendEstimate *chosen = t.material();
    if (!chosen)
        return std::nullopt;
    const Projection p = project(t, *chosen);
    const TrendEstimate &e = p.trend;
    Finding f;
    f.service = m_service.name;
    f.kind = kind;
    f.severity = Severity::Warning;
    f.signal = t.vital;
    f.ratePerSecond = e.slopePerSecond;
    f.rateLowPerSecond = e.slopeLowPerSecond;
    f.rateHighPerSecond = e.slopeHighPerSecond;
    f.relativeRatePerMinute = e.relativePerMinute();
    f.windowSeconds = e.spanSeconds;
    f.intervalSeconds = seconds(m_settings.windows[e.window].bucket);
    f.flatBefore = e.flatBefore;
    f.statistic = e.fromHinge ? Statistic::SlopeT : Statistic::MannKendallZ;
    f.statisticValue = e.fromHinge ? e.hingeZ : e.z;
    f.level = e.level;
    f.limit = p.limit;
    if (p.etaSeconds) {
        f.etaSeconds = p.etaSeconds;
        f.etaLowSeconds = p.etaLowSeconds;
        f.etaHighSeconds = p.etaHighSeconds;
        if (*p.etaSeconds < static_cast<double>(m_settings.etaCritical.count()))
            f.severity = Severity::Critical;
    }
    return f;
}

std::map<FindingKind, Finding> ServiceAnalyzer::propose(std::int64_t tsMs, const vitals::VitalsSample &v,
                                                        const scraping::ServiceHealth &health) const
{
    std::map<FindingKind, Finding> out;
    auto base = [&](FindingKind kind, Severity severity) {
        Finding f;
        f.service = m_service.name;
        f.kind = kind;
        f.severity = severity;
        return f;
    };

    if (health.lastGoodMs == 0 ? health.consecutiveFailures >= 2 : health.isStale(tsMs, m_service.interval)) {
        Finding f = base(FindingKind::Stale, Severity::Warning);
        if (health.lastGoodMs != 0)
            f.ageSeconds = static_cast<double>(tsMs - health.lastGoodMs) / 1000.0;
        f.detail = health.lastError;
        f.next.action = NextStep::Action::CheckReachability;
        out[FindingKind::Stale] = f;
        return out; // nothing else is judged on old data
    }

    for (const Tracked &t : m_tracked) {
        if (tsMs < m_warmupUntilMs)
            break;
        std::optional<Finding> f;
        if (t.vital == Vital::Goroutines || t.vital == Vital::Threads || t.vital == Vital::Fds) {
            f = growthFinding(FindingKind::GoroutineLeak, t);
            if (f) {
                f->next.action = NextStep::Action::CaptureGoroutines;
                if (t.vital == Vital::Goroutines) {
                    // debug=2: every goroutine with its wait reason and
                    // minutes, which debug=1 leaves out.
                    f->next.count = 2;
                    f->next.debugLevel = 2;
                    f->next.spacingSeconds = seconds(m_settings.dumpSpacing);
                } else {
                    f->next.count = 1;
                    f->next.debugLevel = 2;
                    f->next.syscallsOrIo = true;
                }
            }
        } else if (t.vital == Vital::HeapLive || t.vital == Vital::HeapInuse || t.vital == Vital::Rss) {
            f = growthFinding(FindingKind::MemoryBlackHole, t);
            if (f) {
                f->next.action = NextStep::Action::CaptureHeapProfiles;
                f->next.count = 2;
                f->next.spacingSeconds = seconds(m_settings.heapProfileSpacing);
            }
        }
        if (!f)
            continue;
        // One finding per kind: keep the more severe, then the first tracked.
        const auto it = out.find(f->kind);
        if (it == out.end() || f->severity > it->second.severity)
            out[f->kind] = *f;
    }

    // GC frenzy: sustained GC rate or GC CPU share.
    const double gcRate = recentMedian(Vital::GcRate);
    const double gcCpu = recentMedian(Vital::GcCpu);
    if (gcRate >= m_settings.gcRateWarning || gcCpu >= m_settings.gcCpuWarning) {
        const bool critical = gcRate >= m_settings.gcRateCritical || gcCpu >= m_settings.gcCpuCritical;
        Finding f = base(FindingKind::GcFrenzy, critical ? Severity::Critical : Severity::Warning);
        f.signal = Vital::GcRate;
        f.level = gcRate;
        f.windowSeconds = seconds(m_settings.shortWindow);
        if (vitals::isKnown(gcCpu))
            f.gcCpuShare = gcCpu;
        if (vitals::isKnown(v[Vital::AllocRate]))
            f.allocRate = v[Vital::AllocRate];
        f.next.action = NextStep::Action::CaptureAllocsProfile;
        out[FindingKind::GcFrenzy] = f;
    }

    // CPU saturation: near GOMAXPROCS or the configured quota ...
    const double cpu = recentMedian(Vital::Cpu);
    const std::optional<double> capacity = m_runtime.gomaxprocs ? m_runtime.gomaxprocs : m_service.limits.cpuCores;
    if (capacity && vitals::isKnown(cpu) && cpu >= m_settings.cpuSaturation * *capacity) {
        Finding f = base(FindingKind::CpuSaturation,
                         cpu >= m_settings.cpuCritical * *capacity ? Severity::Critical : Severity::Warning);
        f.signal = Vital::Cpu;
        f.level = cpu;
        f.limit = *capacity;
        f.windowSeconds = seconds(m_settings.shortWindow);
        f.next.action = NextStep::Action::CaptureCpuProfile;
        f.next.durationSeconds = kCpuProfileSeconds;
        f.next.thenContention = true;
        out[FindingKind::CpuSaturation] = f;
    } else {
        // ... or ineffective consumption: CPU rising while requests do not.
        const Tracked &cpuTrend
            = *std::find_if(m_tracked.begin(), m_tracked.end(), [](const Tracked &t) { return t.vital == Vital::Cpu; });
        const Tracked &reqTrend = *std::find_if(m_tracked.begin(), m_tracked.end(),
                                                [](const Tracked &t) { return t.vital == Vital::ReqRate; });
        const TrendEstimate *c = cpuTrend.tracker.best();
        const TrendEstimate *r = reqTrend.tracker.best();
        // Material: at least 1 %/min and minCpuGrowthCores over the window.
        const bool cpuRising = c && c->significant && c->slopePerSecond > 0 && c->relativePerMinute() >= 0.01
            && c->slopePerSecond * c->spanSeconds >= m_settings.minCpuGrowthCores;
        // Requests keep up when they rise at half the CPU's relative pace or
        // more, significant or not: only CPU that outruns its traffic counts.
        const bool requestsRising = cpuRising && r && r->valid
            && (r->relativePerMinute() >= 0.5 * c->relativePerMinute()
                || (r->significant && r->slopePerSecond > 0
                    && r->relativePerMinute() >= 0.25 * c->relativePerMinute()));
        if (cpuRising && r && r->valid && !requestsRising) {
            Finding f = base(FindingKind::CpuSaturation, Severity::Warning);
            f.signal = Vital::Cpu;
            f.level = c->level;
            f.ratePerSecond = c->slopePerSecond;
            f.relativeRatePerMinute = c->relativePerMinute();
            f.windowSeconds = c->spanSeconds;
            f.requestRelativeRatePerMinute = r->relativePerMinute();
            f.next.action = NextStep::Action::CaptureCpuProfile;
            f.next.durationSeconds = kCpuProfileSeconds;
            f.next.compareWithBaseline = true;
            out[FindingKind::CpuSaturation] = f;
        }
    }
    return out;
}

std::vector<Finding> ServiceAnalyzer::configRemarks(const vitals::VitalsSample &v) const
{
    std::vector<Finding> out;
    auto remark = [&](ConfigRemark which, const QString &setting) -> Finding & {
        Finding f;
        f.service = m_service.name;
        f.kind = FindingKind::Config;
        f.severity = Severity::Info;
        f.remark = which;
        f.next.action = NextStep::Action::ChangeConfig;
        f.next.setting = setting;
        return out.emplace_back(std::move(f));
    };
    static const QRegularExpression kGoVersion(QStringLiteral("^go1\\.(\\d+)"));
    if (const auto match = kGoVersion.match(m_runtime.goVersion); match.hasMatch()) {
        if (match.captured(1).toInt() < m_settings.supportedGoMinor) {
            Finding &f = remark(ConfigRemark::UnsupportedGo, QStringLiteral("go_version"));
            f.detail = m_runtime.goVersion;
            f.level = match.captured(1).toInt();
            f.limit = m_settings.supportedGoMinor;
        }
    }
    if (m_runtime.gomaxprocs && m_service.limits.cpuCores && *m_runtime.gomaxprocs > *m_service.limits.cpuCores + 0.5) {
        Finding &f = remark(ConfigRemark::GomaxprocsOverQuota, QStringLiteral("GOMAXPROCS"));
        f.level = m_runtime.gomaxprocs;
        f.limit = m_service.limits.cpuCores;
    }
    if (!m_runtime.hasMemoryLimit() && m_service.limits.memoryBytes && vitals::isKnown(v[Vital::Rss])
        && v[Vital::Rss] >= 0.8 * *m_service.limits.memoryBytes) {
        Finding &f = remark(ConfigRemark::MemoryLimitUnset, QStringLiteral("GOMEMLIMIT"));
        f.signal = Vital::Rss;
        f.level = v[Vital::Rss];
        f.limit = m_service.limits.memoryBytes;
    }
    for (Finding &f : out)
        describe(f);
    return out;
}

std::vector<FindingChange> ServiceAnalyzer::update(std::int64_t now, const vitals::VitalsSample &v,
                                                   const scraping::ServiceHealth &health, bool restarted,
                                                   const RuntimeInfo &runtime)
{
    if (health.up) {
        const std::int64_t warmupMs = std::chrono::duration_cast<std::chrono::milliseconds>(m_settings.warmup).count();
        if (restarted) {
            for (Tracked &t : m_tracked)
                t.tracker.reset(); // a new segment: the old level says nothing about the new process
            m_warmupUntilMs = now + warmupMs;
        }
        m_runtime = runtime;
        // A process we see start (or that started moments ago) is warming up.
        if (m_runtime.startTimeSeconds)
            m_warmupUntilMs
                = std::max(m_warmupUntilMs, static_cast<std::int64_t>(*m_runtime.startTimeSeconds * 1000) + warmupMs);
        track(now, v);
        for (Tracked &t : m_tracked)
            t.materialWindow = chooseMaterialWindow(t);
        m_latest = v;
        m_recent.push_back(v);
        const std::int64_t shortMs
            = std::chrono::duration_cast<std::chrono::milliseconds>(m_settings.shortWindow).count();
        while (!m_recent.empty() && m_recent.front().tsMs < now - shortMs)
            m_recent.pop_front();
    }

    std::vector<FindingChange> changes;
    std::map<FindingKind, Finding> proposals = propose(now, m_latest, health);
    for (auto &[kind, finding] : proposals)
        describe(finding);
    const std::int64_t persistMs
        = std::chrono::duration_cast<std::chrono::milliseconds>(m_settings.persistence).count();
    const std::int64_t clearMs = std::chrono::duration_cast<std::chrono::milliseconds>(m_settings.clearAfter).count();
    for (FindingKind kind : {FindingKind::GoroutineLeak, FindingKind::MemoryBlackHole, FindingKind::GcFrenzy,
                             FindingKind::CpuSaturation, FindingKind::Stale}) {
        Candidate &c = m_candidates[kind];
        const auto it = proposals.find(kind);
        if (it != proposals.end()) {
            c.absentSinceMs = -1;
            if (c.heldSinceMs < 0)
                c.heldSinceMs = now;
            c.lastHeldMs = now;
            Finding next = it->second;
            // Staleness is news at once; the rest must persist first.
            if (!c.active && (kind == FindingKind::Stale || now - c.heldSinceMs >= persistMs)) {
                next.sinceMs = now;
                c.active = next;
                changes.push_back({FindingChange::Type::Raised, now, next});
            } else if (c.active) {
                next.sinceMs = c.active->sinceMs;
                // Severity has hysteresis too: it rises at once, and falls
                // only after the higher reading has been absent for clearAfter.
                if (next.severity < c.active->severity) {
                    if (c.lowerSinceMs < 0)
                        c.lowerSinceMs = now;
                    if (now - c.lowerSinceMs < clearMs)
                        next.severity = c.active->severity;
                } else {
                    c.lowerSinceMs = -1;
                }
                const bool changed = next.severity != c.active->severity;
                c.active = next; // evidence follows the numbers
                if (changed)
                    changes.push_back({FindingChange::Type::Updated, now, next});
            }
        } else {
            // A reading that flickers (a window judged just under the bar
            // once) keeps its place; only an absence as long as the
            // persistence itself starts the count again.
            if (c.heldSinceMs >= 0 && now - c.lastHeldMs > persistMs)
                c.heldSinceMs = -1;
            if (c.active) {
                if (c.absentSinceMs < 0)
                    c.absentSinceMs = now;
                if (kind == FindingKind::Stale || now - c.absentSinceMs >= clearMs) {
                    changes.push_back({FindingChange::Type::Cleared, now, *c.active});
                    c.active.reset();
                    c.absentSinceMs = -1;
                }
            }
        }
    }

    // Configuration remarks: raised and cleared as they are read.
    if (health.up) {
        // Matched by key: a remark whose numbers move (RSS 85 % then 86 % of
        // the limit) is the same remark, not a new one.
        std::vector<Finding> remarks = configRemarks(m_latest);
        for (const Finding &old : m_configFindings) {
            if (std::none_of(remarks.begin(), remarks.end(), [&](const Finding &f) { return f.key() == old.key(); }))
                changes.push_back({FindingChange::Type::Cleared, now, old});
        }
        for (Finding &f : remarks) {
            const auto old = std::find_if(m_configFindings.begin(), m_configFindings.end(),
                                          [&](const Finding &o) { return o.key() == f.key(); });
            f.sinceMs = old == m_configFindings.end() ? now : old->sinceMs;
            if (old == m_configFindings.end())
                changes.push_back({FindingChange::Type::Raised, now, f});
        }
        m_configFindings = std::move(remarks);
    }
    return changes;
}

std::vector<Finding> ServiceAnalyzer::findings() const
{
    std::vector<Finding> out;
    for (const auto &[kind, c] : m_candidates) {
        if (c.active)
            out.push_back(*c.active);
    }
    out.insert(out.end(), m_configFindings.begin(), m_configFindings.end());
    return out;
}

std::vector<Projection> ServiceAnalyzer::projections() const
{
    // The fitted trend is always drawn; a time to limit only where a finding
    // would rest on it: a significant and material rise, after warm-up.
    // (A flat heap's slope can be significant and still say "limit in 7 days".)
    std::vector<Projection> out;
    const bool warmingUp = m_latest.tsMs < m_warmupUntilMs;
    for (const Tracked &t : m_tracked) {
        const TrendEstimate *material = warmingUp ? nullptr : t.material();
        Projection p = material ? project(t, *material) : project(t);
        p.material = material != nullptr;
        if (!material)
            p.etaSeconds = p.etaLowSeconds = p.etaHighSeconds = std::nullopt;
        out.push_back(p);
    }
    return out;
}

} // namespace gotriage::analysis
