// Importing from a real Prometheus (Debian's 2.42, started here on a free
// loopback port) that scrapes the Go incident lab every second: the window
// becomes a recording whose vitals are what the server holds, whose targets
// are named by their jobs, and whose analysis finds the lab's leak. A bad
// query and a dead server are named; no file is left behind. The window's
// import dialog does the same, and cancels.
#include "testdata.h"

#include "config/fleetconfig.h"
#include "importdialog.h"
#include "ingest/promql.h"
#include "ingest/promtargets.h"
#include "record/recorder.h"
#include "record/recordingfile.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <cmath>

#include <signal.h>
#include <sys/prctl.h>

using namespace gotriage;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestPromImport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void answersAreRead();
    void matchersAndDurationsAreRead();
    void capturedTargetsAreRead();
    void targetsBecomeTheFleet();
    void importsTheLabAsARecording();
    void aBadQueryOrADeadServerIsNamed();
    void theWindowsDialogImportsAndCancels();

private:
    // An instant query's answer as JSON, or an empty object.
    QJsonObject query(const QString &promql, qint64 atMs = 0);
    QProcess::ExitStatus runCli(const QStringList &arguments, int *exitCode, QByteArray *err);

    QTemporaryDir m_dir;
    QProcess m_prometheus;
    QUrl m_server;
    std::vector<config::ServiceConfig> m_lab;
    QNetworkAccessManager m_network;
};

QJsonObject TestPromImport::query(const QString &promql, qint64 atMs)
{
    QUrl url = m_server.resolved(QUrl(QStringLiteral("/api/v1/query")));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("query"), QString::fromLatin1(QUrl::toPercentEncoding(promql)));
    if (atMs > 0)
        q.addQueryItem(QStringLiteral("time"), QString::number(double(atMs) / 1000.0, 'f', 3));
    url.setQuery(q);
    QNetworkReply *reply = m_network.get(QNetworkRequest(url));
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

