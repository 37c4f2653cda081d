// The action catalog and the runner: templates read from the fleet file,
// variables that are numbers within bounds and never reach a host, the
// request each kind of target speaks (their documented shapes), and real
// runs against the demo fleet's /admin/throttle over HTTP: the value read
// before, the write, the value after, the revert, and the audit log.
#include "config/actioncatalog.h"
#include "ingest/requestexecutor.h"
#include "sim/demofleet.h"
#include "triage/actionrequest.h"
#include "triage/actionrunner.h"
#include "triage/auditlog.h"

#include "protocolpeers.h"
#include "testhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace gotriage;

namespace {

const char *const kFleet = R"({
  "services": [{"name": "svc", "url": "http://127.0.0.1:1"}],
  "actions": [
    {"name": "throttle", "description": "limit the requests a service admits",
     "applies_to": {"tier": "non-core"},
     "method": "POST", "path": "/admin/throttle", "body": "{\"rps\": ${rps}}",
     "read_path": "/admin/throttle", "read_field": "rps", "revert": "restore",
     "variables": {"rps": {"default": 50, "min": 0, "max": 10000}},
     "expect_vital": "req_rate", "expect_at_most": "${rps}", "ttl_s": 600},
    {"name": "etcd-limit", "kind": "etcd", "endpoint": "http://127.0.0.1:2379",
     "key": "/limits/${service}/rps", "value": "${rps}", "variables": {"rps": {"default": 20}}},
    {"name": "consul-limit", "kind": "consul", "endpoint": "http://127.0.0.1:8500",
     "key": "limits/${service}", "value": "${rps}", "variables": {"rps": {"default": 20}}},
    {"name": "envoy-enforce", "kind": "envoy", "endpoint": "http://127.0.0.1:9901",
     "key": "local_rate_limit_enforced", "value": "${percent}", "variables": {"percent": {"default": 100, "min": 0, "max": 100}},
     "applies_to": {"services": ["svc"]}},
    {"name": "sentinel-qps", "kind": "sentinel", "endpoint": "http://127.0.0.1:8719",
     "key": "GET:/api/x", "value": "${qps}", "variables": {"qps": {"default": 50}}},
    {"name": "tell-the-team", "kind": "webhook", "endpoint": "https://hooks.example/T1", "on": ["action_sent"]}
  ]
})";

config::ServiceConfig service(const QString &url = QStringLiteral("http://127.0.0.1:8080"))
{
    config::ServiceConfig s;
    s.name = QStringLiteral("checkout 1");
    s.baseUrl = QUrl(url);
    return s;
}

// A runner through a real request executor, writing to an audit log of its
// own, with spies on what it reports.
struct RunnerRig {
    QTemporaryDir dir;
    triage::AuditLog audit{dir.filePath(QStringLiteral("audit.log"))};
    ingest::RequestExecutor executor;
    triage::ActionRunner runner{&executor, &audit};
    QSignalSpy finished{&runner, &triage::ActionRunner::finished};
    QSignalSpy reverted{&runner, &triage::ActionRunner::reverted};
};

} // namespace

class TestActions : public QObject
{
    Q_OBJECT

private slots:
    void catalogReadsEveryKind();
    void catalogNamesWhatIsWrong_data();
    void catalogNamesWhatIsWrong();
    void variablesAreNumbersWithinBounds();
    void httpStaysOnTheServicesHost();
    void storesAndProxiesSpeakTheirProtocols();
    void revertsRestoreTheValueBefore();
    void throttleTheDemoFleetAndRevert();
    void aFailingTargetIsNotASuccess();
    void cliRunsAndRevertsWithConfirmation();
    void revertsByItselfAfterItsTtl();
    void webhooksTellTheTeam();
    void storesAndProxiesOverHttp_data();
    void storesAndProxiesOverHttp();
};

