#pragma once

#include "ingest/sourceupdate.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::ingest {

// One update as one line of JSON: what `gotriage-cli scrape --json` prints
// and the replay source reads back. The fields:
//   service, ts_ms, up, error, duration_ms, bytes, vitals {name: number|null},
//   vars_age_ms, restarted, runtime {go_version, gomaxprocs, gogc_percent,
//   gomemlimit_bytes, start_time_s}, problems [...]
// Parsed payloads and health are not written: a replay rebuilds health from
// the sequence of updates.
std::string toJsonLine(const SourceUpdate &update);
std::optional<SourceUpdate> updateFromJsonLine(std::string_view line, QString *error = nullptr);

// A whole capture, oldest first per service. A line that cannot be read is
// skipped and named in `problems` ("FILE:LINE: why"); the rest is kept.
struct UpdateLog {
    std::vector<SourceUpdate> updates;
    QStringList problems;
};
// nullopt when the file cannot be read at all (`error` says why).
std::optional<UpdateLog> readUpdateLog(const QString &path, QString *error = nullptr);

} // namespace gotriage::ingest
