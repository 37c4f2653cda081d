#include "fetchhints.h"

#include "ingest/httprequest.h"

namespace gotriage::ingest {

QString hintFor(const FetchResult &result, const QString &pathKey)
{
    switch (result.failure) {
    case FetchFailure::Refused:
        return QStringLiteral("nothing listens there: is the service running, and is the port in `url` right?");
    case FetchFailure::HostNotFound:
        return QStringLiteral("the host in `url` does not resolve: check its spelling and DNS");
    case FetchFailure::ConnectTimeout:
        return QStringLiteral("the host did not answer: check that it is up and that no firewall drops the port");
    case FetchFailure::Timeout:
        return QStringLiteral("the service answers too slowly: it may be overloaded, or raise `timeout_s`");
    case FetchFailure::Tls:
        if (result.error.contains(QLatin1String("wrong version number")))
            return QStringLiteral("the port answers in plain HTTP, not TLS: use http:// in `url`, or the service's "
                                  "https port");
        return QStringLiteral("check `tls_config` (ca_file, server_name, cert_file) and that the service speaks "
                              "https");
    case FetchFailure::NotHttp:
        return QStringLiteral("something other than an HTTP server answers on that port: check the port in `url`");
    case FetchFailure::Congested:
        return QStringLiteral("many other targets are not answering and held every connection; this one was not "
                              "the cause, and is not backed off for it");
    case FetchFailure::CutShort:
        return QStringLiteral("the connection closed mid-response: the service may be crashing, or a proxy cuts "
                              "responses; nothing of it was used");
    case FetchFailure::TooLarge:
        return QStringLiteral("raise `body_limit_bytes` if the payload is meant to be this large");
    case FetchFailure::Redirect:
        return QStringLiteral("point `url` at the host that serves the endpoints itself");
    case FetchFailure::HttpStatus:
        if (result.httpStatus == 401 || result.httpStatus == 403)
            return QStringLiteral("check `authorization` or `basic_auth`");
        if (result.httpStatus == 404)
            return QStringLiteral("the service does not serve `paths.%1` there: check `paths.%1` and `url`")
                .arg(pathKey);
        if (result.httpStatus >= 500)
            return QStringLiteral("the service failed to produce it: its own logs say why");
        return {};
    case FetchFailure::None:
    case FetchFailure::Other:
        break;
    }
    return {};
}

bool looksLikeHtml(const QByteArray &contentType, const QByteArray &body)
{
    if (contentType.startsWith("text/html"))
        return true;
    const QByteArray start = body.left(256).trimmed().toLower();
    return start.startsWith("<!doctype html") || start.startsWith("<html") || start.startsWith("<head")
        || start.startsWith("<body");
}

} // namespace gotriage::ingest
