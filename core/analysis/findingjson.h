#pragma once

#include "analysis/finding.h"

#include <QString>

#include <optional>
#include <string>
#include <string_view>

namespace gotriage::analysis {

struct Projection;

// Findings, their changes and projections as one-line JSON objects, and
// back: what `gotriage-cli analyze --json` prints, and what a recording or
// a replay reads. Reading checks every field's type; what does not fit is
// an error naming the field, never a guess. Non-finite numbers (a time to
// limit that is never) are written as the string "inf".
std::string toJson(const Finding &finding);
std::string toJson(const FindingChange &change);
std::string toJson(const Projection &projection);

std::optional<Finding> findingFromJson(std::string_view text, QString *error = nullptr);
std::optional<FindingChange> findingChangeFromJson(std::string_view text, QString *error = nullptr);
std::optional<Projection> projectionFromJson(std::string_view text, QString *error = nullptr);

} // namespace gotriage::analysis