void TestActions::catalogReadsEveryKind()
{
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    QVERIFY2(catalog.problems.empty(),
             qPrintable(catalog.problems.empty() ? QString() : catalog.problems.front().toString()));
    QCOMPARE(catalog.actions.size(), std::size_t(6));
    const config::ActionSpec *throttle = catalog.find(QStringLiteral("throttle"));
    QVERIFY(throttle);
    QCOMPARE(throttle->kind, config::ActionKind::Http);
    QCOMPARE(throttle->variable(QStringLiteral("rps"))->defaultValue, 50.0);
    QCOMPARE(throttle->ttl, std::chrono::seconds(600));
    QCOMPARE(catalog.find(QStringLiteral("tell-the-team"))->on, QStringList{QStringLiteral("action_sent")});
    // Selection: non-core services get the throttle; the webhook is no target's action.
    config::ServiceConfig s = service();
    s.name = QStringLiteral("svc");
    QCOMPARE(catalog.forService(s).size(), std::size_t(5));
    s.tier = config::Tier::Core;
    s.name = QStringLiteral("other");
    QCOMPARE(catalog.forService(s).size(), std::size_t(3)); // no throttle (non-core), no envoy (svc only)
    // The fleet file reader takes "actions" as a known key.
    QVERIFY(config::parseFleetConfig(kFleet, QStringLiteral("fleet.json")).problems.empty());
    // The README's example (also the fuzz seed) reads clean.
    const config::ActionCatalog example
        = config::loadActionCatalog(QStringLiteral(GOTRIAGE_TEST_DATA "/fleet/actions.json"));
    QVERIFY(example.problems.empty());
    QCOMPARE(example.actions.size(), std::size_t(3));
}

void TestActions::catalogNamesWhatIsWrong_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("jsonPath");
    QTest::addColumn<QString>("message");
    QTest::newRow("no path") << R"({"name": "a", "body": "x", "revert": "none"})"
                             << "$.actions[0].path"
                             << "starting with /";
    QTest::newRow("undeclared variable") << R"({"name": "a", "path": "/t", "body": "${rps}", "revert": "none"})"
                                         << "$.actions[0].body"
                                         << "${rps} is not a declared variable";
    QTest::newRow("restore without read") << R"({"name": "a", "path": "/t", "variables": {"rps": {"default": 1}}})"
                                          << "$.actions[0].revert"
                                          << "read_path and read_field";
    QTest::newRow("bad kind") << R"({"name": "a", "kind": "ftp"})"
                              << "$.actions[0].kind"
                              << "expected http, etcd";
    QTest::newRow("store without endpoint") << R"({"name": "a", "kind": "etcd", "key": "k", "value": "v"})"
                                            << "$.actions[0].endpoint"
                                            << "missing";
    QTest::newRow("default out of bounds")
        << R"({"name": "a", "path": "/t", "revert": "none", "variables": {"rps": {"default": 5, "max": 1}}})"
        << "$.actions[0].variables.rps"
        << "outside min and max";
    QTest::newRow("typo") << R"({"name": "a", "path": "/t", "revert": "none", "bdy": "x"})"
                          << "$.actions[0].bdy"
                          << "unknown key";
}

void TestActions::catalogNamesWhatIsWrong()
{
    QFETCH(QString, action);
    QFETCH(QString, jsonPath);
    QFETCH(QString, message);
    const QByteArray text = QStringLiteral(R"({"services": [], "actions": [%1]})").arg(action).toUtf8();
    const config::ActionCatalog catalog = config::parseActionCatalog(text.toStdString(), QStringLiteral("f.json"));
    QVERIFY(catalog.actions.empty());
    QVERIFY(!catalog.problems.empty());
    const config::ConfigProblem &p = catalog.problems.front();
    QCOMPARE(p.jsonPath, jsonPath);
    QVERIFY2(p.message.contains(message), qPrintable(p.toString()));
    QVERIFY(p.toString().startsWith(QStringLiteral("f.json: ") + jsonPath));
}

