#pragma once

#include "config/fleetconfig.h"

#include <QList>
#include <QNetworkRequest>
#include <QPair>
#include <QSslConfiguration>
#include <QStringList>

namespace gotriage::ingest {

// What a service's TLS and authentication settings add to each request,
// resolved once from the files and environment they name. Reads files: call
// it off the GUI thread. Secrets live only in `headers` and are never logged.
struct RequestSettings {
    QList<QPair<QByteArray, QByteArray>> headers;
    bool hasTls = false;
    QSslConfiguration tls;
    QString peerVerifyName;
    QStringList errors; // a setting that could not be honoured: the service is not scraped
    QStringList warnings; // e.g. certificate verification is off

    // A request to `url` with these settings; credentials only go to `owner`'s host.
    QNetworkRequest request(const QUrl &url, const QUrl &owner) const;
};

RequestSettings resolveRequestSettings(const config::ServiceConfig &service);

} // namespace gotriage::ingest
