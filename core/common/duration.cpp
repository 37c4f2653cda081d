#include "duration.h"

#include <cmath>

namespace gotriage {

QString formatSpan(double seconds)
{
    if (!std::isfinite(seconds))
        return QStringLiteral("never");
    if (seconds < 90)
        return QStringLiteral("%1 s").arg(std::llround(seconds));
    const auto minutes = std::llround(seconds / 60);
    if (minutes < 60)
        return QStringLiteral("%1 min").arg(minutes);
    if (minutes < 48 * 60)
        return QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
    return QStringLiteral("%1 days").arg(minutes / (24 * 60));
}

} // namespace gotriage
