#pragma once

#include <QString>

namespace gotriage::ingest {

struct FetchResult;

// What to check when a request failed, in the fleet file's own words
// ("check `tls_config` …"), for the endpoint `pathKey` ("metrics", "vars",
// "pprof"). Empty when there is nothing better to say than the error itself.
QString hintFor(const FetchResult &result, const QString &pathKey);

// Whether a body that should be metrics or JSON is an HTML page (a login
// page, a proxy's error page, a web UI's index).
bool looksLikeHtml(const QByteArray &contentType, const QByteArray &body);

} // namespace gotriage::ingest
