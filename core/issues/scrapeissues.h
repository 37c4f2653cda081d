#pragma once

#include "issues/issuesmodel.h"

#include <QStringList>

namespace gotriage::ingest {
struct SourceUpdate;
}

namespace gotriage::issues {

// Maps what one update found to Issues rows, the same for the window and the
// CLI: the scrape's error, endpoint problems, notes said once (an optional
// endpoint not exposed), a request counter or histogram that cannot be used,
// certificate checks that are off, skipped scrapes. Returns the lines that
// are news ("service: what"), for a log that prints each problem once.
QStringList applyScrapeReport(IssuesModel &issues, const ingest::SourceUpdate &report, qint64 nowMs);

} // namespace gotriage::issues