QProcess::ExitStatus TestPromImport::runCli(const QStringList &arguments, int *exitCode, QByteArray *err)
{
    QProcess cli;
    cli.start(QStringLiteral(GOTRIAGE_CLI), arguments);
    if (!cli.waitForFinished(180'000))
        qFatal("gotriage-cli %s did not finish", qPrintable(arguments.join(u' ')));
    *exitCode = cli.exitCode();
    *err = cli.readAllStandardError();
    return cli.exitStatus();
}

void TestPromImport::initTestCase()
{
    const QString labDir = qEnvironmentVariable("GOTRIAGE_LAB_DIR");
    QVERIFY2(!labDir.isEmpty(), "GOTRIAGE_LAB_DIR is not set: run through CTest, which starts the lab");
    const config::FleetConfig fleet = config::loadFleetConfig(labDir + QStringLiteral("/fleet.json"));
    QVERIFY(fleet.problems.empty());
    m_lab = fleet.services;
    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    QVERIFY2(!prometheus.isEmpty(), "prometheus not found: packaging/install-deps.sh --test installs it");

    // One job per lab service, scraped every second.
    QByteArray config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n";
    for (const config::ServiceConfig &s : m_lab) {
        config += "  - job_name: " + s.name.toUtf8() + "\n    static_configs:\n      - targets: [\""
            + s.baseUrl.authority().toUtf8() + "\"]\n";
    }
    QFile file(m_dir.filePath(QStringLiteral("prometheus.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(config) == config.size());
    file.close();
    const quint16 port = freePort();
    m_server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    m_prometheus.setProcessChannelMode(QProcess::MergedChannels);
    // Stopped with the test even when the test is killed (a timeout, a crash).
    m_prometheus.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_prometheus.setStandardOutputFile(m_dir.filePath(QStringLiteral("prometheus.log")));
    m_prometheus.start(prometheus,
                       {QStringLiteral("--config.file=") + file.fileName(),
                        QStringLiteral("--storage.tsdb.path=") + m_dir.filePath(QStringLiteral("data")),
                        QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)});
    QVERIFY(m_prometheus.waitForStarted());
    // Until it holds 50 s of every target (the import asks for 40, rates need the 5 before).
    const auto scraped = [this]() {
        const QJsonArray result = query(QStringLiteral("min(count_over_time(up[1m]))"))
                                      .value(QStringLiteral("data"))
                                      .toObject()
                                      .value(QStringLiteral("result"))
                                      .toArray();
        return result.isEmpty() ? 0.0
                                : result[0].toObject()[QStringLiteral("value")].toArray()[1].toString().toDouble();
    };
    QTRY_VERIFY_WITH_TIMEOUT(scraped() >= 50 || m_prometheus.state() == QProcess::NotRunning, 120'000);
    QVERIFY2(m_prometheus.state() == QProcess::Running, "prometheus exited: see its log in the test's folder");
}

void TestPromImport::cleanupTestCase()
{
    m_prometheus.terminate();
    if (!m_prometheus.waitForFinished(10'000))
        m_prometheus.kill();
    m_prometheus.waitForFinished();
}

void TestPromImport::answersAreRead()
{
    QString error;
    const auto ok = ingest::parseQueryRange(
        R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a","instance":"h:1"},)"
        R"("values":[[1796000000.5,"1"],[1796000001,"NaN"],[1796000002,"+Inf"]]}]}})",
        &error);
    QVERIFY2(ok, qPrintable(error));
    QCOMPARE(ok->size(), std::size_t(1));
    QCOMPARE(ok->front().labels.at(QStringLiteral("job")), QStringLiteral("a"));
    QCOMPARE(ok->front().points.size(), std::size_t(3));
    QCOMPARE(ok->front().points[0].first, qint64(1'796'000'000'500));
    QCOMPARE(ok->front().points[0].second, 1.0);
    QVERIFY(std::isnan(ok->front().points[1].second));
    QVERIFY(std::isinf(ok->front().points[2].second));
    const QByteArray bad[] = {
        R"({"status":"error","errorType":"bad_data","error":"parse error"})",
        R"({"status":"success","data":{"resultType":"vector","result":[]}})",
        R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}})",
        "<html>502 Bad Gateway</html>",
        "",
    };
    const char *said[] = {"parse error", "resultType \"vector\"", "not [time", "502 Bad Gateway", "not the JSON"};
    for (std::size_t i = 0; i < std::size(bad); ++i) {
        QVERIFY(!ingest::parseQueryRange(bad[i], &error));
        QVERIFY2(error.contains(QLatin1String(said[i])), qPrintable(error));
    }
    // A query with the characters a query string holds dear still reaches the server whole.
    const QUrl url = ingest::queryRangeUrl(QUrl(QStringLiteral("http://p:9090/prom")), QStringLiteral("a + b{c=\"&\"}"),
                                           1000, 61000, 15000);
    QCOMPARE(url.path(), QStringLiteral("/prom/api/v1/query_range"));
    QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded),
             QStringLiteral("a + b{c=\"&\"}"));
    QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("step")), QStringLiteral("15.000"));

    // An instant query's answer, as Prometheus 2.42 gave it: one point per
    // series, at the time asked; its refusal of a bad query, in its words.
    const auto instant = ingest::parseInstantQuery(
        QByteArray::fromStdString(readTestData(QStringLiteral("peers/prometheus_2.42_query.json"))), &error);
    QVERIFY2(instant, qPrintable(error));
    QCOMPARE(instant->size(), std::size_t(1));
    QCOMPARE(instant->front().labels.at(QStringLiteral("job")), QStringLiteral("prometheus"));
    QCOMPARE(instant->front().points.size(), std::size_t(1));
    QCOMPARE(instant->front().points[0].first, qint64(1'796'400'069'200));
    QCOMPARE(instant->front().points[0].second, 1.0);
    QVERIFY(!ingest::parseInstantQuery(
        QByteArray::fromStdString(readTestData(QStringLiteral("peers/prometheus_2.42_query_error.json"))), &error));
    QVERIFY2(error.contains(QLatin1String("missing unit character in duration")), qPrintable(error));
    // A range answer is not an instant one.
    QVERIFY(!ingest::parseInstantQuery(
        QByteArray::fromStdString(readTestData(QStringLiteral("peers/prometheus_2.42_query_range.json"))), &error));
    QVERIFY2(error.contains(QLatin1String("matrix")), qPrintable(error));
}

