// gotriage against real Go servers nobody here wrote: Prometheus 2.42, etcd
// 3.4 and node-exporter 1.5 from Debian (go1.19), as a new user would first
// point it at them: their base URLs and nothing else. CTest starts them on
// free loopback ports before this test and stops them after (fixture
// "peers", tests/peers/peers.sh).
#include "expositionoracle.h"

#include "procstat.h"

#include "config/actioncatalog.h"
#include "config/fleetconfig.h"
#include "ingest/livesource.h"
#include "ingest/requestexecutor.h"
#include "issues/scrapeissues.h"
#include "session/session.h"
#include "triage/actionrunner.h"
#include "triage/auditlog.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <map>

using namespace gotriage;
using namespace gotriage::testing;
using vitals::Vital;

namespace {

// A plain HTTP/1.0 GET over a socket: the oracle shares no code with the
// scraper it checks. `status` gets the response's status code.
QByteArray httpGet(const QUrl &url, int *status = nullptr)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), static_cast<quint16>(url.port()));
    if (!socket.waitForConnected(3000))
        return {};
    socket.write("GET " + url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority)
                 + " HTTP/1.0\r\nHost: " + url.host().toLatin1() + "\r\n\r\n");
    QByteArray response;
    while (socket.state() == QAbstractSocket::ConnectedState || socket.bytesAvailable() > 0) {
        if (!socket.waitForReadyRead(3000) && socket.bytesAvailable() == 0)
            break;
        response += socket.readAll();
    }
    const qsizetype headerEnd = response.indexOf("\r\n\r\n");
    if (status)
        *status = response.mid(9, 3).toInt(); // "HTTP/1.1 404 ..."
    return headerEnd < 0 ? QByteArray() : response.mid(headerEnd + 4);
}

} // namespace

class TestRealPeers : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void vitalsMatchProc_data();
    void vitalsMatchProc();
    void vitalsMatchPrometheusOwnView();
    void optionalEndpointsAreSaidOnce();
    void ownScrapesAreNotTraffic();
    void healthyPeersHaveNoTimeToLimit();
    void etcdRequestRateUnderLoad();
    void cliSaysEachProblemOnce();
    void etcdKeyIsWrittenAndRestored();

private:
    qint64 pid(const QString &name) const;
    QUrl url(const QString &name) const;
    const session::ServiceReport &latest(const QString &name) const;
    QStringList withoutExpvar() const; // the peers whose /debug/vars answers 404

    QString m_dir;
    std::vector<config::ServiceConfig> m_services;
    std::unique_ptr<session::Session> m_watcher;
    std::map<QString, std::vector<session::ServiceReportPtr>> m_reports;
    issues::IssuesModel m_issues;
    QStringList m_news;
    double m_prometheusDebug404AtStart = 0;
    std::map<QString, std::pair<qint64, double>> m_cpuAtStart; // service -> (ms, /proc cpu seconds)
};

qint64 TestRealPeers::pid(const QString &name) const
{
    QFile file(m_dir + QLatin1Char('/') + name + QStringLiteral(".pid"));
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toLongLong() : -1;
}

QUrl TestRealPeers::url(const QString &name) const
{
    QFile file(m_dir + QLatin1Char('/') + name + QStringLiteral(".url"));
    return file.open(QIODevice::ReadOnly) ? QUrl(QString::fromLatin1(file.readAll().trimmed())) : QUrl();
}

const session::ServiceReport &TestRealPeers::latest(const QString &name) const
{
    return *m_reports.at(name).back();
}