void TestActions::variablesAreNumbersWithinBounds()
{
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    const config::ActionSpec &throttle = *catalog.find(QStringLiteral("throttle"));
    QString error;
    auto values = triage::resolveVariables(throttle, {}, &error);
    QVERIFY(values);
    QCOMPARE(values->value(QStringLiteral("rps")), 50.0);
    values = triage::resolveVariables(throttle, {{QStringLiteral("rps"), QStringLiteral("25")}}, &error);
    QCOMPARE(values->value(QStringLiteral("rps")), 25.0);
    QVERIFY(!triage::resolveVariables(throttle, {{QStringLiteral("rps"), QStringLiteral("20000")}}, &error));
    QVERIFY2(error.contains(QLatin1String("outside")), qPrintable(error));
    QVERIFY(!triage::resolveVariables(throttle, {{QStringLiteral("rps"), QStringLiteral("1}@evil.example/")}}, &error));
    QVERIFY2(error.contains(QLatin1String("not a number")), qPrintable(error));
    QVERIFY(!triage::resolveVariables(throttle, {{QStringLiteral("burst"), QStringLiteral("1")}}, &error));
    QVERIFY(!triage::resolveVariables(throttle, {{QStringLiteral("rps"), QStringLiteral("nan")}}, &error));
}

void TestActions::httpStaysOnTheServicesHost()
{
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    const config::ActionSpec &throttle = *catalog.find(QStringLiteral("throttle"));
    QString error;
    const auto requests = triage::renderAction(throttle, service(), {{QStringLiteral("rps"), 25}}, &error);
    QVERIFY2(requests, qPrintable(error));
    QCOMPARE(requests->write.method, QByteArray("POST"));
    QCOMPARE(requests->write.url.toString(), QStringLiteral("http://127.0.0.1:8080/admin/throttle"));
    QCOMPARE(requests->write.body, QByteArray("{\"rps\": 25}"));
    QVERIFY(requests->read);
    QCOMPARE(requests->read->method, QByteArray("GET"));
    // A service name cannot move the request: it is encoded in a path.
    config::ActionSpec sneaky = throttle;
    sneaky.path = QStringLiteral("/admin/${service}");
    config::ServiceConfig evil = service();
    evil.name = QStringLiteral("@evil.example:80/x");
    const auto moved = triage::renderAction(sneaky, evil, {{QStringLiteral("rps"), 1}}, &error);
    QVERIFY(moved);
    QCOMPARE(moved->write.url.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(moved->write.url.port(), 8080);
}

void TestActions::storesAndProxiesSpeakTheirProtocols()
{
    // The request shapes are the documented ones (go-endpoints.md §6); no
    // Consul, Envoy or Sentinel is packaged in Debian 12 to run here.
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    const config::ServiceConfig s = service();
    QString error;
    const auto etcd
        = triage::renderAction(*catalog.find(QStringLiteral("etcd-limit")), s, {{QStringLiteral("rps"), 20}}, &error);
    QCOMPARE(etcd->write.url.toString(), QStringLiteral("http://127.0.0.1:2379/v3/kv/put"));
    const QJsonObject put = QJsonDocument::fromJson(etcd->write.body).object();
    QCOMPARE(QByteArray::fromBase64(put.value(QStringLiteral("key")).toString().toLatin1()),
             QByteArray("/limits/checkout 1/rps"));
    QCOMPARE(QByteArray::fromBase64(put.value(QStringLiteral("value")).toString().toLatin1()), QByteArray("20"));
    QCOMPARE(etcd->read->url.path(), QStringLiteral("/v3/kv/range"));
    QCOMPARE(triage::parseReadValue(*catalog.find(QStringLiteral("etcd-limit")),
                                    R"({"header":{"revision":"5"},"kvs":[{"key":"eA==","value":"MTI="}],"count":"1"})",
                                    200, &error),
             std::optional<QString>(QStringLiteral("12")));

    const auto consul
        = triage::renderAction(*catalog.find(QStringLiteral("consul-limit")), s, {{QStringLiteral("rps"), 20}}, &error);
    QCOMPARE(consul->write.method, QByteArray("PUT"));
    QCOMPARE(consul->write.body, QByteArray("20"));
    QCOMPARE(consul->read->url.query(), QStringLiteral("raw"));
    QVERIFY(!triage::parseReadValue(*catalog.find(QStringLiteral("consul-limit")), "", 404, &error)); // not set yet

    const auto envoy = triage::renderAction(*catalog.find(QStringLiteral("envoy-enforce")), s,
                                            {{QStringLiteral("percent"), 100}}, &error);
    QCOMPARE(envoy->write.method, QByteArray("POST"));
    QCOMPARE(envoy->write.url.path(), QStringLiteral("/runtime_modify"));
    QCOMPARE(QUrlQuery(envoy->write.url).queryItemValue(QStringLiteral("local_rate_limit_enforced")),
             QStringLiteral("100"));
    QCOMPARE(
        triage::parseReadValue(
            *catalog.find(QStringLiteral("envoy-enforce")),
            R"({"layers":["admin"],"entries":{"local_rate_limit_enforced":{"layer_values":["","42"],"final_value":"42"}}})",
            200, &error),
        std::optional<QString>(QStringLiteral("42")));

    const config::ActionSpec &sentinel = *catalog.find(QStringLiteral("sentinel-qps"));
    auto sentinelRequests = triage::renderAction(sentinel, s, {{QStringLiteral("qps"), 50}}, &error);
    const QByteArray rules
        = R"([{"resource":"GET:/api/x","limitApp":"default","grade":1,"count":500},{"resource":"other","count":7}])";
    QCOMPARE(triage::parseReadValue(sentinel, rules, 200, &error), std::optional<QString>(QStringLiteral("500")));
    triage::completeWrite(sentinel, s, {{QStringLiteral("qps"), 50}}, rules, *sentinelRequests);
    QVERIFY(sentinelRequests->write.body.startsWith("type=flow&data="));
    const QJsonArray written
        = QJsonDocument::fromJson(QUrl::fromPercentEncoding(sentinelRequests->write.body.mid(15)).toUtf8()).array();
    QCOMPARE(written.size(), 2); // the whole list, as setRules replaces it
    QCOMPARE(written[0].toObject().value(QStringLiteral("count")).toDouble(), 50.0);
    QCOMPARE(written[1].toObject().value(QStringLiteral("count")).toDouble(), 7.0);
}

void TestActions::revertsRestoreTheValueBefore()
{
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    const config::ServiceConfig s = service();
    QString error;
    const auto http = triage::renderRevert(*catalog.find(QStringLiteral("throttle")), s, {{QStringLiteral("rps"), 25}},
                                           QStringLiteral("0"), true, {}, &error);
    QVERIFY2(http, qPrintable(error));
    QCOMPARE(http->body, QByteArray("{\"rps\": 0}"));
    QVERIFY(!triage::renderRevert(*catalog.find(QStringLiteral("throttle")), s, {}, std::nullopt, false, {}, &error));
    QVERIFY(error.contains(QLatin1String("not read")));
    // A key that was not set before is deleted, not set to "".
    const auto etcd = triage::renderRevert(*catalog.find(QStringLiteral("etcd-limit")), s,
                                           {{QStringLiteral("rps"), 20}}, std::nullopt, true, {}, &error);
    QCOMPARE(etcd->url.path(), QStringLiteral("/v3/kv/deleterange"));
    const auto consul = triage::renderRevert(*catalog.find(QStringLiteral("consul-limit")), s,
                                             {{QStringLiteral("rps"), 20}}, QStringLiteral("80"), true, {}, &error);
    QCOMPARE(consul->method, QByteArray("PUT"));
    QCOMPARE(consul->body, QByteArray("80"));
    const QByteArray rules = R"([{"resource":"GET:/api/x","count":500}])";
    const auto sentinel
        = triage::renderRevert(*catalog.find(QStringLiteral("sentinel-qps")), s, {{QStringLiteral("qps"), 50}},
                               QStringLiteral("500"), true, rules, &error);
    QCOMPARE(QUrl::fromPercentEncoding(sentinel->body.mid(15)).toUtf8(), rules);
}

void TestActions::throttleTheDemoFleetAndRevert()
{
    sim::DemoFleetThread fleet;
    QString error;
    QVERIFY2(fleet.start(2, &error), qPrintable(error));
    const config::ServiceConfig &target = fleet.services().front();
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    const config::ActionSpec &throttle = *catalog.find(QStringLiteral("throttle"));
    RunnerRig rig;
    triage::AuditLog &audit = rig.audit;
    triage::ActionRunner &runner = rig.runner;
    QSignalSpy &finished = rig.finished;
    QSignalSpy &reverted = rig.reverted;

    // A dry run renders and reads, and changes nothing.
    runner.run(throttle, target, {{QStringLiteral("rps"), 25}}, true);
    QVERIFY(finished.wait(10000));
    auto run = finished.takeFirst().at(0).value<triage::ActionRunPtr>();
    QVERIFY2(run->ok(), qPrintable(run->error));
    QCOMPARE(run->before, std::optional<QString>(QStringLiteral("0")));
    QCOMPARE(run->status, 0);
    QCOMPARE(audit.read().size(), std::size_t(0));

    const QString id = runner.run(throttle, target, {{QStringLiteral("rps"), 25}}, false);
    QVERIFY(finished.wait(10000));
    run = finished.takeFirst().at(0).value<triage::ActionRunPtr>();
    QVERIFY2(run->ok(), qPrintable(run->error));
    QCOMPARE(run->id, id);
    QCOMPARE(run->status, 200);
    QCOMPARE(run->before, std::optional<QString>(QStringLiteral("0")));
    QCOMPARE(run->after, std::optional<QString>(QStringLiteral("25")));

    runner.revert(throttle, target, *run);
    QVERIFY(reverted.wait(10000));
    const auto undone = reverted.takeFirst().at(0).value<triage::ActionRunPtr>();
    QVERIFY2(undone->ok(), qPrintable(undone->error));
    QVERIFY(undone->reverted);
    QCOMPARE(undone->requests.write.body, QByteArray("{\"rps\": 0}"));

    // The audit log holds both, chained; the run can be found again by id.
    const triage::AuditLog::Verification v = audit.verify();
    QVERIFY2(v.ok, qPrintable(v.problems.join(u'\n')));
    const auto entries = audit.read();
    QCOMPARE(entries.size(), std::size_t(2));
    QCOMPARE(entries[0].kind, QStringLiteral("action_sent"));
    QCOMPARE(entries[1].kind, QStringLiteral("action_reverted"));
    const auto found = triage::findRunInAudit(audit, id);
    QVERIFY(found);
    QCOMPARE(found->before, std::optional<QString>(QStringLiteral("0")));
    QVERIFY(found->reverted);
}

void TestActions::aFailingTargetIsNotASuccess()
{
    quint16 closedPort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        closedPort = s.serverPort();
    }
    const config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    RunnerRig rig;
    triage::AuditLog &audit = rig.audit;
    triage::ActionRunner &runner = rig.runner;
    QSignalSpy &finished = rig.finished;
    runner.run(*catalog.find(QStringLiteral("throttle")),
               service(QStringLiteral("http://127.0.0.1:%1").arg(closedPort)), {{QStringLiteral("rps"), 25}}, false);
    QVERIFY(finished.wait(10000));
    const auto run = finished.takeFirst().at(0).value<triage::ActionRunPtr>();
    QVERIFY(!run->ok());
    QVERIFY2(run->error.contains(QLatin1String("reading the value before")), qPrintable(run->error));
    const auto entries = audit.read();
    QCOMPARE(entries.size(), std::size_t(1));
    QCOMPARE(entries[0].kind, QStringLiteral("action_failed")); // never "action_sent"
}

