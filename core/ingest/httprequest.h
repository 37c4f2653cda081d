#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QUrl>

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace gotriage::ingest {

// TLS for one request, named as in Prometheus' tls_config.
struct TlsOptions {
    QString caFile; // PEM, trusted beside the system CAs
    QString certFile; // client certificate (PEM)
    QString keyFile; // its unencrypted key (PEM)
    QString serverName; // the name to verify (and send as SNI) instead of the URL's host
    bool insecureSkipVerify = false;
};

// One bounded HTTP request, as the request executor runs it. Every bound is
// explicit: a connect timeout (until the response headers start), a total
// timeout, and a limit on the decoded body, enforced while reading.
struct HttpRequest {
    QUrl url;
    QByteArray method = "GET";
    QByteArray body; // for POST and PUT
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    // Sent only while the request stays on `origin`'s scheme, host and port:
    // credentials never leave the host they were configured for.
    std::vector<std::pair<QByteArray, QByteArray>> credentialHeaders;
    QUrl origin;
    TlsOptions tls;
    std::chrono::milliseconds connectTimeout{2000};
    // How long the response headers may take once asked for; unset: the
    // connect timeout. A profile or a big goroutine dump is computed before
    // its first byte is sent, so captures wait longer than scrapes.
    std::optional<std::chrono::milliseconds> headersTimeout;
    std::chrono::milliseconds totalTimeout{800};
    qint64 bodyLimit = 16 * 1024 * 1024;
    bool acceptGzip = true; // ask for gzip, and decode it ourselves (a cut stream is an error)
    int maxRedirects = 3; // followed only within `origin`
    // Link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10,
    // fd00:ec2::254) are refused, whatever name or redirect leads there,
    // unless the service's config allows them (allow_link_local).
    bool allowLinkLocal = false;
    // How the target fared lately. When every connection is busy, requests
    // wait in this order, and the doubtful ones never hold them all: a dead
    // fleet must not starve the live services of connections.
    enum class Standing : std::uint8_t {
        Proven, // answered its last attempt (and anything the operator asked for)
        Unknown, // never answered yet, or failed once
        Suspect, // failed twice or more in a row
    };
    Standing standing = Standing::Proven;
};

// Why a request failed, for the hints that say what to check.
enum class FetchFailure {
    None,
    Refused, // nothing listens there
    HostNotFound,
    ConnectTimeout, // no response headers within the connect timeout
    Timeout, // the total timeout ran out
    Tls, // handshake or certificate
    NotHttp, // something answers, but not in HTTP (an SSH or database port)
    CutShort, // the body ended early: reset, close, missing chunk, truncated gzip
    TooLarge,
    Redirect, // refused or too many
    HttpStatus, // an answer other than 200
    Congested, // waited for a free connection for most of its budget: not the target's doing
    Other,
};

struct FetchResult {
    QUrl url;
    bool ok = false;
    QString error; // "GET URL: what went wrong"; empty when ok
    FetchFailure failure = FetchFailure::None;
    int httpStatus = 0;
    QByteArray body; // decoded; also kept with an error status (HttpStatus)
    QByteArray contentType;
    qint64 durationMs = 0;
    qint64 wireBytes = 0; // as received, before decoding
};

} // namespace gotriage::ingest

Q_DECLARE_METATYPE(gotriage::ingest::FetchResult)
