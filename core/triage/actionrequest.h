#pragma once

#include "config/actioncatalog.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QUrl>

#include <optional>

namespace gotriage::triage {

// One HTTP request an action makes, rendered: what the preview shows, the
// runner sends and the audit log records (masked).
struct RenderedRequest {
    QByteArray method;
    QUrl url;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QJsonObject toJson() const; // for the preview and the audit log; mask before writing
    QString toText() const; // "POST http://…/admin/throttle {"rps": 25}"
};

// The variables' values: each override parsed and checked against its
// bounds, the rest at their defaults. nullopt with `error` naming the
// variable otherwise.
std::optional<QMap<QString, double>> resolveVariables(const config::ActionSpec &action,
                                                      const QMap<QString, QString> &overrides, QString *error);

// What an action does to one target, as requests. A variable is a number and
// lands only in the path, query or body; the host is the service's (http)
// or the action's endpoint, and a rendered URL that names another is refused.
struct ActionRequests {
    std::optional<RenderedRequest> read; // the value before (for restore and the preview)
    RenderedRequest write;
};
std::optional<ActionRequests> renderAction(const config::ActionSpec &action, const config::ServiceConfig &service,
                                           const QMap<QString, double> &values, QString *error);

// Sentinel replaces its whole rule list: once the rules are read, the write
// carries them with the action's rule set. Other kinds are left as they are.
void completeWrite(const config::ActionSpec &action, const config::ServiceConfig &service,
                   const QMap<QString, double> &values, const QByteArray &readBody, ActionRequests &requests);

// The current value in a read response ("25"), or nullopt when the store has
// none (a key not set yet); `error` when the response cannot be read.
std::optional<QString> parseReadValue(const config::ActionSpec &action, const QByteArray &body, int status,
                                      QString *error);

// The request that undoes the action: the value read before put back
// (Restore), the configured revert (Explicit). nullopt with `error` for
// Revert::None, or Restore without a value read.
std::optional<RenderedRequest> renderRevert(const config::ActionSpec &action, const config::ServiceConfig &service,
                                            const QMap<QString, double> &values, const std::optional<QString> &previous,
                                            bool previousKnown, const QByteArray &previousRaw, QString *error);

} // namespace gotriage::triage
