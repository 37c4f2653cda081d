#pragma once

#include "config/fleetconfig.h"
#include "ingest/httprequest.h"

#include <QStringList>

namespace gotriage::ingest {

// What a service's TLS and authentication settings add to each request,
// resolved once from the files and environment they name. Reads files: call
// it off the GUI thread. Secrets live only in `headers` and are never logged.
struct RequestSettings {
    std::vector<std::pair<QByteArray, QByteArray>> credentialHeaders;
    TlsOptions tls;
    bool allowLinkLocal = false; // the service's allow_link_local
    QStringList errors; // a setting that could not be honoured: the service is not scraped
    QStringList warnings; // e.g. certificate verification is off

    // A GET of `url` with these settings; the executor sends the credentials
    // only while the request stays on `owner`'s scheme, host and port.
    HttpRequest request(const QUrl &url, const QUrl &owner) const;
};

RequestSettings resolveRequestSettings(const config::ServiceConfig &service);

} // namespace gotriage::ingest
