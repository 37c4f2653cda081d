#include "finding.h"

#include <array>
#include <utility>

namespace gotriage::analysis {

namespace {

template<typename Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<std::pair<Enum, const char *>, N> &names, const QString &name)
{
    for (const auto &[value, text] : names) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

template<typename Enum, std::size_t N>
QString toName(const std::array<std::pair<Enum, const char *>, N> &names, Enum value)
{
    for (const auto &[v, text] : names) {
        if (v == value)
            return QString::fromLatin1(text);
    }
    return {};
}

constexpr std::array<std::pair<FindingKind, const char *>, 6> kKinds{{
    {FindingKind::GoroutineLeak, "goroutine_leak"},
    {FindingKind::MemoryBlackHole, "memory_black_hole"},
    {FindingKind::GcFrenzy, "gc_frenzy"},
    {FindingKind::CpuSaturation, "cpu_saturation"},
    {FindingKind::Stale, "stale"},
    {FindingKind::Config, "config"},
}};
constexpr std::array<std::pair<Severity, const char *>, 3> kSeverities{{
    {Severity::Info, "info"},
    {Severity::Warning, "warning"},
    {Severity::Critical, "critical"},
}};
constexpr std::array<std::pair<ConfigRemark, const char *>, 4> kRemarks{{
    {ConfigRemark::None, "none"},
    {ConfigRemark::UnsupportedGo, "unsupported_go"},
    {ConfigRemark::GomaxprocsOverQuota, "gomaxprocs_over_quota"},
    {ConfigRemark::MemoryLimitUnset, "memory_limit_unset"},
}};
constexpr std::array<std::pair<Statistic, const char *>, 3> kStatistics{{
    {Statistic::None, "none"},
    {Statistic::MannKendallZ, "mann_kendall_z"},
    {Statistic::SlopeT, "slope_t"},
}};
constexpr std::array<std::pair<NextStep::Action, const char *>, 7> kActions{{
    {NextStep::Action::None, "none"},
    {NextStep::Action::CheckReachability, "check_reachability"},
    {NextStep::Action::CaptureGoroutines, "capture_goroutines"},
    {NextStep::Action::CaptureHeapProfiles, "capture_heap_profiles"},
    {NextStep::Action::CaptureAllocsProfile, "capture_allocs_profile"},
    {NextStep::Action::CaptureCpuProfile, "capture_cpu_profile"},
    {NextStep::Action::ChangeConfig, "change_config"},
}};
constexpr std::array<std::pair<FindingChange::Type, const char *>, 3> kChangeTypes{{
    {FindingChange::Type::Raised, "raised"},
    {FindingChange::Type::Updated, "updated"},
    {FindingChange::Type::Cleared, "cleared"},
}};

} // namespace

QString kindName(FindingKind kind)
{
    return toName(kKinds, kind);
}

QString severityName(Severity severity)
{
    return toName(kSeverities, severity);
}

QString remarkName(ConfigRemark remark)
{
    return toName(kRemarks, remark);
}

QString statisticName(Statistic statistic)
{
    return toName(kStatistics, statistic);
}

QString actionName(NextStep::Action action)
{
    return toName(kActions, action);
}

QString changeTypeName(FindingChange::Type type)
{
    return toName(kChangeTypes, type);
}

std::optional<FindingKind> kindFromName(const QString &name)
{
    return fromName(kKinds, name);
}

std::optional<Severity> severityFromName(const QString &name)
{
    return fromName(kSeverities, name);
}

std::optional<ConfigRemark> remarkFromName(const QString &name)
{
    return fromName(kRemarks, name);
}

std::optional<Statistic> statisticFromName(const QString &name)
{
    return fromName(kStatistics, name);
}

std::optional<NextStep::Action> actionFromName(const QString &name)
{
    return fromName(kActions, name);
}

std::optional<FindingChange::Type> changeTypeFromName(const QString &name)
{
    return fromName(kChangeTypes, name);
}

bool isBattlefield(FindingKind kind)
{
    return kind == FindingKind::GoroutineLeak || kind == FindingKind::MemoryBlackHole || kind == FindingKind::GcFrenzy
        || kind == FindingKind::CpuSaturation;
}

QString FindingKey::toString() const
{
    QString text = service + QLatin1Char('/') + kindName(kind);
    if (remark != ConfigRemark::None)
        text += QLatin1Char('/') + remarkName(remark);
    return text;
}

} // namespace gotriage::analysis
