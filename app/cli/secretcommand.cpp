#include "cliutil.h"
#include "commands.h"

#include "triage/credentials.h"

#include <QCoreApplication>
#include <QFile>

#include <cstdio>

namespace gotriage::cli {

// Puts an action's secret in the desktop keychain, read from standard input
// so that it appears in no command line and no shell history; the fleet file
// then names the entry (credentials_keychain, password_keychain).
int secretCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Store or delete an action's secret in the desktop keychain (Secret Service), under the "
                       "service \"gotriage\". `set` reads the secret from standard input."));
    parser.addPositionalArgument(QStringLiteral("set|delete"), QStringLiteral("what to do"));
    parser.addPositionalArgument(QStringLiteral("ENTRY"), QStringLiteral("the entry the fleet file names"));
    if (const auto exit = parseCommandLine(parser, arguments, 2, 2))
        return *exit;
    const QString verb = parser.positionalArguments().at(0);
    const QString entry = parser.positionalArguments().at(1);
    if (verb != QLatin1String("set") && verb != QLatin1String("delete")) {
        printErr(QStringLiteral("gotriage-cli: secret set|delete ENTRY"));
        return kExitUsage;
    }
    triage::CredentialResolver keychain;
    QString error;
    const auto finished = [&error](const QString &e) {
        error = e;
        QCoreApplication::quit();
    };
    if (verb == QLatin1String("set")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            printErr(QStringLiteral("gotriage-cli: cannot read standard input"));
            return kExitUsage;
        }
        const QByteArray secret = in.readAll().trimmed();
        if (secret.isEmpty()) {
            printErr(QStringLiteral("gotriage-cli: no secret on standard input"));
            return kExitUsage;
        }
        keychain.store(entry, secret, finished);
    } else {
        keychain.remove(entry, finished);
    }
    QCoreApplication::exec();
    if (!error.isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitRejected;
    }
    return kExitOk;
}

} // namespace gotriage::cli
