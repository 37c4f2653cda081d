#pragma once

#include "config/fleetconfig.h"

#include <QByteArray>
#include <QRegularExpression>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

// Services from a Prometheus-compatible server's targets (/api/v1/targets):
// the fleet the server scrapes, and where each target serves its own
// /debug/pprof. Where the server runs Kubernetes service discovery, this is
// how gotriage inherits it.
namespace gotriage::ingest {

struct PromTarget {
    QString job;
    QString instance;
    QUrl scrapeUrl; // as the server scrapes it: scheme, address, metrics path
    std::vector<std::pair<QString, QString>> labels; // after relabelling, sorted by key
    QString health; // "up", "down" or "unknown"
    QString lastError;
    std::chrono::milliseconds scrapeInterval{0}; // 0: the server did not say
};

// /api/v1/targets?state=active under `server` (a path prefix is kept).
QUrl targetsUrl(const QUrl &server);

// The active targets of an /api/v1/targets answer, or nullopt with `error`
// saying why: the server's own error, or a body that is not that JSON. A
// target without a scrape URL is skipped and counted in `skipped`.
std::optional<std::vector<PromTarget>> parseTargets(const QByteArray &body, QString *error, int *skipped = nullptr);

// A Prometheus duration ("15s", "1m30s", "250ms"); nullopt when it is not one.
std::optional<std::chrono::milliseconds> parsePromDuration(const QString &text);

// PromQL label matchers without the braces, as a selector writes them:
// `job=~"checkout.*",env="prod",team!="",zone!~"eu-.*"`. Regular
// expressions are anchored at both ends, as PromQL's are.
struct LabelMatcher {
    enum class Op { Equal, NotEqual, Match, NotMatch };
    QString name;
    Op op = Op::Equal;
    QString value;
    QRegularExpression regex; // for Match and NotMatch

    bool matches(const QString &labelValue) const;
};
// nullopt with `error` naming the column and why.
std::optional<std::vector<LabelMatcher>> parseLabelMatchers(const QString &text, QString *error);
// Every matcher holds for the target's labels (a missing label is "").
bool matchesAll(const std::vector<LabelMatcher> &matchers, const PromTarget &target);

// The targets as services gotriage watches. A service is named by its job,
// or job/instance when the job has several targets (or no job: the
// instance). Its base URL is the scrape URL's scheme and address, where
// net/http/pprof is served beside /metrics; its metrics path and labels are
// the target's; its interval is the server's for that target (at least 1 s).
std::vector<config::ServiceConfig> servicesFromTargets(const std::vector<PromTarget> &targets);

} // namespace gotriage::ingest
