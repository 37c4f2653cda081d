#pragma once

#include "config/fleetconfig.h"

#include <QByteArray>
#include <QObject>

#include <functional>
#include <optional>
#include <utility>

namespace gotriage::triage {

// A header that carries a secret ("Authorization", "Bearer …").
using Credential = std::pair<QByteArray, QByteArray>;

// Turns an action's `authorization` or `basic_auth` settings into the header
// they become, from an environment variable, a file, or the desktop keychain
// (QtKeychain: the Secret Service on Linux, under the service name
// "gotriage"). Keychain reads are asynchronous; when the keychain cannot be
// reached or has no such entry the answer is an error, never a plaintext
// fallback. Secrets are held only in memory and never logged. Lives in, and
// answers in, the thread that owns it.
class CredentialResolver : public QObject
{
    Q_OBJECT

public:
    static constexpr const char *kKeychainService = "gotriage";

    using QObject::QObject;

    // `done` gets the header, or nullopt and what went wrong ("keychain
    // entry "etcd-token": No such secret", "environment variable X is not set").
    void resolve(const config::AuthSettings &auth,
                 std::function<void(const std::optional<Credential> &, const QString &error)> done);

    // Stores a secret in the keychain under `entry` (gotriage-cli secret set);
    // `done` gets an error, empty on success.
    void store(const QString &entry, const QByteArray &secret, std::function<void(const QString &error)> done);
    void remove(const QString &entry, std::function<void(const QString &error)> done);

private:
    void readKeychain(const QString &entry,
                      std::function<void(const std::optional<QByteArray> &, const QString &)> done);
};

} // namespace gotriage::triage