void TestRealPeers::initTestCase()
{
    m_dir = qEnvironmentVariable("GOTRIAGE_PEERS_DIR");
    QVERIFY2(!m_dir.isEmpty(), "GOTRIAGE_PEERS_DIR is not set: run through CTest, which starts the peers");
    const config::FleetConfig fleet = config::loadFleetConfig(m_dir + QStringLiteral("/fleet.json"));
    QVERIFY(fleet.problems.empty());
    QCOMPARE(fleet.services.size(), std::size_t(3));
    m_services = fleet.services;

    const QByteArray prometheusMetrics
        = httpGet(url(QStringLiteral("prometheus")).resolved(QUrl(QStringLiteral("/metrics"))));
    m_prometheusDebug404AtStart = familySum(prometheusMetrics, QStringLiteral("prometheus_http_requests_total"),
                                            QStringLiteral("code=\"404\""));
    for (const auto &s : m_services)
        m_cpuAtStart[s.name] = {QDateTime::currentMSecsSinceEpoch(), procCpuSeconds(pid(s.name))};

    m_watcher = std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>());
    connect(m_watcher.get(), &session::Session::batchReady, this, [this](const session::SessionBatchPtr &batch) {
        for (const session::ServiceReportPtr &report : batch->reports) {
            m_reports[report->scrape->service].push_back(report);
            m_news << issues::applyScrapeReport(m_issues, *report, batch->nowMs);
        }
    });
    m_watcher->setServices(m_services);
    m_watcher->start();
    // Twelve seconds: rates need five, and the CPU rate a full window.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_reports.size() == 3
            && std::all_of(m_reports.begin(), m_reports.end(), [](const auto &e) { return e.second.size() >= 12; }),
        30000);
}

void TestRealPeers::vitalsMatchProc_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"prometheus", "etcd", "node-exporter"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestRealPeers::vitalsMatchProc()
{
    QFETCH(QString, name);
    const qint64 process = pid(name);
    QVERIFY(process > 0);
    const session::ServiceReport &last = latest(name);
    QVERIFY2(last.scrape->up, qPrintable(last.scrape->error));
    const vitals::VitalsSample &v = last.vitals;

    const double rss = procRssBytes(process);
    QVERIFY2(std::fabs(v[Vital::Rss] - rss) <= 0.15 * rss,
             qPrintable(QStringLiteral("rss %1 vs /proc %2").arg(v[Vital::Rss]).arg(rss)));
    const double threads = procStatusField(process, "Threads").toDouble();
    QVERIFY2(std::fabs(v[Vital::Threads] - threads) <= 2,
             qPrintable(QStringLiteral("threads %1 vs /proc %2").arg(v[Vital::Threads]).arg(threads)));
    const int fds = procOpenFds(process);
    QVERIFY2(std::fabs(v[Vital::Fds] - fds) <= 3,
             qPrintable(QStringLiteral("fds %1 vs /proc %2").arg(v[Vital::Fds]).arg(fds)));
    QVERIFY(v[Vital::FdsMax] > 0);

    // CPU: the vital's 10 s rate vs the kernel's average since the start
    // of the test (0.05 cores or 30 %: idle servers tick unevenly).
    const auto [startMs, startCpu] = m_cpuAtStart.at(name);
    const double procRate = (procCpuSeconds(process) - startCpu)
        / (static_cast<double>(QDateTime::currentMSecsSinceEpoch() - startMs) / 1000.0);
    QVERIFY2(vitals::isKnown(v[Vital::Cpu]), "cpu unknown after 12 s");
    QVERIFY2(std::fabs(v[Vital::Cpu] - procRate) <= std::max(0.05, 0.3 * procRate),
             qPrintable(QStringLiteral("cpu %1 vs /proc %2").arg(v[Vital::Cpu]).arg(procRate)));

    // No rate vital drew a false first zero: every one is unknown until its
    // window is long enough, then known (where the service has the counter).
    const auto &reports = m_reports.at(name);
    const qint64 firstMs = reports.front()->scrape->tsMs;
    for (const auto &report : reports) {
        if (report->scrape->tsMs - firstMs < vitals::VitalsDeriver::kMinRateWindowMs)
            QVERIFY2(!vitals::isKnown(report->vitals[Vital::Cpu]), "a CPU rate from less than the minimum window");
    }
}

