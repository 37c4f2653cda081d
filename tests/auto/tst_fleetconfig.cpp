#include "testdata.h"

#include "config/fleetconfig.h"
#include "fleetconfigtesting.h"

#include <QTest>

using namespace gotriage::config;

class TestFleetConfig : public QObject
{
    Q_OBJECT

private slots:
    void minimal();
    void fullFile();
    void fileSd();
    void brokenEntries_data();
    void brokenEntries();
    void brokenFileKeepsGoodServices();
    void syntaxErrorHasPosition();
    void notAFleet();
    void unreadableFile();
    void tlsAndAuth();
    void secretsAreRefused_data();
    void secretsAreRefused();
    void timeouts();
    void autoCaptureSwitch();
    void hintsThatSayWhatToDo_data();
    void hintsThatSayWhatToDo();
};

void TestFleetConfig::minimal()
{
    const FleetConfig fleet = parseFleetConfig(R"({"services":[{"name":"api-1","url":"http://127.0.0.1:8080"}]})",
                                               QStringLiteral("f.json"));
    QVERIFY(fleet.problems.empty());
    QCOMPARE(fleet.services.size(), std::size_t(1));
    const ServiceConfig &s = fleet.services[0];
    QCOMPARE(s.name, QStringLiteral("api-1"));
    QCOMPARE(s.tier, Tier::NonCore);
    QCOMPARE(s.interval, std::chrono::milliseconds(1000));
    QCOMPARE(s.endpointUrl(s.paths.metrics).toString(), QStringLiteral("http://127.0.0.1:8080/metrics"));
    QCOMPARE(s.endpointUrl(s.paths.pprof).toString(), QStringLiteral("http://127.0.0.1:8080/debug/pprof/"));
}

void TestFleetConfig::fullFile()
{
    const FleetConfig fleet = loadFleetConfig(testDataPath(QStringLiteral("fleet/good.json")));
    QVERIFY(fleet.problems.empty());
    QCOMPARE(fleet.services.size(), std::size_t(2));
    const ServiceConfig &api = fleet.services[0];
    QCOMPARE(api.tier, Tier::Core);
    QCOMPARE(api.interval, std::chrono::milliseconds(2000)); // from defaults
    QCOMPARE(*api.limits.goroutines, 50000.0);
    QCOMPARE(api.labels.size(), std::size_t(2));
    QCOMPARE(api.labels[0].first, QStringLiteral("az")); // sorted by key
    const ServiceConfig &worker = fleet.services[1];
    QCOMPARE(worker.interval, std::chrono::milliseconds(500));
    QVERIFY(worker.paths.vars.isEmpty()); // null: not served
    QCOMPARE(worker.endpointUrl(worker.paths.metrics).toString(),
             QStringLiteral("https://10.0.0.5:9443/prefix/internal/metrics"));
    QCOMPARE(*worker.limits.memoryBytes, 536870912.0);
    QCOMPARE(*worker.limits.goroutines, 50000.0); // defaults merge with the service's own limits
}

void TestFleetConfig::fileSd()
{
    const FleetConfig fleet = loadFleetConfig(testDataPath(QStringLiteral("fleet/file_sd.json")));
    QVERIFY(fleet.problems.empty());
    QCOMPARE(fleet.services.size(), std::size_t(3));
    const ServiceConfig &first = fleet.services[0];
    QCOMPARE(first.name, QStringLiteral("127.0.0.1:9100"));
    QCOMPARE(first.tier, Tier::Core);
    QCOMPARE(first.endpointUrl(first.paths.metrics).toString(), QStringLiteral("https://127.0.0.1:9100/m"));
    QCOMPARE(first.labels.size(), std::size_t(1)); // job only: reserved labels steer, tier is a field
    QCOMPARE(fleet.services[2].baseUrl.toString(), QStringLiteral("http://localhost:9200"));
}

