#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <nlohmann/json_fwd.hpp>

// What every answer of Prometheus' HTTP API shares: where its endpoints
// are under a server's URL, and the envelope around the data
// (`{"status":"success","data":...}` or `{"status":"error","error":...}`).
// For the ingest files that read the API; not for wide inclusion.
namespace gotriage::ingest::promapi {

// `server`/api/v1/`endpoint`, a path prefix kept (a server behind a proxy).
QUrl endpointUrl(const QUrl &server, const QString &endpoint);

// The string at `key` in a JSON object, or "".
QString text(const nlohmann::json &object, const char *key);

// The answer's `data` object, or null with `error` saying why: the server's
// own error, or a body that is not the API's JSON.
const nlohmann::json *dataOf(const nlohmann::json &answer, const QByteArray &body, QString *error);

} // namespace gotriage::ingest::promapi
