#pragma once

#include <QString>

#include <optional>

namespace gotriage::analysis {

// What analysis concluded about a service. The four battlefields, `stale`,
// and low-severity `config` remarks about the runtime settings.
enum class FindingKind { GoroutineLeak, MemoryBlackHole, GcFrenzy, CpuSaturation, Stale, Config };
enum class Severity { Info, Warning, Critical };

QString kindName(FindingKind kind); // "goroutine_leak", ...
QString severityName(Severity severity); // "info", "warning", "critical"
bool isBattlefield(FindingKind kind);

struct Finding {
    QString service;
    FindingKind kind = FindingKind::Stale;
    Severity severity = Severity::Warning;
    QString evidence; // numbers: "goroutines +41/min for 23 min, …"
    QString nextStep; // "capture a goroutine dump (debug=2) …"
    QString rate; // for growth: "+41/min", "+1.2 MiB/min"; empty otherwise
    std::optional<double> etaSeconds; // time until a limit, when projected
    std::optional<double> etaLowSeconds; // 95 % band
    std::optional<double> etaHighSeconds;
    qint64 sinceMs = 0;
};

// A finding raised, changed (severity or ETA band) or cleared at tsMs.
struct FindingChange {
    enum class Type { Raised, Updated, Cleared };
    Type type = Type::Raised;
    qint64 tsMs = 0;
    Finding finding;
};

} // namespace gotriage::analysis