void TestActions::cliRunsAndRevertsWithConfirmation()
{
    sim::DemoFleetThread fleet;
    QString error;
    QVERIFY2(fleet.start(1, &error), qPrintable(error));
    const config::ServiceConfig &target = fleet.services().front();
    QTemporaryDir dir;
    const QString configPath = dir.filePath(QStringLiteral("fleet.json"));
    const QString auditPath = dir.filePath(QStringLiteral("audit.log"));
    QFile config(configPath);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral(R"({"services": [{"name": "%1", "url": "%2", "tier": "core"}], "actions": [
        {"name": "throttle", "path": "/admin/throttle", "body": "{\"rps\": ${rps}}", "read_path": "/admin/throttle",
         "read_field": "rps", "variables": {"rps": {"default": 50, "min": 0, "max": 100000}}}]})")
                     .arg(target.name, target.baseUrl.toString())
                     .toUtf8());
    config.close();
    const auto cli = [&](const QStringList &args, int expectedExit) {
        QProcess p;
        p.start(QStringLiteral(GOTRIAGE_CLI),
                QStringList{QStringLiteral("action")} + args
                    + QStringList{QStringLiteral("--config"), configPath, QStringLiteral("--audit"), auditPath,
                                  QStringLiteral("--json")});
        if (!p.waitForFinished(30000) || p.exitCode() != expectedExit)
            qWarning("%s", p.readAllStandardError().constData());
        [&] { QCOMPARE(p.exitCode(), expectedExit); }();
        return QJsonDocument::fromJson(p.readAllStandardOutput().split('\n').value(0)).object();
    };
    const QJsonObject listed = cli({QStringLiteral("list")}, 0);
    QCOMPARE(listed.value(QStringLiteral("name")).toString(), QStringLiteral("throttle"));
    QCOMPARE(listed.value(QStringLiteral("targets")).toArray().first().toString(), target.name);
    const QStringList run = {QStringLiteral("run"), QStringLiteral("throttle"), QStringLiteral("--target"),
                             target.name,           QStringLiteral("--set"),    QStringLiteral("rps=30")};
    // A core service is not touched without its name typed again.
    cli(run, 2);
    QVERIFY(!QFile::exists(auditPath) || triage::AuditLog(auditPath).read().empty());
    const QJsonObject sent = cli(run + QStringList{QStringLiteral("--confirm"), target.name}, 0);
    QCOMPARE(sent.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(sent.value(QStringLiteral("before")).toString(), QStringLiteral("0"));
    QCOMPARE(sent.value(QStringLiteral("after")).toString(), QStringLiteral("30"));
    const QString id = sent.value(QStringLiteral("id")).toString();
    const QJsonObject undone = cli({QStringLiteral("revert"), id}, 0);
    QCOMPARE(undone.value(QStringLiteral("request")).toObject().value(QStringLiteral("body")).toString(),
             QStringLiteral("{\"rps\": 0}"));
    cli({QStringLiteral("revert"), id}, 1); // already reverted
    QVERIFY(triage::AuditLog(auditPath).verify().ok);
    QCOMPARE(triage::AuditLog(auditPath).read().size(), std::size_t(2));
}

