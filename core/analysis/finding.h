#pragma once

#include "signals/vital.h"

#include <QString>

#include <optional>
#include <tuple>

namespace gotriage::analysis {

// What analysis concluded about a service. The four battlefields, `stale`,
// and low-severity `config` remarks about the runtime settings.
enum class FindingKind { GoroutineLeak, MemoryBlackHole, GcFrenzy, CpuSaturation, Stale, Config };
enum class Severity { Info, Warning, Critical };
// Which runtime setting a `config` remark is about: part of its key.
enum class ConfigRemark { None, UnsupportedGo, GomaxprocsOverQuota, MemoryLimitUnset };
// The test a growth finding passed.
enum class Statistic { None, MannKendallZ, SlopeT };

QString kindName(FindingKind kind); // "goroutine_leak", ...
QString severityName(Severity severity); // "info", "warning", "critical"
QString remarkName(ConfigRemark remark); // "unsupported_go", ...
QString statisticName(Statistic statistic); // "mann_kendall_z", "slope_t"
std::optional<FindingKind> kindFromName(const QString &name);
std::optional<Severity> severityFromName(const QString &name);
std::optional<ConfigRemark> remarkFromName(const QString &name);
std::optional<Statistic> statisticFromName(const QString &name);
bool isBattlefield(FindingKind kind);

// What to do next, as a request the diagnose step can carry out by itself
// ("capture two goroutine dumps 60 s apart"), not only as words.
struct NextStep {
    enum class Action {
        None,
        CheckReachability, // the service is down or unreachable: nothing to profile
        CaptureGoroutines, // `count` dumps at debug=`debugLevel`, `spacingSeconds` apart, compared
        CaptureHeapProfiles, // `count` inuse_space profiles, `spacingSeconds` apart, compared
        CaptureAllocsProfile, // one alloc_space profile
        CaptureCpuProfile, // `durationSeconds` long
        ChangeConfig, // `setting` is to be changed (rebuild, GOMAXPROCS, GOMEMLIMIT)
    };
    Action action = Action::None;
    int count = 0;
    double spacingSeconds = 0;
    double durationSeconds = 0;
    int debugLevel = 0; // goroutine dumps: 1 (grouped stacks) or 2 (every goroutine)
    bool compareWithBaseline = false; // CPU: against a profile from before the rise
    bool thenContention = false; // CPU: then the mutex and block profiles
    bool syscallsOrIo = false; // goroutines: look for the ones stuck in syscalls or I/O
    QString setting; // ChangeConfig: "go_version", "GOMAXPROCS", "GOMEMLIMIT"

    bool operator==(const NextStep &) const = default;
};
QString actionName(NextStep::Action action); // "capture_goroutines", ...
std::optional<NextStep::Action> actionFromName(const QString &name);

// A finding's identity: the same problem of the same service stays the same
// finding while its numbers move.
struct FindingKey {
    QString service;
    FindingKind kind = FindingKind::Stale;
    ConfigRemark remark = ConfigRemark::None; // config remarks only

    bool operator==(const FindingKey &) const = default;
    bool operator<(const FindingKey &other) const
    {
        return std::tie(service, kind, remark) < std::tie(other.service, other.kind, other.remark);
    }
    QString toString() const; // "api-1/config/unsupported_go"
};

struct Finding {
    QString service;
    FindingKind kind = FindingKind::Stale;
    Severity severity = Severity::Warning;
    ConfigRemark remark = ConfigRemark::None;
    std::optional<vitals::Vital> signal; // the vital it rests on (growth: the trended one; CPU; GC rate)

    // The numbers; unset where they do not apply to the kind. Rates are in
    // the signal's unit per second.
    std::optional<double> ratePerSecond, rateLowPerSecond, rateHighPerSecond; // 95 % CI
    std::optional<double> relativeRatePerMinute; // fraction of the level per minute
    std::optional<double> windowSeconds; // the history it rests on: a trend's span, the short window
    std::optional<double> intervalSeconds; // the trend's bucket width
    Statistic statistic = Statistic::None;
    std::optional<double> statisticValue;
    bool flatBefore = false; // the rise began inside the window, after a flat stretch
    std::optional<double> level; // the signal now: fitted level, median CPU cores, GC cycles/s, Go minor
    std::optional<double> limit; // what it runs into: a memory or goroutine limit, CPU capacity, supported Go minor
    std::optional<double> etaSeconds; // time until the limit, when projected
    std::optional<double> etaLowSeconds; // 95 % band
    std::optional<double> etaHighSeconds;
    std::optional<double> gcCpuShare; // gc_frenzy
    std::optional<double> allocRate; // gc_frenzy, bytes/s
    std::optional<double> requestRelativeRatePerMinute; // cpu_saturation by ineffective consumption
    std::optional<double> ageSeconds; // stale: since the last good data
    QString detail; // the facts that are text: the scrape error (stale), the Go version (config)
    NextStep next;
    qint64 sinceMs = 0;

    // Today's English, made from the fields above by describe() (findingtext.h).
    QString evidence; // "goroutines +41/min (…) over 23 min, …"
    QString nextStep; // "capture two goroutine dumps …"
    QString rate; // growth: "+41/min", "+1.2 MiB/min"; empty otherwise

    FindingKey key() const { return {service, kind, remark}; }
    bool operator==(const Finding &) const = default;
};

// A finding raised, changed (severity or ETA band) or cleared at tsMs.
struct FindingChange {
    enum class Type { Raised, Updated, Cleared };
    Type type = Type::Raised;
    qint64 tsMs = 0;
    Finding finding;

    bool operator==(const FindingChange &) const = default;
};
QString changeTypeName(FindingChange::Type type); // "raised", "updated", "cleared"
std::optional<FindingChange::Type> changeTypeFromName(const QString &name);

} // namespace gotriage::analysis
