#pragma once

#include <QStringList>

// Each command takes its own arguments (the command name first) and returns
// the process exit code: 0 clean, 1 input rejected in part, 2 usage or I/O.
namespace gotriage::cli {

int parseMetricsCommand(const QStringList &arguments);
int parseVarsCommand(const QStringList &arguments);
int benchCommand(const QStringList &arguments);
int scrapeCommand(const QStringList &arguments);
int demoFleetCommand(const QStringList &arguments);
int analyzeCommand(const QStringList &arguments);
int profileCommand(const QStringList &arguments);
int goroutinesCommand(const QStringList &arguments);
int captureCommand(const QStringList &arguments);
int actionCommand(const QStringList &arguments);
int secretCommand(const QStringList &arguments);
int recordCommand(const QStringList &arguments);
int recordingCommand(const QStringList &arguments);
int replayCommand(const QStringList &arguments);
int exportCommand(const QStringList &arguments);
int importCommand(const QStringList &arguments);
int discoverCommand(const QStringList &arguments);
int reportCommand(const QStringList &arguments); // needs a QApplication (it draws charts)

} // namespace gotriage::cli