void TestActions::revertsByItselfAfterItsTtl()
{
    sim::DemoFleetThread fleet;
    QString error;
    QVERIFY2(fleet.start(1, &error), qPrintable(error));
    config::ActionCatalog catalog = config::parseActionCatalog(kFleet, QStringLiteral("fleet.json"));
    config::ActionSpec throttle = *catalog.find(QStringLiteral("throttle"));
    throttle.ttl = std::chrono::seconds(1);
    RunnerRig rig;
    triage::AuditLog &audit = rig.audit;
    triage::ActionRunner &runner = rig.runner;
    QSignalSpy &finished = rig.finished;
    QSignalSpy &reverted = rig.reverted;
    const QString id = runner.run(throttle, fleet.services().front(), {{QStringLiteral("rps"), 10}}, false);
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.first().at(0).value<triage::ActionRunPtr>()->ok());
    QVERIFY(runner.autoReverts().contains(id)); // the countdown's deadline
    QVERIFY(reverted.wait(5000));
    const auto undone = reverted.first().at(0).value<triage::ActionRunPtr>();
    QVERIFY2(undone->ok(), qPrintable(undone->error));
    QCOMPARE(undone->requests.write.body, QByteArray("{\"rps\": 0}"));
    QVERIFY(runner.autoReverts().isEmpty());
    QCOMPARE(audit.read().back().kind, QStringLiteral("action_reverted"));
}

