#pragma once

#include "record/recordingfile.h"

#include <QIODevice>
#include <QString>

namespace gotriage::record {

// A recording's samples over [fromMs, toMs], written out for other tools.
//
// OpenMetrics text, as `promtool tsdb create-blocks-from openmetrics`
// takes it: one gauge family per recorded series (gotriage_<vital>, e.g.
// gotriage_goroutines, gotriage_scrape_up), each family's samples together,
// labelled service="…" (and tier), each series in time order, timestamps in
// seconds, unknown values left out, ending with "# EOF".
//
// CSV: a header (ts_ms, service, then the series), one row per sample,
// service by service, unknown values empty.
//
// Both read the file a slice at a time (memory stays flat over a day's
// recording). false with `error` naming the file or the output.
struct ExportStats {
    qint64 samples = 0; // rows (CSV) or values (OpenMetrics) written
    qint64 bytes = 0;
};
bool exportOpenMetrics(const RecordingReader &reader, qint64 fromMs, qint64 toMs, QIODevice &out, ExportStats *stats,
                       QString *error);
bool exportCsv(const RecordingReader &reader, qint64 fromMs, qint64 toMs, QIODevice &out, ExportStats *stats,
               QString *error);

// The captures taken over [fromMs, toMs], one file each in `dir` (made if
// need be): a profile as the .pb.gz Go served (`go tool pprof` opens it), a
// goroutine dump as .txt. Named service-kind-time (UTC), never replacing a
// file. `written` gets their paths; a damaged capture is named in `error`
// and skipped, the rest still written.
bool exportCaptures(const RecordingReader &reader, qint64 fromMs, qint64 toMs, const QString &dir, QStringList *written,
                    ExportStats *stats, QString *error);
// Where a capture goes in `dir`: "checkout-api-cpu-20261202T140500Z.pb.gz".
QString captureFileName(const StoredBlob &capture);

// "goroutines" → "gotriage_goroutines"; anything outside [a-zA-Z0-9_] becomes '_'.
QString openMetricsName(const QString &series);

} // namespace gotriage::record