void TestFleetConfig::brokenEntries_data()
{
    QTest::addColumn<QString>("jsonPath");
    QTest::addColumn<bool>("isError");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing-url") << QStringLiteral("$.services[1].url") << true << QStringLiteral("missing");
    QTest::newRow("bad-scheme") << QStringLiteral("$.services[2].url") << true << QStringLiteral("http://");
    QTest::newRow("bad-tier") << QStringLiteral("$.services[3].tier") << true
                              << QStringLiteral("\"core\" or \"non-core\"");
    QTest::newRow("duplicate") << QStringLiteral("$.services[4]") << true
                               << QStringLiteral("duplicate service name \"ok\"");
    QTest::newRow("interval") << QStringLiteral("$.services[5].interval_s") << true
                              << QStringLiteral("between 0.1 and 3600");
    QTest::newRow("typo-is-warning") << QStringLiteral("$.services[6].intervall_s") << false
                                     << QStringLiteral("unknown key");
    QTest::newRow("negative-limit") << QStringLiteral("$.services[7].limits.goroutines") << true
                                    << QStringLiteral("positive number");
    QTest::newRow("not-object") << QStringLiteral("$.services[8]") << true << QStringLiteral("expected an object");
}

void TestFleetConfig::brokenEntries()
{
    QFETCH(QString, jsonPath);
    QFETCH(bool, isError);
    QFETCH(QString, message);
    const QString path = testDataPath(QStringLiteral("fleet/broken.json"));
    const FleetConfig fleet = loadFleetConfig(path);
    const ConfigProblem *problem = findProblem(fleet, jsonPath);
    QVERIFY2(problem, qPrintable(jsonPath));
    QCOMPARE(problem->isError, isError);
    QVERIFY2(problem->message.contains(message), qPrintable(problem->message));
    // The full message names the file and the JSON path.
    QVERIFY(problem->toString().startsWith(path + QStringLiteral(": ")));
    QVERIFY(problem->toString().contains(jsonPath + QStringLiteral(": ")));
}

void TestFleetConfig::brokenFileKeepsGoodServices()
{
    const FleetConfig fleet = loadFleetConfig(testDataPath(QStringLiteral("fleet/broken.json")));
    QVERIFY(fleet.hasErrors());
    QStringList names;
    for (const ServiceConfig &s : fleet.services)
        names << s.name;
    QCOMPARE(names, (QStringList{QStringLiteral("ok"), QStringLiteral("typo")}));
    QCOMPARE(fleet.problems.size(), std::size_t(8));
}

void TestFleetConfig::syntaxErrorHasPosition()
{
    const FleetConfig fleet = parseFleetConfig("{\n  \"services\": [\n    {\"name\": \"a\" \"url\": 1}\n  ]\n}",
                                               QStringLiteral("fleet.json"));
    QCOMPARE(fleet.problems.size(), std::size_t(1));
    const ConfigProblem &p = fleet.problems.front();
    QCOMPARE(p.line, 3);
    QCOMPARE(p.column, 22); // the end of the unexpected "url" token
    QVERIFY2(p.toString().startsWith(QStringLiteral("fleet.json:3:22: invalid JSON")), qPrintable(p.toString()));
}

void TestFleetConfig::notAFleet()
{
    const FleetConfig noServices = parseFleetConfig(R"({"servics": []})", QStringLiteral("f.json"));
    QVERIFY(findProblem(noServices, QStringLiteral("$.services")));
    QVERIFY(findProblem(noServices, QStringLiteral("$.servics"))); // the typo is named too
    const FleetConfig scalar = parseFleetConfig("42", QStringLiteral("f.json"));
    QVERIFY(scalar.hasErrors());
    const FleetConfig wrongType = parseFleetConfig(R"({"services": {"a": 1}})", QStringLiteral("f.json"));
    QVERIFY(
        findProblem(wrongType, QStringLiteral("$.services"))->message.contains(QStringLiteral("expected an array")));
}

void TestFleetConfig::unreadableFile()
{
    const FleetConfig fleet = loadFleetConfig(QStringLiteral("/nonexistent/fleet.json"));
    QCOMPARE(fleet.problems.size(), std::size_t(1));
    QVERIFY(fleet.problems.front().toString().startsWith(QStringLiteral("/nonexistent/fleet.json: cannot read")));
}