void TestActions::webhooksTellTheTeam()
{
    TestHttpServer hook;
    hook.body = "ok";
    QVERIFY(hook.listen());
    const char *hookFleet = R"({"services": [], "actions": [{"name": "slack", "kind": "webhook",
        "endpoint": "http://127.0.0.1:%1/T000/B000/secretpath", "on": ["action_sent"]}]})";
    const QByteArray text = QString::fromLatin1(hookFleet).arg(hook.port()).toUtf8();
    const config::ActionCatalog catalog = config::parseActionCatalog(text.toStdString(), QStringLiteral("f.json"));
    QVERIFY(catalog.problems.empty());
    RunnerRig rig;
    triage::AuditLog &audit = rig.audit;
    triage::ActionRunner &runner = rig.runner;
    QSignalSpy notified(&runner, &triage::ActionRunner::notified);
    runner.notify(catalog, QStringLiteral("incident_opened"), QStringLiteral("not listened for"));
    runner.notify(catalog, QStringLiteral("action_sent"), QStringLiteral("throttle on batch-1: rps 25"));
    QVERIFY(notified.wait(10000));
    QCOMPARE(notified.size(), 1);
    QCOMPARE(notified.first().at(1).toString(), QString());
    QCOMPARE(hook.requests.size(), 1);
    QCOMPARE(hook.requests.first().method, QByteArray("POST"));
    const auto entries = audit.read();
    QCOMPARE(entries.size(), std::size_t(1));
    QCOMPARE(entries[0].kind, QStringLiteral("webhook_sent"));
    // The hook's URL is a secret of its own: it is not in the audit log.
    QFile file(audit.path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("secretpath"));
}

