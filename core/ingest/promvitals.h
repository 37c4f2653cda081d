#pragma once

#include "ingest/promql.h"
#include "ingest/sourceupdate.h"

#include <QString>

#include <array>
#include <limits>
#include <map>

// The answers of the per-vital queries (promql.h), one query per vital for
// every target, put back together as each target's vitals at each time:
// what the Prometheus source delivers live and what an import replays.
namespace gotriage::ingest {

struct PromRow {
    PromRow() { vitals.fill(vitals::kUnknown); }
    std::array<double, vitals::kVitalCount> vitals;
    double up = std::numeric_limits<double>::quiet_NaN(); // the server's `up`: 1, 0, or NaN (not scraped then)
    double scrapeMs = std::numeric_limits<double>::quiet_NaN();
};

// Target key ("job\ninstance": how answers to different queries meet) →
// time (ms) → that target's row.
using PromRows = std::map<QString, std::map<qint64, PromRow>>;

QString promTargetKey(const std::map<QString, QString> &labels);

// Puts one query's answer into `rows`. `column` is the query's
// (PromVitalQuery::column); an unknown one changes nothing.
void addPromAnswer(PromRows &rows, const QString &column, const std::vector<PromSeries> &series);

// A row as the session takes it, for `service` at `tsMs`: up when the
// server's last scrape of it was, the error ratio derived as the direct
// scraper derives it. `health` is the target's, and takes this attempt.
// `failure`, when given, is why the server could not be asked: the target
// is not up, for that reason.
SourceUpdate promUpdate(const QString &service, qint64 tsMs, const PromRow &row, ServiceHealth &health,
                        const QString &failure = {});
// A row's vitals alone (history: only rows the server scraped are kept).
vitals::VitalsSample promVitals(qint64 tsMs, const PromRow &row);

} // namespace gotriage::ingest
