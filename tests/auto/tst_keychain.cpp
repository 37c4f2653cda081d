// Action credentials from the desktop keychain: a real Secret Service
// (Debian's gnome-keyring) in a private D-Bus session that
// tests/auto/keychain-session.sh starts; a Consul-protocol peer on loopback
// (Consul is not packaged in Debian 12) checks what arrives on the wire.
#include "protocolpeers.h"

#include "config/actioncatalog.h"
#include "ingest/requestexecutor.h"
#include "triage/actionrunner.h"
#include "triage/auditlog.h"
#include "triage/credentials.h"

#include <QDirIterator>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;

namespace {

const QByteArray kSecret = "kc-7f3a9d-never-on-disk";

QString storeSecret(triage::CredentialResolver &keychain, const QString &entry, const QByteArray &secret)
{
    QString error = QStringLiteral("(no answer)");
    bool done = false;
    keychain.store(entry, secret, [&](const QString &e) {
        error = e;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        return QStringLiteral("the keychain did not answer");
    return error;
}

config::ActionCatalog catalogFor(const QString &consulUrl, const QString &entry)
{
    const QByteArray text = QStringLiteral(R"({"actions": [{"name": "flag", "kind": "consul", "endpoint": "%1",
        "key": "flags/batch/rps", "value": "${rps}", "variables": {"rps": {"default": 5}},
        "authorization": {"credentials_keychain": "%2"}}]})")
                                .arg(consulUrl, entry)
                                .toUtf8();
    return config::parseActionCatalog(std::string_view(text.constData(), std::size_t(text.size())),
                                      QStringLiteral("fleet.json"));
}

// A Consul-protocol peer, an action on it whose token is the keychain's
// `entry`, and a runner with its own audit log.
struct ConsulRig {
    explicit ConsulRig(const QString &entry)
    {
        consul.start();
        catalog = catalogFor(consul.url(), entry);
    }
    // One run of the action; null when it did not finish.
    triage::ActionRunPtr run()
    {
        QSignalSpy finished(&runner, &triage::ActionRunner::finished);
        config::ServiceConfig batch;
        batch.name = QStringLiteral("batch-1");
        batch.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
        runner.run(*catalog.find(QStringLiteral("flag")), batch, {{QStringLiteral("rps"), 5}}, false);
        return finished.wait(20000) ? finished.at(0).at(0).value<triage::ActionRunPtr>() : nullptr;
    }

    ProtocolPeer consul{ProtocolPeer::Kind::Consul};
    config::ActionCatalog catalog;
    QTemporaryDir dir;
    triage::AuditLog audit{dir.filePath(QStringLiteral("audit.log"))};
    ingest::RequestExecutor executor;
    triage::ActionRunner runner{&executor, &audit};
};

// Every message logged, with every gotriage category switched on.
QStringList g_logged;
QtMessageHandler g_previousHandler = nullptr;
void recordMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_logged << message;
    g_previousHandler(type, context, message);
}

// Every file under `dir` that holds `needle`.
QStringList filesHolding(const QString &dir, const QByteArray &needle)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            out << file.fileName();
    }
    return out;
}

} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private slots:
    void secretGoesOnlyOnTheWire();
    void missingEntryStopsTheAction();
    void noKeychainNoPlaintextFallback();
};

