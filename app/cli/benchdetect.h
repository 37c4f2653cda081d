#pragma once

namespace gotriage::cli {

// The detection accuracy harness over the synthetic labelled corpus.
int benchDetect(int seeds);
// CPU cost of analysing `services` services fed once a second.
int benchAnalysisCost(int services, int seconds);

} // namespace gotriage::cli
