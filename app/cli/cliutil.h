#pragma once

#include "config/fleetconfig.h"
#include "formats/parseproblem.h"
#include "record/recordingfile.h"
#include "sim/demofleet.h"

#include <QCommandLineParser>
#include <QString>

#include <optional>
#include <string>

namespace gotriage::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitUsage = 2;

// Parses `arguments` without QCommandLineParser::process(), which would exit
// with status 1; usage errors here are status 2. Returns the exit code to
// stop with, or nullopt to go on.
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, int minPositional,
                                    int maxPositional);

// Reads a whole file ("-" is standard input). On failure prints
// "gotriage-cli: PATH: reason" and returns nullopt.
std::optional<std::string> readInput(const QString &path);

// Prints each problem as "SOURCE:LINE:COL: message" on stderr. Returns true
// when any of them rejected input (an error rather than a warning).
bool printProblems(const QString &source, const formats::ProblemList &problems);

// --config FILE | --demo [--services N], shared by the commands that watch a fleet.
void addFleetOptions(QCommandLineParser &parser);
// Fills `services` from the fleet file or a demo fleet it starts; prints
// config problems (exitCode becomes 1 if a service was rejected). Returns an
// exit code to stop with, or nullopt.
std::optional<int> loadFleet(const QCommandLineParser &parser, sim::DemoFleetThread &demoFleet,
                             std::vector<config::ServiceConfig> &services, int &exitCode);

// Opens the recording at `path`, or prints why not ("gotriage-cli: FILE: why").
bool openRecording(record::RecordingReader &reader, const QString &path);
// A moment as the operator writes it: ms since the epoch, an ISO 8601 time
// ("2026-12-02T14:05:00Z"), or seconds after `startMs` ("+300") or before
// `endMs` ("-60").
std::optional<qint64> momentOf(const QString &text, qint64 startMs, qint64 endMs);
void printOut(const std::string &line);
void printErr(const QString &line);

} // namespace gotriage::cli
