#include "findingtext.h"

#include "common/duration.h"

#include <cmath>

namespace gotriage::analysis {

using vitals::Vital;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

QString number(double v)
{
    const double a = std::fabs(v);
    return QString::number(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

QString amount(std::optional<Vital> vital, double value)
{
    const auto unit = vital ? vitals::kVitals[vitals::index(*vital)].unit : vitals::VitalUnit::Count;
    if (unit == vitals::VitalUnit::Bytes)
        return number(value / kMiB) + QStringLiteral(" MiB");
    if (unit == vitals::VitalUnit::Cores)
        return number(value) + QStringLiteral(" cores");
    return number(value);
}

QString signalName(std::optional<Vital> vital)
{
    if (!vital)
        return QStringLiteral("signal");
    switch (*vital) {
    case Vital::HeapLive:
    case Vital::HeapInuse:
        return QStringLiteral("heap after GC");
    case Vital::Rss:
        return QStringLiteral("RSS");
    default:
        return QString::fromLatin1(vitals::vitalName(*vital).data(),
                                   static_cast<qsizetype>(vitals::vitalName(*vital).size()));
    }
}

QString span(std::optional<double> seconds)
{
    return formatSpan(seconds.value_or(0));
}

QString countWord(int n)
{
    switch (n) {
    case 1:
        return QStringLiteral("a");
    case 2:
        return QStringLiteral("two");
    case 3:
        return QStringLiteral("three");
    default:
        return QString::number(n);
    }
}

QString apart(double seconds)
{
    if (seconds >= 120)
        return QStringLiteral("minutes apart");
    if (seconds >= 60)
        return QStringLiteral("a minute apart");
    return formatSpan(seconds) + QStringLiteral(" apart");
}

QString growthEvidence(const Finding &f)
{
    const double perMinute = f.ratePerSecond.value_or(0) * 60;
    // The numbers of the test that found it: a rise after a flat stretch is
    // told as such ("for 4 min, flat before"), with its slope's t; a trend
    // over the window with its Mann–Kendall z, or its slope's t when that
    // test passed.
    QString text
        = QStringLiteral("%1 %2%3/min (%4 %/min) %5, 95 % CI %6–%7/min, %8; now %9")
              .arg(signalName(f.signal), perMinute >= 0 ? QStringLiteral("+") : QString(), amount(f.signal, perMinute))
              .arg(number(f.relativeRatePerMinute.value_or(0) * 100),
                   f.flatBefore ? QStringLiteral("for %1, flat before").arg(span(f.windowSeconds))
                                : QStringLiteral("over %1").arg(span(f.windowSeconds)))
              .arg(amount(f.signal, f.rateLowPerSecond.value_or(0) * 60),
                   amount(f.signal, f.rateHighPerSecond.value_or(0) * 60))
              .arg(f.statistic == Statistic::SlopeT
                       ? QStringLiteral("slope t %1").arg(number(f.statisticValue.value_or(0)))
                       : QStringLiteral("Mann–Kendall z %1").arg(number(f.statisticValue.value_or(0))),
                   amount(f.signal, f.level.value_or(0)));
    if (f.etaSeconds && f.limit) {
        text += QStringLiteral("; limit %1 reached in %2 (%3–%4)")
                    .arg(amount(f.signal, *f.limit), formatSpan(*f.etaSeconds),
                         formatSpan(f.etaLowSeconds.value_or(*f.etaSeconds)),
                         formatSpan(f.etaHighSeconds.value_or(*f.etaSeconds)));
    }
    return text;
}

QString configEvidence(const Finding &f)
{
    switch (f.remark) {
    case ConfigRemark::UnsupportedGo:
        return QStringLiteral("built with %1, which no longer gets security fixes (supported: go1.%2 and newer)")
            .arg(f.detail)
            .arg(f.limit.value_or(0));
    case ConfigRemark::GomaxprocsOverQuota:
        return QStringLiteral("GOMAXPROCS %1 exceeds the CPU quota of %2 cores: the scheduler will be throttled")
            .arg(number(f.level.value_or(0)), number(f.limit.value_or(0)));
    case ConfigRemark::MemoryLimitUnset: {
        const double rss = f.level.value_or(0);
        const double limit = f.limit.value_or(0);
        return QStringLiteral("RSS %1 MiB is %2 % of the %3 MiB memory limit and GOMEMLIMIT is not set")
            .arg(number(rss / kMiB), number(limit > 0 ? 100 * rss / limit : 0), number(limit / kMiB));
    }
    case ConfigRemark::None:
        break;
    }
    return f.detail;
}

} // namespace

QString evidenceText(const Finding &f)
{
    switch (f.kind) {
    case FindingKind::GoroutineLeak:
    case FindingKind::MemoryBlackHole:
        return growthEvidence(f);
    case FindingKind::Stale:
        return f.ageSeconds ? QStringLiteral("no fresh data for %1: %2").arg(formatSpan(*f.ageSeconds), f.detail)
                            : QStringLiteral("never scraped successfully: %1").arg(f.detail);
    case FindingKind::GcFrenzy: {
        QString text
            = QStringLiteral("%1 GC cycles/s over the last %2").arg(number(f.level.value_or(0)), span(f.windowSeconds));
        if (f.gcCpuShare)
            text += QStringLiteral(", %1 % of CPU in GC").arg(number(*f.gcCpuShare * 100));
        if (f.allocRate)
            text += QStringLiteral(", allocating %1 MiB/s").arg(number(*f.allocRate / kMiB));
        return text;
    }
    case FindingKind::CpuSaturation:
        if (f.requestRelativeRatePerMinute) {
            return QStringLiteral("CPU %1 %/min over %2 while requests change %3 %/min: ineffective consumption")
                .arg(number(f.relativeRatePerMinute.value_or(0) * 100), span(f.windowSeconds),
                     number(*f.requestRelativeRatePerMinute * 100));
        }
        return QStringLiteral("CPU %1 of %2 cores (%3 %) over the last %4")
            .arg(number(f.level.value_or(0)), number(f.limit.value_or(0)),
                 number(f.limit.value_or(0) > 0 ? 100 * f.level.value_or(0) / *f.limit : 0), span(f.windowSeconds));
    case FindingKind::Config:
        return configEvidence(f);
    }
    return {};
}

QString nextStepText(const NextStep &s)
{
    using Action = NextStep::Action;
    switch (s.action) {
    case Action::None:
        return {};
    case Action::CheckReachability:
        return QStringLiteral("check that the service is up and reachable from here");
    case Action::CaptureGoroutines:
        if (s.syscallsOrIo)
            return QStringLiteral("capture %1 goroutine dump%2 and look for goroutines stuck in syscalls or I/O")
                .arg(countWord(s.count), s.count == 1 ? QString() : QStringLiteral("s"));
        return QStringLiteral("capture %1 goroutine dumps (debug=%2) %3 and compare the growing stacks")
            .arg(countWord(s.count))
            .arg(s.debugLevel)
            .arg(apart(s.spacingSeconds));
    case Action::CaptureHeapProfiles:
        return QStringLiteral("capture %1 heap profiles (inuse_space) %2 and compare them")
            .arg(countWord(s.count), apart(s.spacingSeconds));
    case Action::CaptureAllocsProfile:
        return QStringLiteral("capture an allocs profile (alloc_space) and review GOGC / GOMEMLIMIT");
    case Action::CaptureCpuProfile: {
        QString text = QStringLiteral("capture a %1 CPU profile").arg(formatSpan(s.durationSeconds));
        if (s.compareWithBaseline)
            text += QStringLiteral(" and compare it with one from before the rise");
        if (s.thenContention)
            text += QStringLiteral(", then the mutex and block profiles");
        return text;
    }
    case Action::ChangeConfig:
        if (s.setting == QLatin1String("GOMAXPROCS"))
            return QStringLiteral("set GOMAXPROCS to the quota (or use automaxprocs)");
        if (s.setting == QLatin1String("GOMEMLIMIT"))
            return QStringLiteral(
                "set GOMEMLIMIT below the container limit so the GC works harder before the OOM killer does");
        return QStringLiteral("rebuild with a supported Go release");
    }
    return {};
}

QString rateText(const Finding &f)
{
    if ((f.kind != FindingKind::GoroutineLeak && f.kind != FindingKind::MemoryBlackHole) || !f.ratePerSecond)
        return {};
    return QStringLiteral("+%1/min").arg(amount(f.signal, *f.ratePerSecond * 60));
}

void describe(Finding &f)
{
    f.evidence = evidenceText(f);
    f.nextStep = nextStepText(f.next);
    f.rate = rateText(f);
}

} // namespace gotriage::analysis