void TestRealPeers::vitalsMatchPrometheusOwnView()
{
    // Prometheus scrapes itself every 5 s: its TSDB holds its own view of
    // the same process. Ask it, and compare.
    auto query = [&](const QString &promql) {
        QUrl u = url(QStringLiteral("prometheus")).resolved(QUrl(QStringLiteral("/api/v1/query")));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), promql);
        u.setQuery(q);
        const QJsonArray result = QJsonDocument::fromJson(httpGet(u))
                                      .object()
                                      .value(QStringLiteral("data"))
                                      .toObject()
                                      .value(QStringLiteral("result"))
                                      .toArray();
        return result.isEmpty()
            ? -1.0
            : result.at(0).toObject().value(QStringLiteral("value")).toArray().at(1).toString().toDouble();
    };
    const vitals::VitalsSample &v = latest(QStringLiteral("prometheus")).vitals;
    const double rss = query(QStringLiteral("process_resident_memory_bytes{job=\"prometheus\"}"));
    QVERIFY2(rss > 0, "Prometheus has not scraped itself yet");
    QVERIFY2(std::fabs(v[Vital::Rss] - rss) <= 0.15 * rss,
             qPrintable(QStringLiteral("rss %1 vs %2").arg(v[Vital::Rss]).arg(rss)));
    const double goroutines = query(QStringLiteral("go_goroutines{job=\"prometheus\"}"));
    QVERIFY2(std::fabs(v[Vital::Goroutines] - goroutines) <= std::max(5.0, 0.2 * goroutines),
             qPrintable(QStringLiteral("goroutines %1 vs %2").arg(v[Vital::Goroutines]).arg(goroutines)));
    const double heap = query(QStringLiteral("go_memstats_heap_inuse_bytes{job=\"prometheus\"}"));
    QVERIFY2(std::fabs(v[Vital::HeapInuse] - heap) <= 0.5 * heap,
             qPrintable(QStringLiteral("heap %1 vs %2").arg(v[Vital::HeapInuse]).arg(heap)));
    QVERIFY(vitals::isKnown(v[Vital::GcPauseRecentMax]));
}

QStringList TestRealPeers::withoutExpvar() const
{
    QStringList names;
    for (const auto &s : m_services) {
        int status = 0;
        httpGet(s.endpointUrl(s.paths.vars), &status);
        if (status == 404)
            names << s.name;
    }
    return names;
}

void TestRealPeers::optionalEndpointsAreSaidOnce()
{
    // Prometheus does not mount expvar (etcd and node-exporter do). Each
    // server without it gets one note, and /debug/vars was asked once, not
    // every few seconds (Prometheus counts the 404s it served).
    const QByteArray metrics = httpGet(url(QStringLiteral("prometheus")).resolved(QUrl(QStringLiteral("/metrics"))));
    const double debug404
        = familySum(metrics, QStringLiteral("prometheus_http_requests_total"), QStringLiteral("code=\"404\""));
    QVERIFY2(debug404 - m_prometheusDebug404AtStart <= 1,
             qPrintable(QStringLiteral("%1 404s during the test").arg(debug404 - m_prometheusDebug404AtStart)));
    const QStringList missing = withoutExpvar(); // asks each once more: after the count above
    QVERIFY(missing.contains(QStringLiteral("prometheus")));
    QStringList notes;
    for (const QString &line : m_news) {
        if (line.contains(QStringLiteral("is not exposed")))
            notes << line;
    }
    QCOMPARE(notes.size(), missing.size());
    for (const auto &s : m_services) {
        const QString expected = s.name + QStringLiteral(": ") + s.endpointUrl(s.paths.vars).toString()
            + QStringLiteral(" is not exposed (HTTP 404); it is optional, and gotriage asks again every 5 min. If the "
                             "service never serves it, set \"paths\": {\"vars\": null} for it in the fleet file");
        QCOMPARE(notes.contains(expected), missing.contains(s.name));
        for (const auto &report : m_reports.at(s.name))
            QVERIFY2(report->scrape->problems.isEmpty(), qPrintable(report->scrape->problems.join(u';')));
    }
    for (const auto &issue : m_issues.issues())
        QVERIFY2(issue.severity == issues::IssuesModel::Severity::Info, qPrintable(issue.what));
}

void TestRealPeers::ownScrapesAreNotTraffic()
{
    // Prometheus counts gotriage's scrapes (and its own) under
    // handler="/metrics"; at idle, nobody else asks it anything.
    const session::ServiceReport &last = latest(QStringLiteral("prometheus"));
    QCOMPARE(last.sources.requestCounter, QStringLiteral("prometheus_http_requests_total"));
    QCOMPARE(last.sources.latencyHistogram, QStringLiteral("prometheus_http_request_duration_seconds"));
    QVERIFY2(last.vitals[Vital::ReqRate] < 0.5, qPrintable(QString::number(last.vitals[Vital::ReqRate])));
    const session::ServiceReport &etcd = latest(QStringLiteral("etcd"));
    QCOMPARE(etcd.sources.requestCounter, QStringLiteral("grpc_server_handled_total"));
    QCOMPARE(etcd.sources.latencyHistogram, QStringLiteral("grpc_server_handling_seconds"));
    QVERIFY(vitals::isKnown(etcd.vitals[Vital::ReqRate]));
}