void TestKeychain::secretGoesOnlyOnTheWire()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QFAIL("run under tests/auto/keychain-session.sh: no D-Bus session, no Secret Service");
    QLoggingCategory::setFilterRules(QStringLiteral("gotriage.*=true"));
    g_logged.clear();
    g_previousHandler = qInstallMessageHandler(recordMessage);
    const auto restore = qScopeGuard([] {
        qInstallMessageHandler(g_previousHandler);
        QLoggingCategory::setFilterRules(QString());
    });
    triage::CredentialResolver keychain;
    const QString stored = storeSecret(keychain, QStringLiteral("consul-token"), kSecret);
    QVERIFY2(stored.isEmpty(), qPrintable(stored));

    ConsulRig rig(QStringLiteral("consul-token"));
    QVERIFY(rig.catalog.problems.empty());
    const triage::ActionRunPtr run = rig.run();
    QVERIFY(run);
    const ProtocolPeer &consul = rig.consul;
    const triage::AuditLog &audit = rig.audit;
    const QTemporaryDir &dir = rig.dir;
    QVERIFY2(run->ok(), qPrintable(run->error));
    QCOMPARE(consul.consul.value(QStringLiteral("flags/batch/rps")), QByteArray("5"));
    // Every request to the store carried the secret from the keychain…
    QVERIFY(!consul.authorizations.isEmpty());
    for (const QByteArray &authorization : consul.authorizations)
        QCOMPARE(authorization, "Bearer " + kSecret);
    // …and it is nowhere else: not in the run, the preview, the audit log.
    QVERIFY(!QJsonDocument(run->toJson()).toJson().contains(kSecret));
    QVERIFY(!run->requests.write.toText().toUtf8().contains(kSecret));
    QVERIFY(audit.verify().ok);
    QCOMPARE(filesHolding(dir.path(), kSecret), QStringList());
    // Nor in anything logged, debug included.
    QVERIFY(!g_logged.isEmpty());
    QVERIFY(!g_logged.join(u'\n').contains(QString::fromLatin1(kSecret)));
}

void TestKeychain::missingEntryStopsTheAction()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QFAIL("run under tests/auto/keychain-session.sh");
    ConsulRig rig(QStringLiteral("no-such-entry"));
    const triage::ActionRunPtr run = rig.run();
    QVERIFY(run);
    const ProtocolPeer &consul = rig.consul;
    const triage::AuditLog &audit = rig.audit;
    QVERIFY(!run->ok());
    QVERIFY2(run->error.contains(QLatin1String("keychain entry \"no-such-entry\"")), qPrintable(run->error));
    QVERIFY(consul.authorizations.isEmpty()); // nothing was sent without its credentials
    const std::vector<triage::AuditLog::Entry> entries = audit.read();
    QCOMPARE(entries.size(), std::size_t(1));
    QCOMPARE(entries.front().kind, QStringLiteral("action_failed"));
}

void TestKeychain::noKeychainNoPlaintextFallback()
{
    if (qEnvironmentVariableIsSet("GOTRIAGE_NO_BUS_CHILD")) {
        // In the child: no session bus. Storing and reading fail with an
        // error, and no file in HOME holds the secret.
        triage::CredentialResolver keychain;
        const QString stored = storeSecret(keychain, QStringLiteral("consul-token"), kSecret);
        QVERIFY2(!stored.isEmpty(), "stored without a keychain");
        qInfo().noquote() << "without a keychain:" << stored;
        config::AuthSettings auth;
        auth.kind = config::AuthSettings::Kind::Bearer;
        auth.credentialsKeychain = QStringLiteral("consul-token");
        bool done = false;
        QString error;
        keychain.resolve(auth, [&](const std::optional<triage::Credential> &c, const QString &e) {
            QVERIFY(!c);
            error = e;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
        QVERIFY2(error.contains(QLatin1String("keychain entry \"consul-token\"")), qPrintable(error));
        QCOMPARE(filesHolding(qEnvironmentVariable("HOME"), kSecret), QStringList());
        return;
    }
    QTemporaryDir home;
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GOTRIAGE_NO_BUS_CHILD"), QStringLiteral("1"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
               QStringLiteral("unix:path=") + home.filePath(QStringLiteral("no-bus")));
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("noKeychainNoPlaintextFallback")});
    QVERIFY(child.waitForFinished(60000));
    const QByteArray output = child.readAllStandardOutput() + child.readAllStandardError();
    QVERIFY2(child.exitCode() == 0, output.constData());
    QVERIFY2(output.contains("without a keychain:"), output.constData());
    QCOMPARE(filesHolding(home.path(), kSecret), QStringList());
}

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
