#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <utility>

namespace gotriage::cli {

// gotriage-cli bench scale: the GUI process (`gui`, offscreen) watching
// `services` demo services at a 1 s interval for `seconds`, with the demo
// fleet in processes of its own, so that the watcher is measured alone. Then,
// when `prometheus` is installed, Prometheus scraping the same targets at the
// same interval for as long, measured the same way (CPU over wall time of its
// process), so that the two are compared in one run on one machine. The last
// line is "scale: N services, <cpu> % of a core, stall max <ms> ms, p99 <ms> ms".
int benchScale(int services, double seconds, const QString &gui);
// --through-prometheus: the same demo fleet scraped by Prometheus every
// 15 s, and the GUI watching it through the server (--prometheus), reading
// every target's vitals every 15 s: the figures for fleets past direct
// scraping (10 000 targets). Needs `prometheus`.
int benchScaleThroughPrometheus(int services, double seconds, const QString &gui);
// CPU seconds (user + system) and RSS in MiB of a running process, from /proc.
std::optional<std::pair<double, double>> cpuAndRss(qint64 pid);

} // namespace gotriage::cli