void TestActions::storesAndProxiesOverHttp_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("consul") << static_cast<int>(ProtocolPeer::Kind::Consul);
    QTest::newRow("envoy") << static_cast<int>(ProtocolPeer::Kind::Envoy);
    QTest::newRow("sentinel") << static_cast<int>(ProtocolPeer::Kind::Sentinel);
}

void TestActions::storesAndProxiesOverHttp()
{
    // Consul, Envoy and Sentinel are not packaged in Debian 12: a local
    // server speaks each documented protocol (tests/auto/protocolpeers.h).
    // A value that was there is changed and restored; other state is kept.
    QFETCH(int, kind);
    ProtocolPeer peer(static_cast<ProtocolPeer::Kind>(kind));
    QVERIFY(peer.start() != 0);
    QString name, key, value;
    switch (static_cast<ProtocolPeer::Kind>(kind)) {
    case ProtocolPeer::Kind::Consul:
        name = QStringLiteral("consul");
        key = QStringLiteral("limits/${service}");
        value = QStringLiteral("${rps}");
        peer.consul.insert(QStringLiteral("limits/svc"), "80");
        break;
    case ProtocolPeer::Kind::Envoy:
        name = QStringLiteral("envoy");
        key = QStringLiteral("local_rate_limit_enforced");
        value = QStringLiteral("${rps}");
        peer.envoy.insert(key, QStringLiteral("80"));
        peer.envoy.insert(QStringLiteral("other"), QStringLiteral("1"));
        break;
    case ProtocolPeer::Kind::Sentinel:
        name = QStringLiteral("sentinel");
        key = QStringLiteral("GET:/api/x");
        value = QStringLiteral("${rps}");
        peer.sentinelRules = QJsonArray{
            QJsonObject{{QStringLiteral("resource"), key}, {QStringLiteral("count"), 80}},
            QJsonObject{{QStringLiteral("resource"), QStringLiteral("other")}, {QStringLiteral("count"), 7}}};
        break;
    }
    const QByteArray text
        = QJsonDocument(
              QJsonObject{{QStringLiteral("services"), QJsonArray()},
                          {QStringLiteral("actions"),
                           QJsonArray{QJsonObject{
                               {QStringLiteral("name"), QStringLiteral("limit")},
                               {QStringLiteral("kind"), name},
                               {QStringLiteral("endpoint"), peer.url()},
                               {QStringLiteral("key"), key},
                               {QStringLiteral("value"), value},
                               {QStringLiteral("variables"),
                                QJsonObject{{QStringLiteral("rps"), QJsonObject{{QStringLiteral("default"), 20}}}}}}}}})
              .toJson();
    const config::ActionCatalog catalog = config::parseActionCatalog(text.toStdString(), QStringLiteral("f.json"));
    QVERIFY2(catalog.problems.empty(),
             qPrintable(catalog.problems.empty() ? QString() : catalog.problems.front().toString()));
    config::ServiceConfig target = service();
    target.name = QStringLiteral("svc");
    RunnerRig rig;
    triage::AuditLog &audit = rig.audit;
    triage::ActionRunner &runner = rig.runner;
    QSignalSpy &finished = rig.finished;
    QSignalSpy &reverted = rig.reverted;
    runner.run(*catalog.find(QStringLiteral("limit")), target, {{QStringLiteral("rps"), 20}}, false);
    QVERIFY(finished.wait(10000));
    const auto run = finished.first().at(0).value<triage::ActionRunPtr>();
    QVERIFY2(run->ok(), qPrintable(run->error));
    QCOMPARE(run->before, std::optional<QString>(QStringLiteral("80")));
    QCOMPARE(run->after, std::optional<QString>(QStringLiteral("20")));
    runner.revert(*catalog.find(QStringLiteral("limit")), target, *run);
    QVERIFY(reverted.wait(10000));
    QVERIFY2(reverted.first().at(0).value<triage::ActionRunPtr>()->ok(),
             qPrintable(reverted.first().at(0).value<triage::ActionRunPtr>()->error));
    switch (static_cast<ProtocolPeer::Kind>(kind)) {
    case ProtocolPeer::Kind::Consul:
        QCOMPARE(peer.consul.value(QStringLiteral("limits/svc")), QByteArray("80"));
        break;
    case ProtocolPeer::Kind::Envoy:
        QCOMPARE(peer.envoy.value(key), QStringLiteral("80"));
        QCOMPARE(peer.envoy.value(QStringLiteral("other")), QStringLiteral("1"));
        break;
    case ProtocolPeer::Kind::Sentinel:
        QCOMPARE(peer.sentinelRules.size(), 2); // the whole list came back
        QCOMPARE(peer.sentinelRules[0].toObject().value(QStringLiteral("count")).toDouble(), 80.0);
        QCOMPARE(peer.sentinelRules[1].toObject().value(QStringLiteral("count")).toDouble(), 7.0);
        break;
    }
    QVERIFY(audit.verify().ok);
}

QTEST_GUILESS_MAIN(TestActions)
#include "tst_actions.moc"
