#include "vitalformat.h"

#include "common/duration.h"

#include <cmath>

namespace gotriage::ui {

namespace {

QString number(double value)
{
    const double magnitude = std::fabs(value);
    const int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
    return QString::number(value, 'f', decimals);
}

} // namespace

QString formatBytes(double bytes)
{
    static const char *const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (std::fabs(bytes) >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    return number(bytes) + QLatin1Char(' ') + QLatin1String(kUnits[unit]);
}

QString formatDuration(double seconds)
{
    if (seconds < 1e-3)
        return number(seconds * 1e6) + QStringLiteral(" µs");
    if (seconds < 1)
        return number(seconds * 1e3) + QStringLiteral(" ms");
    return number(seconds) + QStringLiteral(" s");
}

QString formatAge(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("never");
    if (seconds < 60)
        return QString::number(seconds, 'f', seconds < 10 ? 1 : 0) + QStringLiteral(" s ago");
    if (seconds < 3600)
        return QString::number(std::floor(seconds / 60)) + QStringLiteral(" min ago");
    return QString::number(std::floor(seconds / 3600)) + QStringLiteral(" h ago");
}

QString formatEta(double seconds)
{
    return formatSpan(seconds);
}

QString formatVital(vitals::Vital vital, double value)
{
    if (!vitals::isKnown(value))
        return QStringLiteral("—");
    // Rare events read better as an interval: "1 per 40 s", not "0.03/s".
    if (vital == vitals::Vital::GcRate && value > 0 && value < 0.5) {
        const double every = 1.0 / value;
        return every < 120 ? QStringLiteral("1 per %1 s").arg(std::llround(every))
                           : QStringLiteral("1 per %1 min").arg(std::llround(every / 60));
    }
    switch (vitals::kVitals[vitals::index(vital)].unit) {
    case vitals::VitalUnit::Cores:
        return number(value) + (value == 1.0 ? QStringLiteral(" core") : QStringLiteral(" cores"));
    case vitals::VitalUnit::Bytes:
        return formatBytes(value);
    case vitals::VitalUnit::BytesPerSecond:
        return formatBytes(value) + QStringLiteral("/s");
    case vitals::VitalUnit::PerSecond:
        return number(value) + QStringLiteral("/s");
    case vitals::VitalUnit::Seconds:
        return formatDuration(value);
    case vitals::VitalUnit::Count:
        return QString::number(std::llround(value));
    case vitals::VitalUnit::Fraction:
        return number(value * 100) + QStringLiteral(" %");
    }
    return number(value);
}

QString formatVitalCompact(vitals::Vital vital, double value)
{
    // The column header names the unit ("CPU cores").
    if (vitals::isKnown(value) && vitals::kVitals[vitals::index(vital)].unit == vitals::VitalUnit::Cores)
        return number(value);
    return formatVital(vital, value);
}

QString formatSampleValue(std::int64_t value, const std::string &unit)
{
    if (unit == "nanoseconds")
        return formatDuration(static_cast<double>(value) / 1e9);
    if (unit == "bytes")
        return formatBytes(static_cast<double>(value));
    return QString::number(value);
}

} // namespace gotriage::ui