void TestFleetConfig::tlsAndAuth()
{
    const FleetConfig fleet = parseFleetConfig(R"({"services":[
        {"name":"a","url":"https://10.0.0.1:8443","tls_config":{"ca_file":"/etc/ca.pem","cert_file":"/c.pem",
         "key_file":"/k.pem","server_name":"api.internal"},"authorization":{"type":"Bearer","credentials_file":"/run/token"}},
        {"name":"b","url":"https://10.0.0.2:8443","tls_config":{"insecure_skip_verify":true},
         "basic_auth":{"username":"ops","password_file":"/run/pw"}}]})",
                                               QStringLiteral("f.json"));
    QCOMPARE(fleet.services.size(), std::size_t(2));
    QVERIFY(!fleet.hasErrors());
    const ServiceConfig &a = fleet.services[0];
    QCOMPARE(a.tls.caFile, QStringLiteral("/etc/ca.pem"));
    QCOMPARE(a.tls.serverName, QStringLiteral("api.internal"));
    QCOMPARE(a.auth.kind, AuthSettings::Kind::Bearer);
    QCOMPARE(a.auth.credentialsFile, QStringLiteral("/run/token"));
    const ServiceConfig &b = fleet.services[1];
    QVERIFY(b.tls.insecureSkipVerify);
    QCOMPARE(b.auth.kind, AuthSettings::Kind::Basic);
    // Turning verification off is allowed per service, and always said out loud.
    const ConfigProblem *warning = findProblem(fleet, QStringLiteral("$.services[1].tls_config.insecure_skip_verify"));
    QVERIFY(warning && !warning->isError);
}

void TestFleetConfig::secretsAreRefused_data()
{
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("jsonPath");
    QTest::newRow("inline-bearer") << QStringLiteral(R"("authorization":{"credentials":"abc"})")
                                   << QStringLiteral("$.services[0].authorization.credentials");
    QTest::newRow("inline-password") << QStringLiteral(R"("basic_auth":{"username":"u","password":"p"})")
                                     << QStringLiteral("$.services[0].basic_auth.password");
    QTest::newRow("both-sources") << QStringLiteral(
        R"("authorization":{"credentials_file":"/a","credentials_env":"B"})")
                                  << QStringLiteral("$.services[0].authorization");
    QTest::newRow("cert-without-key") << QStringLiteral(R"("tls_config":{"cert_file":"/c.pem"})")
                                      << QStringLiteral("$.services[0].tls_config");
}

