#include "finding.h"

namespace gotriage::analysis {

QString kindName(FindingKind kind)
{
    switch (kind) {
    case FindingKind::GoroutineLeak:
        return QStringLiteral("goroutine_leak");
    case FindingKind::MemoryBlackHole:
        return QStringLiteral("memory_black_hole");
    case FindingKind::GcFrenzy:
        return QStringLiteral("gc_frenzy");
    case FindingKind::CpuSaturation:
        return QStringLiteral("cpu_saturation");
    case FindingKind::Stale:
        return QStringLiteral("stale");
    case FindingKind::Config:
        return QStringLiteral("config");
    }
    return {};
}

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

bool isBattlefield(FindingKind kind)
{
    return kind == FindingKind::GoroutineLeak || kind == FindingKind::MemoryBlackHole || kind == FindingKind::GcFrenzy
        || kind == FindingKind::CpuSaturation;
}

} // namespace gotriage::analysis