void TestRealPeers::healthyPeersHaveNoTimeToLimit()
{
    for (const auto &s : m_services) {
        const session::ServiceReport &last = latest(s.name);
        for (const auto &p : last.projections)
            QVERIFY2(!p.etaSeconds, qPrintable(s.name + QStringLiteral(": a time to limit on a healthy server")));
        for (const auto &f : last.findings)
            QVERIFY2(!analysis::isBattlefield(f.kind), qPrintable(s.name + QStringLiteral(": ") + f.evidence));
    }
}

void TestRealPeers::etcdRequestRateUnderLoad()
{
    // A steady stream of `etcdctl put`; on each report, etcd's own counter
    // is read right away, so both rates span the same ten seconds.
    const QString etcdctl = qEnvironmentVariable("GOTRIAGE_ETCDCTL");
    QVERIFY(!etcdctl.isEmpty());
    QProcess load;
    load.setProgram(QStringLiteral("bash"));
    load.setArguments({QStringLiteral("-c"),
                       QStringLiteral("while :; do ETCDCTL_API=3 '%1' --endpoints=%2 put load-$RANDOM v >/dev/null "
                                      "|| exit 1; done")
                           .arg(etcdctl, url(QStringLiteral("etcd")).toString())});
    load.start();
    QVERIFY(load.waitForStarted());

    std::vector<std::pair<qint64, double>> own; // (scrape start, counter) per report
    std::vector<double> ours;
    const QUrl etcdMetrics = url(QStringLiteral("etcd")).resolved(QUrl(QStringLiteral("/metrics")));
    auto connection
        = connect(m_watcher.get(), &session::Session::batchReady, this, [&](const session::SessionBatchPtr &batch) {
              for (const session::ServiceReportPtr &report : batch->reports) {
                  if (report->scrape->service != QLatin1String("etcd"))
                      continue;
                  own.emplace_back(report->scrape->tsMs,
                                   familySum(httpGet(etcdMetrics), QStringLiteral("grpc_server_handled_total")));
                  ours.push_back(report->vitals[Vital::ReqRate]);
              }
          });
    QTRY_VERIFY_WITH_TIMEOUT(own.size() >= 24, 60000);
    disconnect(connection);
    load.kill();
    load.waitForFinished();

    // The last report's window began ten reports (seconds) earlier.
    const std::size_t end = own.size() - 1, begin = end - 10;
    const double counterRate
        = (own[end].second - own[begin].second) / (static_cast<double>(own[end].first - own[begin].first) / 1000.0);
    QVERIFY2(counterRate > 3, qPrintable(QStringLiteral("the load reached only %1 puts/s").arg(counterRate)));
    QVERIFY2(std::fabs(ours[end] - counterRate) <= 0.1 * counterRate,
             qPrintable(QStringLiteral("req_rate %1 vs etcd's own counter %2").arg(ours[end]).arg(counterRate)));
    QCOMPARE(latest(QStringLiteral("etcd")).vitals[Vital::ErrRate], 0.0);
}

void TestRealPeers::cliSaysEachProblemOnce()
{
    // `gotriage-cli scrape` on the three for 8 s: stderr holds each note
    // once, and nothing from the network stack.
    const QStringList missing = withoutExpvar();
    QProcess cli;
    cli.start(QStringLiteral(GOTRIAGE_CLI),
              {QStringLiteral("scrape"), QStringLiteral("--config"), m_dir + QStringLiteral("/fleet.json"),
               QStringLiteral("--duration"), QStringLiteral("8")});
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 0);
    const QString stderrText = QString::fromUtf8(cli.readAllStandardError());
    // A sanitizer's report, whole: its stack lines are what says where.
    QVERIFY2(!stderrText.contains(QLatin1String("Sanitizer:")), qPrintable(stderrText));
    QStringList errors;
    for (const QString &line : stderrText.split(u'\n', Qt::SkipEmptyParts)) {
        // The sanitizer's own summary (ASan builds) is not gotriage's output.
        if (!line.startsWith(u' ') && !line.startsWith(QLatin1String("Suppressions used")) && !line.startsWith(u'-'))
            errors << line;
    }
    QVERIFY2(errors.size() == missing.size(), qPrintable(errors.join(QLatin1Char('\n'))));
    for (const QString &line : errors)
        QVERIFY2(line.contains(QStringLiteral("/debug/vars is not exposed (HTTP 404)")), qPrintable(line));
    QVERIFY(QString::fromUtf8(cli.readAllStandardOutput()).count(QLatin1Char('\n')) >= 18); // 3 services × 6+ lines
}

