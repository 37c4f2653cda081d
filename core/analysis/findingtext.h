#pragma once

#include "analysis/finding.h"

namespace gotriage::analysis {

// The one place that turns a finding's numbers into words: the window, the
// CLI and the JSON all show what these return.
QString evidenceText(const Finding &finding);
QString nextStepText(const NextStep &step);
QString rateText(const Finding &finding); // "+41/min" for growth; empty otherwise

// Fills evidence, nextStep and rate from the fields.
void describe(Finding &finding);

} // namespace gotriage::analysis