void TestPromImport::matchersAndDurationsAreRead()
{
    using std::chrono::milliseconds;
    QCOMPARE(ingest::parsePromDuration(QStringLiteral("15s")), std::optional(milliseconds(15'000)));
    QCOMPARE(ingest::parsePromDuration(QStringLiteral("1m30s")), std::optional(milliseconds(90'000)));
    QCOMPARE(ingest::parsePromDuration(QStringLiteral("250ms")), std::optional(milliseconds(250)));
    QCOMPARE(ingest::parsePromDuration(QStringLiteral("1h1m")), std::optional(milliseconds(3'660'000)));
    for (const char *bad : {"", "s", "15", "1s1m", "15x", "-1s", "1.5s", "99999999999y"})
        QVERIFY2(!ingest::parsePromDuration(QString::fromLatin1(bad)), bad);

    QString error;
    const auto matchers
        = ingest::parseLabelMatchers(QStringLiteral(R"(job=~"checkout.*", env="prod",team!="",zone!~'eu-.*')"), &error);
    QVERIFY2(matchers, qPrintable(error));
    QCOMPARE(matchers->size(), std::size_t(4));
    ingest::PromTarget target;
    target.labels = {{QStringLiteral("env"), QStringLiteral("prod")},
                     {QStringLiteral("job"), QStringLiteral("checkout-api")},
                     {QStringLiteral("team"), QStringLiteral("payments")},
                     {QStringLiteral("zone"), QStringLiteral("us-1")}};
    QVERIFY(ingest::matchesAll(*matchers, target));
    target.labels[1].second = QStringLiteral("my-checkout"); // anchored: a match inside is not one
    QVERIFY(!ingest::matchesAll(*matchers, target));
    target.labels[1].second = QStringLiteral("checkout-api");
    target.labels[3].second = QStringLiteral("eu-west");
    QVERIFY(!ingest::matchesAll(*matchers, target));
    target.labels.erase(target.labels.begin() + 2); // no team: "" is not != ""
    target.labels[2].second = QStringLiteral("us-1");
    QVERIFY(!ingest::matchesAll(*matchers, target));
    QVERIFY(ingest::parseLabelMatchers(QString(), &error)->empty()); // every target
    const std::pair<const char *, const char *> bad[] = {
        {"job", "column 4: =, !=, =~ or !~"},
        {"job=checkout", "column 5: a quoted value"},
        {"job=\"a\" env=\"b\"", "column 9: a comma"},
        {"job=~\"(\"", "column 1: the regular expression of \"job\" is invalid"},
        {"job=\"open", "is not closed"},
        {"=\"x\"", "column 1: a label name"},
    };
    for (const auto &[text, said] : bad) {
        QVERIFY2(!ingest::parseLabelMatchers(QString::fromLatin1(text), &error), text);
        QVERIFY2(error.contains(QLatin1String(said)), qPrintable(error));
    }
}

void TestPromImport::capturedTargetsAreRead()
{
    // Prometheus 2.42's own answer: itself (up, labelled tier=core) and a
    // job of two targets on a custom metrics path that refuse connections.
    QFile file(QStringLiteral(GOTRIAGE_TEST_DATA "/peers/prometheus_2.42_targets.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const auto targets = ingest::parseTargets(file.readAll(), &error);
    QVERIFY2(targets, qPrintable(error));
    QCOMPARE(targets->size(), std::size_t(3));
    std::vector<config::ServiceConfig> services = ingest::servicesFromTargets(*targets);
    std::sort(services.begin(), services.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    QCOMPARE(services[0].name, QStringLiteral("checkout-api/127.0.0.1:1"));
    QCOMPARE(services[1].name, QStringLiteral("checkout-api/127.0.0.1:2"));
    QCOMPARE(services[2].name, QStringLiteral("prometheus"));
    QCOMPARE(services[0].paths.metrics, QStringLiteral("/internal/metrics"));
    QCOMPARE(services[0].baseUrl, QUrl(QStringLiteral("http://127.0.0.1:1")));
    QCOMPARE(services[2].tier, config::Tier::Core);
    QCOMPARE(services[0].tier, config::Tier::NonCore);
    const auto down = std::find_if(targets->begin(), targets->end(), [](const ingest::PromTarget &t) {
        return t.instance == QLatin1String("127.0.0.1:2");
    });
    QCOMPARE(down->health, QStringLiteral("down"));
    QVERIFY(down->lastError.contains(QLatin1String("connection refused")));
    QCOMPARE(down->scrapeInterval, std::chrono::milliseconds(1000));
    const auto payments = ingest::parseLabelMatchers(QStringLiteral("team=\"payments\""), &error);
    QCOMPARE(std::count_if(targets->begin(), targets->end(),
                           [&](const ingest::PromTarget &t) { return ingest::matchesAll(*payments, t); }),
             2L);
}

void TestPromImport::targetsBecomeTheFleet()
{
    // The real server's /api/v1/targets: one job per lab service.
    QNetworkReply *reply = m_network.get(QNetworkRequest(ingest::targetsUrl(m_server)));
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    const QByteArray body = reply->readAll();
    QString error;
    int skipped = -1;
    const auto targets = ingest::parseTargets(body, &error, &skipped);
    QVERIFY2(targets, qPrintable(error));
    QCOMPARE(skipped, 0);
    QCOMPARE(targets->size(), m_lab.size());
    std::vector<config::ServiceConfig> services = ingest::servicesFromTargets(*targets);
    std::sort(services.begin(), services.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    std::vector<config::ServiceConfig> lab = m_lab;
    std::sort(lab.begin(), lab.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    for (std::size_t i = 0; i < lab.size(); ++i) {
        QCOMPARE(services[i].name, lab[i].name); // one target per job: named by the job
        QCOMPARE(services[i].baseUrl.authority(), lab[i].baseUrl.authority());
        QCOMPARE(services[i].paths.metrics, QStringLiteral("/metrics"));
        QCOMPARE(services[i].interval, std::chrono::milliseconds(1000)); // the server's 1 s
    }
    for (const ingest::PromTarget &target : *targets)
        QCOMPARE(target.health, QStringLiteral("up"));
    // Filtered by job, as a user narrows a large server to one team's services.
    const auto oneJob = ingest::parseLabelMatchers(QStringLiteral("job=\"%1\"").arg(lab.front().name), &error);
    QVERIFY2(oneJob, qPrintable(error));
    QCOMPARE(std::count_if(targets->begin(), targets->end(),
                           [&](const ingest::PromTarget &t) { return ingest::matchesAll(*oneJob, t); }),
             1L);

    // The same from the command line, written as a fleet file gotriage reads.
    const QString fleetOut = m_dir.filePath(QStringLiteral("discovered.json"));
    int exitCode = -1;
    QByteArray err;
    QProcess cli;
    cli.start(QStringLiteral(GOTRIAGE_CLI),
              {QStringLiteral("discover"), QStringLiteral("--prometheus"), m_server.toString(),
               QStringLiteral("--match"), QStringLiteral("job=~\"%1|%2\"").arg(lab[0].name, lab[1].name),
               QStringLiteral("--fleet-out"), fleetOut, QStringLiteral("--json")});
    QVERIFY(cli.waitForFinished(60'000));
    exitCode = cli.exitCode();
    err = cli.readAllStandardError();
    QVERIFY2(exitCode == 0, err.constData());
    const QList<QByteArray> lines = cli.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].contains("\"health\":\"up\"") && lines[0].contains("\"job\":"), lines[0].constData());
    const config::FleetConfig discovered = config::loadFleetConfig(fleetOut);
    QVERIFY(discovered.problems.empty());
    QCOMPARE(discovered.services.size(), std::size_t(2));
    for (const config::ServiceConfig &service : discovered.services) {
        const auto same = std::find_if(lab.begin(), lab.end(), [&](const auto &l) { return l.name == service.name; });
        QVERIFY(same != lab.end());
        QCOMPARE(service.baseUrl.authority(), same->baseUrl.authority());
    }
    cli.start(QStringLiteral(GOTRIAGE_CLI),
              {QStringLiteral("discover"), QStringLiteral("--prometheus"), m_server.toString(),
               QStringLiteral("--match"), QStringLiteral("job="), QStringLiteral("--json")});
    QVERIFY(cli.waitForFinished(60'000));
    QCOMPARE(cli.exitCode(), 2);
    QVERIFY(cli.readAllStandardError().contains("--match: column 5: a quoted value"));

    // Two targets in one job are named job/instance; the same one twice stays two services.
    ingest::PromTarget a = targets->front(), b = targets->front();
    b.instance = QStringLiteral("127.0.0.1:1");
    const auto named = ingest::servicesFromTargets({a, b, a});
    QCOMPARE(named[0].name, a.job + u'/' + a.instance);
    QCOMPARE(named[1].name, a.job + QStringLiteral("/127.0.0.1:1"));
    QCOMPARE(named[2].name, a.job + u'/' + a.instance + QStringLiteral(" #2"));
    // A broken answer is named, not guessed at.
    QVERIFY(!ingest::parseTargets("<html>502</html>", &error));
    QVERIFY2(error.contains(QLatin1String("not the JSON")), qPrintable(error));
    QVERIFY(!ingest::parseTargets(R"({"status":"success","data":{}})", &error));
    QVERIFY2(error.contains(QLatin1String("no list of active targets")), qPrintable(error));
    // moc's preprocessor misreads a raw string inside a macro's arguments.
    const QByteArray unusable
        = R"({"status":"success","data":{"activeTargets":[{"labels":{}},{"scrapeUrl":"ftp://x/"}]}})";
    QVERIFY(ingest::parseTargets(unusable, &error, &skipped));
    QCOMPARE(skipped, 2);
}

void TestPromImport::importsTheLabAsARecording()
{
    const QString out = m_dir.filePath(QStringLiteral("imported.gotriage"));
    const qint64 to = QDateTime::currentMSecsSinceEpoch() - 2000;
    const qint64 from = to - 40'000;
    int exitCode = -1;
    QByteArray err;
    runCli({QStringLiteral("import"), QStringLiteral("--prometheus"), m_server.toString(), QStringLiteral("--from"),
            QString::number(from), QStringLiteral("--to"), QString::number(to), QStringLiteral("--step"),
            QStringLiteral("1s"), QStringLiteral("--rate-window"), QStringLiteral("5s"), QStringLiteral("--fast"),
            QStringLiteral("--out"), out},
           &exitCode, &err);
    QVERIFY2(exitCode == 0, err.constData());
    QVERIFY2(err.contains("5 services"), err.constData());

    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(out, &error), qPrintable(error));
    // One job per service, each named by its job.
    QStringList expected;
    for (const config::ServiceConfig &s : m_lab)
        expected << s.name;
    expected.sort();
    QCOMPARE(reader.services(), expected);
    // The leak climbs at its injected 50 goroutines a second; every value is
    // what the server answers for that moment.
    const QStringList columns = reader.columns(QStringLiteral("leak-1"));
    const auto goroutines = static_cast<std::size_t>(columns.indexOf(QStringLiteral("goroutines")));
    const auto up = static_cast<std::size_t>(columns.indexOf(QStringLiteral("scrape_up")));
    const auto cpu = static_cast<std::size_t>(columns.indexOf(QStringLiteral("cpu")));
    const record::SampleBlock leak = reader.samples(QStringLiteral("leak-1"), from, to);
    QVERIFY2(leak.sampleCount() >= 38, qPrintable(QString::number(leak.sampleCount())));
    const double rise = leak.columns[goroutines].back() - leak.columns[goroutines].front();
    QVERIFY2(rise > 25.0 * double(leak.timesMs.back() - leak.timesMs.front()) / 1000.0,
             qPrintable(QStringLiteral("goroutines rose %1").arg(rise)));
    for (const std::size_t i : {std::size_t(0), leak.sampleCount() / 2, leak.sampleCount() - 1}) {
        QCOMPARE(leak.columns[up][i], 1.0);
        QVERIFY(leak.columns[cpu][i] >= 0); // known: a rate of the CPU counter
        const QJsonArray result = query(QStringLiteral("go_goroutines{job=\"leak-1\"}"), leak.timesMs[i])
                                      .value(QStringLiteral("data"))
                                      .toObject()
                                      .value(QStringLiteral("result"))
                                      .toArray();
        QCOMPARE(result.size(), 1);
        QCOMPARE(result[0].toObject()[QStringLiteral("value")].toArray()[1].toString().toDouble(),
                 leak.columns[goroutines][i]);
    }
    double cpuSum = 0;
    for (const double c : leak.columns[cpu])
        cpuSum += std::isnan(c) ? 0 : c;
    QVERIFY2(cpuSum > 0, "the leaking service used no CPU at all");
    // Analysed as it went in: the leak is a finding of the recording, and a
    // note says where the data came from.
    bool leakFound = false;
    for (const record::StoredEvent &e : reader.events(from, to, QString::fromLatin1(record::kFindingEvent)))
        leakFound
            = leakFound || (e.service == QLatin1String("leak-1") && e.json.contains(QLatin1String("goroutine_leak")));
    QVERIFY2(leakFound, "no goroutine_leak finding for leak-1 in the imported recording");
    const auto notes = reader.events(from, to, QString::fromLatin1(record::kNoteEvent));
    QCOMPARE(notes.size(), std::size_t(1));
    QVERIFY(notes.front().json.contains(m_server.toString()));
    // It replays like any recording.
    QVERIFY2(runCli({QStringLiteral("replay"), out, QStringLiteral("--json")}, &exitCode, &err) == QProcess::NormalExit
                 && exitCode == 0,
             err.constData());
}

void TestPromImport::aBadQueryOrADeadServerIsNamed()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    int exitCode = -1;
    QByteArray err;
    const QString out = m_dir.filePath(QStringLiteral("bad.gotriage"));
    runCli({QStringLiteral("import"), QStringLiteral("--prometheus"), m_server.toString(), QStringLiteral("--from"),
            QString::number(now - 30'000), QStringLiteral("--match"), QStringLiteral("job=~\"(\""),
            QStringLiteral("--out"), out},
           &exitCode, &err);
    QCOMPARE(exitCode, 1);
    QVERIFY2(err.contains(m_server.toString().toUtf8()) && err.contains("the server says"), err.constData());
    QVERIFY(!QFile::exists(out));

    const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(freePort());
    runCli({QStringLiteral("import"), QStringLiteral("--prometheus"), dead, QStringLiteral("--from"),
            QString::number(now - 30'000), QStringLiteral("--out"), out},
           &exitCode, &err);
    QCOMPARE(exitCode, 1);
    QVERIFY2(err.contains(dead.toUtf8()) && err.contains("scrape_up"), err.constData());
    QVERIFY(!QFile::exists(out));
}

void TestPromImport::theWindowsDialogImportsAndCancels()
{
    const QString out = m_dir.filePath(QStringLiteral("imports"));
    ui::ImportDialog dialog(out);
    dialog.setServer(m_server.toString());
    dialog.setWindowMinutes(15);
    dialog.setStepSeconds(1);
    dialog.setMatchers(QStringLiteral("job=~\"leak-1|healthy-1\""));
    dialog.resize(640, 260);
    dialog.show();
    QSignalSpy imported(&dialog, &ui::ImportDialog::imported);
    QSignalSpy failed(&dialog, &ui::ImportDialog::failed);
    dialog.startImport();
    QTRY_VERIFY_WITH_TIMEOUT(!imported.isEmpty() || !failed.isEmpty(), 120'000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
    const QString path = imported.front().front().toString();
    QVERIFY2(path.startsWith(out + QStringLiteral("/import-127.0.0.1-")), qPrintable(path));
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(dialog.grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/import-dialog.png")));
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.services(), (QStringList{QStringLiteral("healthy-1"), QStringLiteral("leak-1")}));

    // A server that takes the connection and never answers: cancelling
    // stops at once and leaves no file.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    ui::ImportDialog stuck(m_dir.filePath(QStringLiteral("stuck")));
    stuck.setServer(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
    QSignalSpy stuckFailed(&stuck, &ui::ImportDialog::failed);
    stuck.show();
    stuck.startImport();
    QTRY_VERIFY(silent.hasPendingConnections());
    QTest::qWait(200);
    QVERIFY(stuckFailed.isEmpty());
    QTest::keyClick(&stuck, Qt::Key_Escape);
    QTRY_COMPARE_WITH_TIMEOUT(stuckFailed.size(), 1, 5000);
    QCOMPARE(stuckFailed.front().front().toString(), QStringLiteral("cancelled"));
    QVERIFY(stuck.isVisible()); // it stays, to say so
    QCOMPARE(QDir(m_dir.filePath(QStringLiteral("stuck"))).entryList(QDir::Files), QStringList());
}

QTEST_MAIN(TestPromImport)
#include "tst_promimport.moc"
