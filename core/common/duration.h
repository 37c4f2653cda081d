#pragma once

#include <QString>

namespace gotriage {

// A span of time the way an operator reads it: "45 s", "33 min",
// "1 h 52 min", "3 days"; "never" for an infinite one.
QString formatSpan(double seconds);

} // namespace gotriage
