#pragma once

namespace gotriage::cli {

// Records `services` synthetic services at 1 s, as fast as the recorder
// takes them, into a temporary file: samples written per second (encode,
// SQLite, commits), bytes on disk per sample, and the codec alone.
int benchRecord(int services, double seconds);

} // namespace gotriage::cli
