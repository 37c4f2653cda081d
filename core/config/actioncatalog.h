#pragma once

#include "config/fleetconfig.h"

#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>
#include <vector>

namespace gotriage::config {

// What an action talks to: the service's own admin endpoint, or a
// configuration store or proxy in front of it.
enum class ActionKind { Http, Etcd, Consul, Envoy, Sentinel, Webhook };
QString actionKindName(ActionKind kind); // "http", "etcd", "consul", "envoy", "sentinel", "webhook"
std::optional<ActionKind> actionKindFromName(const QString &name);

// A number the operator may set, within bounds (`rps`, `percent`).
struct ActionVariable {
    QString name;
    double defaultValue = 0;
    std::optional<double> min;
    std::optional<double> max;
};

// Which services an action applies to: all of these that are given.
struct ActionSelector {
    std::optional<Tier> tier;
    QStringList services;
    std::vector<std::pair<QString, QString>> labels;

    bool matches(const ServiceConfig &service) const;
};

// A configured action: a request template and its revert. Templates hold
// ${variables} (and ${service}); a variable is a number, never text, and is
// never placed in a URL's host: hosts come only from the fleet file (the
// service's url, or `endpoint`).
struct ActionSpec {
    QString name;
    QString description;
    ActionKind kind = ActionKind::Http;
    ActionSelector appliesTo;
    std::vector<ActionVariable> variables;

    // http: on the service (`path`, relative to its url); webhook: `endpoint`.
    QString method = QStringLiteral("POST");
    QString path;
    std::vector<std::pair<QString, QString>> headers;
    QString body;
    // http: read the current value before the change (GET `readPath`, the
    // JSON field `readField`), so that a revert can restore it.
    QString readPath;
    QString readField;

    // etcd, consul, envoy, sentinel: the store or proxy, and what is set.
    QUrl endpoint;
    QString key; // etcd/consul key; envoy runtime key; sentinel resource
    QString value; // the value written ("${rps}")

    enum class Revert { Restore, Explicit, None };
    Revert revert = Revert::Restore;
    QString revertBody; // http, Explicit: sent instead of `body`; others: the value

    // Verification: this vital should be at most this (a template) after.
    QString expectVital;
    QString expectAtMost;
    std::optional<std::chrono::seconds> ttl; // reverts by itself after this long

    // webhook: when it posts ("incident_opened", "action_sent").
    QStringList on;
    AuthSettings auth; // for `endpoint`

    const ActionVariable *variable(const QString &variableName) const;
};

// Reads the fleet file's "actions" list (the JSON text of the whole file);
// problems are named by their JSON path ($.actions[2].path).
struct ActionCatalog {
    std::vector<ActionSpec> actions;
    std::vector<ConfigProblem> problems;

    const ActionSpec *find(const QString &name) const;
    std::vector<const ActionSpec *> forService(const ServiceConfig &service) const;
};
ActionCatalog parseActionCatalog(std::string_view fleetText, const QString &sourceName);
ActionCatalog loadActionCatalog(const QString &path);

} // namespace gotriage::config
