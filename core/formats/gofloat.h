#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gotriage::formats {

// Parses a number the way Go's strconv.ParseFloat accepts it in expositions:
// decimal or exponent form with an optional sign, and the case-insensitive
// words "inf", "infinity" and "nan" (what client_golang and OpenMetrics write).
// Returns nullopt for anything else, including trailing garbage.
std::optional<double> parseGoFloat(std::string_view text);

// Formats like Go's strconv.FormatFloat(v, 'g', -1, 64), with "+Inf", "-Inf"
// and "NaN" for non-finite values. This is the one form that `le` and
// `quantile` label values are normalised to, so that text ("1") and
// OpenMetrics ("1.0") name the same bucket the same way.
std::string formatGoFloat(double value);

// Writes formatGoFloat(value) into out (at least 32 bytes); returns the length.
std::size_t formatGoFloat(double value, char *out);

} // namespace gotriage::formats
