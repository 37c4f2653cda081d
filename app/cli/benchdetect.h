#pragma once

#include <QStringList>

namespace gotriage::cli {

// The detection accuracy harness over the synthetic labelled corpus, plus
// series captured from the lab (JSON lines from `gotriage-cli scrape --json`).
// Exit status 1 when anything healthy raised a finding.
int benchDetect(int seeds, const QStringList &labFiles);
// CPU cost of analysing `services` services fed once a second.
int benchAnalysisCost(int services, int seconds);

} // namespace gotriage::cli