void TestRealPeers::etcdKeyIsWrittenAndRestored()
{
    // An action on a real etcd (Debian's etcd-server) through its JSON
    // gateway: a key that was not there is written and then deleted by the
    // revert; a key that held a value gets it back. etcdctl reads it.
    const QString etcdctl = qEnvironmentVariable("GOTRIAGE_ETCDCTL");
    QVERIFY(!etcdctl.isEmpty());
    const QUrl endpoint = url(QStringLiteral("etcd"));
    const QByteArray fleetText = QStringLiteral(R"({"services": [], "actions": [
        {"name": "limit", "kind": "etcd", "endpoint": "%1", "key": "/gotriage-test/${service}/rps", "value": "${rps}",
         "variables": {"rps": {"default": 40}}}]})")
                                     .arg(endpoint.toString())
                                     .toUtf8();
    const config::ActionCatalog catalog = config::parseActionCatalog(fleetText.toStdString(), QStringLiteral("f.json"));
    QVERIFY(catalog.problems.empty());
    const config::ActionSpec &limit = *catalog.find(QStringLiteral("limit"));
    config::ServiceConfig target;
    target.name = QStringLiteral("checkout-1");
    target.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    const auto get = [&] {
        QProcess p;
        p.start(etcdctl,
                {QStringLiteral("--endpoints=") + endpoint.toString(), QStringLiteral("get"),
                 QStringLiteral("/gotriage-test/checkout-1/rps"), QStringLiteral("--print-value-only")});
        p.waitForFinished(20000);
        return p.readAllStandardOutput().trimmed();
    };
    QTemporaryDir dir;
    triage::AuditLog audit(dir.filePath(QStringLiteral("audit.log")));
    ingest::RequestExecutor executor;
    triage::ActionRunner runner(&executor, &audit);
    QSignalSpy finished(&runner, &triage::ActionRunner::finished);
    QSignalSpy reverted(&runner, &triage::ActionRunner::reverted);
    const auto runOnce = [&](double rps) {
        runner.run(limit, target, {{QStringLiteral("rps"), rps}}, false);
        if (!finished.wait(20000))
            return triage::ActionRunPtr();
        return finished.takeFirst().at(0).value<triage::ActionRunPtr>();
    };
    const auto revertOnce = [&](const triage::ActionRun &run) {
        runner.revert(limit, target, run);
        if (!reverted.wait(20000))
            return triage::ActionRunPtr();
        return reverted.takeFirst().at(0).value<triage::ActionRunPtr>();
    };

    QCOMPARE(get(), QByteArray()); // not set
    triage::ActionRunPtr run = runOnce(40);
    QVERIFY(run);
    QVERIFY2(run->ok(), qPrintable(run->error));
    QVERIFY(run->beforeKnown);
    QVERIFY(!run->before); // there was nothing
    QCOMPARE(run->after, std::optional<QString>(QStringLiteral("40")));
    QCOMPARE(get(), QByteArray("40"));
    triage::ActionRunPtr undone = revertOnce(*run);
    QVERIFY2(undone && undone->ok(), undone ? qPrintable(undone->error) : "no revert");
    QCOMPARE(get(), QByteArray()); // deleted again

    run = runOnce(7); // a value to come back to
    QVERIFY(run && run->ok());
    run = runOnce(40);
    QVERIFY(run && run->ok());
    QCOMPARE(run->before, std::optional<QString>(QStringLiteral("7")));
    undone = revertOnce(*run);
    QVERIFY(undone && undone->ok());
    QCOMPARE(get(), QByteArray("7"));
    QVERIFY(audit.verify().ok);
    QCOMPARE(audit.read().size(), std::size_t(5)); // three runs sent, two reverts
}

QTEST_GUILESS_MAIN(TestRealPeers)
#include "tst_realpeers.moc"
