#include "requestsettings.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace gotriage::ingest {

namespace {

std::optional<QByteArray> readSecretFile(const QString &path, const QString &what, QStringList &errors)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        errors << QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString());
        return std::nullopt;
    }
    const QByteArray secret = file.readAll().trimmed();
    if (secret.isEmpty()) {
        errors << QStringLiteral("%1 %2 is empty").arg(what, path);
        return std::nullopt;
    }
    return secret;
}

} // namespace

RequestSettings resolveRequestSettings(const config::ServiceConfig &service)
{
    RequestSettings out;
    out.allowLinkLocal = service.allowLinkLocal;
    const config::AuthSettings &auth = service.auth;
    if (auth.kind == config::AuthSettings::Kind::Bearer) {
        std::optional<QByteArray> token;
        if (!auth.credentialsKeychain.isEmpty()) {
            out.errors << QStringLiteral("credentials_keychain is read for actions only; scraping takes "
                                         "credentials_file or credentials_env");
        } else if (!auth.credentialsFile.isEmpty()) {
            token = readSecretFile(auth.credentialsFile, QStringLiteral("credentials_file"), out.errors);
        } else {
            token = qgetenv(auth.credentialsEnv.toLocal8Bit().constData()).trimmed();
            if (token->isEmpty()) {
                out.errors
                    << QStringLiteral("environment variable %1 (credentials_env) is not set").arg(auth.credentialsEnv);
                token.reset();
            }
        }
        if (token)
            out.credentialHeaders.emplace_back("Authorization", "Bearer " + *token);
    } else if (auth.kind == config::AuthSettings::Kind::Basic && !auth.passwordKeychain.isEmpty()) {
        out.errors << QStringLiteral("password_keychain is read for actions only; scraping takes password_file");
    } else if (auth.kind == config::AuthSettings::Kind::Basic) {
        if (const auto password = readSecretFile(auth.passwordFile, QStringLiteral("password_file"), out.errors)) {
            const QByteArray pair = auth.username.toUtf8() + ':' + *password;
            out.credentialHeaders.emplace_back("Authorization", "Basic " + pair.toBase64());
        }
    }

    // Files are checked here, where a bad one can be named, rather than
    // failing each handshake with a less specific error.
    const config::TlsSettings &tls = service.tls;
    if (service.baseUrl.scheme() == QLatin1String("https")) {
        out.tls.caFile = tls.caFile;
        out.tls.certFile = tls.certFile;
        out.tls.keyFile = tls.keyFile;
        out.tls.serverName = tls.serverName;
        out.tls.insecureSkipVerify = tls.insecureSkipVerify;
        if (!tls.caFile.isEmpty() && QSslCertificate::fromPath(tls.caFile, QSsl::Pem).isEmpty())
            out.errors << QStringLiteral("ca_file %1 holds no PEM certificate").arg(tls.caFile);
        if (!tls.certFile.isEmpty()) {
            QFile keyFile(tls.keyFile);
            QSslKey key;
            if (keyFile.open(QIODevice::ReadOnly)) {
                const QByteArray pem = keyFile.readAll();
                key = QSslKey(pem, QSsl::Rsa);
                if (key.isNull())
                    key = QSslKey(pem, QSsl::Ec);
            }
            if (QSslCertificate::fromPath(tls.certFile, QSsl::Pem).isEmpty())
                out.errors << QStringLiteral("cert_file %1 holds no PEM certificate").arg(tls.certFile);
            else if (key.isNull())
                out.errors << QStringLiteral("key_file %1 holds no unencrypted PEM key").arg(tls.keyFile);
        }
        if (tls.insecureSkipVerify)
            out.warnings << QStringLiteral("TLS certificate verification is off (insecure_skip_verify)");
    }
    return out;
}

HttpRequest RequestSettings::request(const QUrl &url, const QUrl &owner) const
{
    HttpRequest request;
    request.url = url;
    request.origin = owner;
    request.credentialHeaders = credentialHeaders;
    request.tls = tls;
    request.allowLinkLocal = allowLinkLocal;
    return request;
}

} // namespace gotriage::ingest
