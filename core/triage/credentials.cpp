#include "credentials.h"

#include <QFile>

#include <qt6keychain/keychain.h>

namespace gotriage::triage {

namespace {

std::optional<QByteArray> readSecretFile(const QString &path, const QString &what, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString());
        return std::nullopt;
    }
    const QByteArray secret = file.readAll().trimmed();
    if (secret.isEmpty()) {
        *error = QStringLiteral("%1 %2 is empty").arg(what, path);
        return std::nullopt;
    }
    return secret;
}

Credential headerFor(const config::AuthSettings &auth, const QByteArray &secret)
{
    if (auth.kind == config::AuthSettings::Kind::Basic)
        return {"Authorization", "Basic " + (auth.username.toUtf8() + ':' + secret).toBase64()};
    return {"Authorization", "Bearer " + secret};
}

// Reports a write or delete job's outcome to `done`: empty on success.
void whenDone(QKeychain::Job *job, const QString &entry, std::function<void(const QString &)> done)
{
    QObject::connect(job, &QKeychain::Job::finished, job, [entry, done = std::move(done)](QKeychain::Job *finished) {
        done(finished->error() == QKeychain::NoError
                 ? QString()
                 : QStringLiteral("keychain entry \"%1\": %2").arg(entry, finished->errorString()));
    });
    job->start();
}

} // namespace

void CredentialResolver::resolve(const config::AuthSettings &auth,
                                 std::function<void(const std::optional<Credential> &, const QString &)> done)
{
    const bool basic = auth.kind == config::AuthSettings::Kind::Basic;
    const QString keychainEntry = basic ? auth.passwordKeychain : auth.credentialsKeychain;
    if (!keychainEntry.isEmpty()) {
        readKeychain(keychainEntry,
                     [auth, done = std::move(done)](const std::optional<QByteArray> &secret, const QString &error) {
                         if (secret)
                             done(headerFor(auth, *secret), {});
                         else
                             done(std::nullopt, error);
                     });
        return;
    }
    QString error;
    std::optional<QByteArray> secret;
    if (basic) {
        secret = readSecretFile(auth.passwordFile, QStringLiteral("password_file"), &error);
    } else if (!auth.credentialsFile.isEmpty()) {
        secret = readSecretFile(auth.credentialsFile, QStringLiteral("credentials_file"), &error);
    } else {
        const QByteArray value = qgetenv(auth.credentialsEnv.toLocal8Bit().constData()).trimmed();
        if (value.isEmpty())
            error = QStringLiteral("environment variable %1 (credentials_env) is not set").arg(auth.credentialsEnv);
        else
            secret = value;
    }
    if (secret)
        done(headerFor(auth, *secret), {});
    else
        done(std::nullopt, error);
}

void CredentialResolver::readKeychain(const QString &entry,
                                      std::function<void(const std::optional<QByteArray> &, const QString &)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(QString::fromLatin1(kKeychainService), this);
    job->setAutoDelete(true);
    // Never the plaintext file QtKeychain can fall back to.
    job->setInsecureFallback(false);
    job->setKey(entry);
    connect(job, &QKeychain::Job::finished, this, [entry, done = std::move(done)](QKeychain::Job *finished) {
        if (finished->error() != QKeychain::NoError) {
            done(std::nullopt, QStringLiteral("keychain entry \"%1\": %2").arg(entry, finished->errorString()));
            return;
        }
        const QByteArray secret = static_cast<QKeychain::ReadPasswordJob *>(finished)->binaryData().trimmed();
        if (secret.isEmpty())
            done(std::nullopt, QStringLiteral("keychain entry \"%1\" is empty").arg(entry));
        else
            done(secret, {});
    });
    job->start();
}

void CredentialResolver::store(const QString &entry, const QByteArray &secret,
                               std::function<void(const QString &error)> done)
{
    auto *job = new QKeychain::WritePasswordJob(QString::fromLatin1(kKeychainService), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entry);
    job->setBinaryData(secret);
    whenDone(job, entry, std::move(done));
}

void CredentialResolver::remove(const QString &entry, std::function<void(const QString &error)> done)
{
    auto *job = new QKeychain::DeletePasswordJob(QString::fromLatin1(kKeychainService), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entry);
    whenDone(job, entry, std::move(done));
}

} // namespace gotriage::triage
