#pragma once

#include <QString>

namespace gotriage::cli {

// Decodes a pprof file back to back for `seconds`: MB/s of uncompressed
// protobuf, then the time of one decode plus top table (what opening a
// profile costs).
int benchProfile(const QString &path, double seconds);
// Parses and groups a goroutine dump back to back: goroutines per second and
// the time for the whole dump.
int benchGoroutines(const QString &path, double seconds);

} // namespace gotriage::cli
