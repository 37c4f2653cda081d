#pragma once

#include "signals/vital.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <map>
#include <optional>
#include <utility>
#include <vector>

// Reading vitals from a Prometheus-compatible server (Prometheus, Thanos,
// Mimir, VictoriaMetrics: the same HTTP API): the PromQL that gives each
// vital for every target at once, and the API's answers.
namespace gotriage::ingest {

// One batched query: a vital of every target the selector picks, each
// series labelled with the target's job and instance.
struct PromVitalQuery {
    QString column; // a vital's name, or "scrape_up" / "scrape_ms"
    QString promql;
};

// What the server is asked. `selector` is PromQL label matchers without the
// braces (`job=~"checkout.*",env="prod"`; empty: every target), `rateWindow`
// the range of rate() (`1m`: at least four of the server's scrapes). The
// names are client_golang's (process_*, go_*, go_memstats_*); the golden
// signals read any `*_requests_total` counter by its `code` label and any
// `*_request_duration_seconds` histogram, summed per target. What PromQL
// cannot give (the expvar-only pause ring, /proc's user and system split,
// the live heap) stays unknown.
std::vector<PromVitalQuery> prometheusVitalQueries(const QString &selector, const QString &rateWindow);

// /api/v1/query_range for one query over [fromMs, toMs] at `stepMs`.
QUrl queryRangeUrl(const QUrl &server, const QString &promql, qint64 fromMs, qint64 toMs, qint64 stepMs);
// /api/v1/query for one query evaluated at `atMs`: every target's current value.
QUrl instantQueryUrl(const QUrl &server, const QString &promql, qint64 atMs);
// The most points the server returns per series (Prometheus refuses more
// than 11 000): longer ranges are asked in pieces.
inline constexpr qint64 kMaxPointsPerQuery = 10'000;

// One series of a range query's answer.
struct PromSeries {
    std::map<QString, QString> labels;
    std::vector<std::pair<qint64, double>> points; // ms, value ("NaN", "+Inf" kept as such)
};

// A query_range answer (`{"status":"success","data":{"resultType":"matrix",
// "result":[...]}}`), or nullopt with `error` saying why: the server's own
// error (`"status":"error"`, a bad query), a body that is not that JSON.
std::optional<std::vector<PromSeries>> parseQueryRange(const QByteArray &body, QString *error);
// An instant query's answer (resultType "vector"): one point per series.
std::optional<std::vector<PromSeries>> parseInstantQuery(const QByteArray &body, QString *error);

} // namespace gotriage::ingest