void TestFleetConfig::secretsAreRefused()
{
    QFETCH(QString, service);
    QFETCH(QString, jsonPath);
    const QString text = QStringLiteral(R"({"services":[{"name":"a","url":"https://h:1",%1}]})").arg(service);
    const FleetConfig fleet = parseFleetConfig(text.toStdString(), QStringLiteral("f.json"));
    QVERIFY(fleet.services.empty());
    const ConfigProblem *problem = findProblem(fleet, jsonPath);
    QVERIFY2(problem && problem->isError,
             qPrintable(fleet.problems.empty() ? QString() : fleet.problems.front().toString()));
    QVERIFY(!problem->toString().contains(QStringLiteral("abc")));
}

void TestFleetConfig::timeouts()
{
    const FleetConfig fleet = parseFleetConfig(
        R"({"services":[{"name":"a","url":"http://h:1","interval_s":2},{"name":"b","url":"http://h:2","interval_s":10,"timeout_s":3,"connect_timeout_s":0.5,"body_limit_bytes":1048576,"sample_limit":0,"label_value_length_limit":100}]})",
        QStringLiteral("f.json"));
    QVERIFY(fleet.problems.empty());
    QCOMPARE(fleet.services[0].sampleLimit, kDefaultSampleLimit);
    QCOMPARE(fleet.services[0].labelValueLengthLimit, kDefaultLabelValueLengthLimit);
    QCOMPARE(fleet.services[1].sampleLimit, std::size_t(0)); // 0 lifts the bound, as in Prometheus
    QCOMPARE(fleet.services[1].labelValueLengthLimit, std::size_t(100));
    const FleetConfig bad = parseFleetConfig(R"({"services":[{"name":"a","url":"http://h:1","sample_limit":-5}]})",
                                             QStringLiteral("g.json"));
    QVERIFY(!bad.problems.empty());
    QVERIFY2(bad.problems.front().toString().contains(
                 QStringLiteral("$.services[0].sample_limit: expected a count between 0 (no limit) and 4294967295, "
                                "got -5")),
             qPrintable(bad.problems.front().toString()));
    QCOMPARE(fleet.services[0].totalTimeout(), std::chrono::milliseconds(1600)); // 0.8 × interval
    QCOMPARE(fleet.services[1].totalTimeout(), std::chrono::milliseconds(3000));
    QCOMPARE(fleet.services[1].connectTimeout, std::chrono::milliseconds(500));
    QCOMPARE(fleet.services[1].bodyLimit, qint64(1048576));
}

void TestFleetConfig::autoCaptureSwitch()
{
    // Off for the fleet in defaults, back on for one service; a wrong type
    // is an error that names the place, and that service is skipped.
    const FleetConfig fleet = parseFleetConfig(
        R"({"defaults":{"auto_capture":false},"services":[{"name":"a","url":"http://h:1"},)"
        R"({"name":"b","url":"http://h:2","auto_capture":true},{"name":"c","url":"http://h:3","auto_capture":"no"}]})",
        QStringLiteral("f.json"));
    QCOMPARE(fleet.services.size(), std::size_t(2));
    QCOMPARE(fleet.services[0].autoCapture, false);
    QCOMPARE(fleet.services[1].autoCapture, true);
    const ConfigProblem *problem = findProblem(fleet, QStringLiteral("$.services[2].auto_capture"));
    QVERIFY(problem);
    QVERIFY(problem->isError);
    QVERIFY2(problem->message.contains(QLatin1String("true or false")), qPrintable(problem->message));
    // On by default.
    QVERIFY(parseFleetConfig(R"({"services":[{"name":"a","url":"http://h:1"}]})", QStringLiteral("g.json"))
                .services.front()
                .autoCapture);
    // Link-local and metadata addresses: refused unless a service says so.
    const FleetConfig linkLocal = parseFleetConfig(
        R"({"services":[{"name":"a","url":"http://h:1"},{"name":"b","url":"http://169.254.1.1:9","allow_link_local":true},)"
        R"({"name":"c","url":"http://h:3","allow_link_local":1}]})",
        QStringLiteral("l.json"));
    QCOMPARE(linkLocal.services.size(), std::size_t(2));
    QCOMPARE(linkLocal.services[0].allowLinkLocal, false);
    QCOMPARE(linkLocal.services[1].allowLinkLocal, true);
    QVERIFY(findProblem(linkLocal, QStringLiteral("$.services[2].allow_link_local")));
}

QTEST_APPLESS_MAIN(TestFleetConfig)
void TestFleetConfig::hintsThatSayWhatToDo_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("problem");
    QTest::newRow("yaml") << QStringLiteral("# my fleet\nservices:\n  - name: api\n    url: http://127.0.0.1:8080\n")
                          << QStringLiteral("fleet.yml:1:1: this looks like YAML, but fleet files are JSON: "
                                            "{\"services\": [{\"name\": \"api\", \"url\": \"http://host:port\"}]} "
                                            "(invalid JSON: syntax error while parsing value - invalid literal; last "
                                            "read: '#')");
    QTest::newRow("did-you-mean-limits")
        << QStringLiteral(
               "{\"services\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:1\",\"limit\":{\"goroutines\":10}}]}")
        << QStringLiteral("fleet.yml: warning: $.services[0].limit: unknown key (ignored); did you mean `limits`?");
    QTest::newRow("did-you-mean-defaults")
        << QStringLiteral("{\"services\":[],\"defualts\":{}}")
        << QStringLiteral("fleet.yml: warning: $.defualts: unknown key (ignored); did you mean `defaults`?");
    QTest::newRow("url-ends-in-metrics")
        << QStringLiteral("{\"services\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:9090/metrics\"}]}")
        << QStringLiteral("fleet.yml: warning: $.services[0].url: `url` is the service's base URL: gotriage appends "
                          "`paths.metrics` (/metrics) and the other endpoints to it; did you mean "
                          "\"http://127.0.0.1:9090\"?");
    // Found by fuzz_fleetconfig: a number JSON cannot hold threw past the
    // reader and took the program down.
    QTest::newRow("number-overflow") << QStringLiteral("[{\"targets\": [\"127.0.0.1:9115\"], \"x\": 1E99999}]")
                                     << QStringLiteral(
                                            "fleet.yml:1:39: invalid JSON: number overflow parsing '1E99999'");
    QTest::newRow("no-guess-when-far")
        << QStringLiteral("{\"services\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:1\",\"colour\":\"red\"}]}")
        << QStringLiteral("fleet.yml: warning: $.services[0].colour: unknown key (ignored)");
}

void TestFleetConfig::hintsThatSayWhatToDo()
{
    QFETCH(QString, text);
    QFETCH(QString, problem);
    const FleetConfig fleet = parseFleetConfig(text.toStdString(), QStringLiteral("fleet.yml"));
    QStringList problems;
    for (const ConfigProblem &p : fleet.problems)
        problems << p.toString();
    QCOMPARE(problems, QStringList{problem});
}

#include "tst_fleetconfig.moc"
