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
    const config::AuthSettings &auth = service.auth;
    if (auth.kind == config::AuthSettings::Kind::Bearer) {
        std::optional<QByteArray> token;
        if (!auth.credentialsFile.isEmpty()) {
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
            out.headers.append({"Authorization", "Bearer " + *token});
    } else if (auth.kind == config::AuthSettings::Kind::Basic) {
        if (const auto password = readSecretFile(auth.passwordFile, QStringLiteral("password_file"), out.errors)) {
            const QByteArray pair = auth.username.toUtf8() + ':' + *password;
            out.headers.append({"Authorization", "Basic " + pair.toBase64()});
        }
    }

    const config::TlsSettings &tls = service.tls;
    if (service.baseUrl.scheme() == QLatin1String("https")) {
        out.hasTls = true;
        out.tls = QSslConfiguration::defaultConfiguration();
        if (!tls.caFile.isEmpty()) {
            const QList<QSslCertificate> cas = QSslCertificate::fromPath(tls.caFile, QSsl::Pem);
            if (cas.isEmpty())
                out.errors << QStringLiteral("ca_file %1 holds no PEM certificate").arg(tls.caFile);
            out.tls.addCaCertificates(cas);
        }
        if (!tls.certFile.isEmpty()) {
            const QList<QSslCertificate> certs = QSslCertificate::fromPath(tls.certFile, QSsl::Pem);
            QFile keyFile(tls.keyFile);
            QSslKey key;
            if (keyFile.open(QIODevice::ReadOnly)) {
                const QByteArray pem = keyFile.readAll();
                key = QSslKey(pem, QSsl::Rsa);
                if (key.isNull())
                    key = QSslKey(pem, QSsl::Ec);
            }
            if (certs.isEmpty())
                out.errors << QStringLiteral("cert_file %1 holds no PEM certificate").arg(tls.certFile);
            else if (key.isNull())
                out.errors << QStringLiteral("key_file %1 holds no unencrypted PEM key").arg(tls.keyFile);
            else {
                out.tls.setLocalCertificate(certs.constFirst());
                out.tls.setPrivateKey(key);
            }
        }
        if (tls.insecureSkipVerify) {
            out.tls.setPeerVerifyMode(QSslSocket::VerifyNone);
            out.warnings << QStringLiteral("TLS certificate verification is off (insecure_skip_verify)");
        }
        out.peerVerifyName = tls.serverName;
    }
    return out;
}

QNetworkRequest RequestSettings::request(const QUrl &url, const QUrl &owner) const
{
    QNetworkRequest request(url);
    request.setRawHeader("User-Agent", "gotriage");
    // Every idle keep-alive socket is polled on every event-loop wakeup of
    // the ingest thread; with hundreds of services that costs more CPU than
    // a fresh loopback or LAN connection per scrape. TLS handshakes cost more
    // than polling, so HTTPS connections stay open.
    if (url.scheme() == QLatin1String("http"))
        request.setRawHeader("Connection", "close");
    if (url.host().compare(owner.host(), Qt::CaseInsensitive) == 0 && url.port() == owner.port()) {
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
    }
    if (hasTls) {
        request.setSslConfiguration(tls);
        if (!peerVerifyName.isEmpty())
            request.setPeerVerifyName(peerVerifyName);
    }
    return request;
}

} // namespace gotriage::ingest
