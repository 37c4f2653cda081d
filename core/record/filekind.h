#pragma once

#include <QString>

namespace gotriage::record {

// What a file the user opened is, told by its content rather than its name
// (a recording mailed as "incident.db", a profile saved without .pb.gz).
enum class FileKind {
    Recording, // a gotriage recording (SQLite with gotriage's meta table)
    Profile, // a pprof profile: gzipped, or raw protobuf
    GoroutineDump, // /debug/pprof/goroutine?debug=2 text
    UpdateLog, // `gotriage-cli scrape --json` lines
    FleetFile, // YAML or JSON with services (or anything else textual: the fleet parser names what is wrong)
    Unknown, // unreadable, empty or binary of another kind
};

// Reads at most the file's first few KiB. `error` names the file when it cannot be read.
FileKind sniffFile(const QString &path, QString *error = nullptr);
QString fileKindName(FileKind kind); // "recording", "profile", ...

} // namespace gotriage::record
