#pragma once

#include "signals/vital.h"

#include <QString>

#include <cstdint>
#include <string>

namespace gotriage::ui {

// Human-readable value of a vital in its unit ("1.25 cores", "512 MiB",
// "3.2/s", "250 µs"); an unknown value reads "—", never "0".
QString formatVital(vitals::Vital vital, double value);
// For a table cell whose header carries the unit: "0.02" under "CPU cores".
QString formatVitalCompact(vitals::Vital vital, double value);
QString formatBytes(double bytes);
// A profile's value in its sample type's unit: "1.25 s", "12.5 MiB", "340".
QString formatSampleValue(std::int64_t value, const std::string &unit);
QString formatDuration(double seconds);
// "0.4 s ago", "3 min ago", "never"
QString formatAge(double seconds);
// A time ahead: "45 s", "33 min", "1 h 52 min", "3 days"
QString formatEta(double seconds);

} // namespace gotriage::ui
