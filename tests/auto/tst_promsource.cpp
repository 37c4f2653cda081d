// Watching through a Prometheus server that holds an hour of a goroutine
// leak gotriage never saw: Debian's Prometheus 2.42 on a free loopback port,
// its past written by Debian's promtool from the same straight line the live
// target follows, and the target a real local HTTP server whose
// go_goroutines keeps climbing on that line. The Prometheus source lists the
// server's targets, reads their present and then the hour, and the leak is
// raised seconds after start, not minutes of watching later. Then live vitals
// follow every interval, equal to what the target serves. A dead server is
// named.
#include "analysis/finding.h"
#include "common/clock.h"
#include "ingest/livesource.h"
#include "ingest/promsource.h"
#include "ingest/requestexecutor.h"
#include "session/session.h"
#include "store/seriesstore.h"
#include "testhttpserver.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/prctl.h>

using namespace gotriage;

namespace {

constexpr qint64 kHistoryMs = 65 * 60 * 1000; // the leak ran this long before gotriage opened
constexpr double kBase = 200; // goroutines when it began
constexpr double kPerMinute = 30; // and the leak's rate

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// Prometheus on a free loopback port, its log beside its data; its URL.
QUrl startPrometheus(QProcess &process, const QString &config, const QString &data)
{
    const quint16 port = freePort();
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardOutputFile(data + QStringLiteral(".log"));
    process.start(QStandardPaths::findExecutable(QStringLiteral("prometheus")),
                  {QStringLiteral("--config.file=") + config, QStringLiteral("--storage.tsdb.path=") + data,
                   QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)});
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
}

bool raisesLeak(const session::ServiceReport &report)
{
    return std::any_of(report.findingChanges.begin(), report.findingChanges.end(), [](const auto &change) {
        return change.type == analysis::FindingChange::Type::Raised
            && change.finding.kind == analysis::FindingKind::GoroutineLeak;
    });
}

} // namespace

class TestPromSource : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void anHourOfLeakIsFlaggedSecondsAfterStart();
    void liveVitalsAreWhatTheTargetServes();
    void aServiceTakenLateGetsWhatWasReadMeanwhile();
    void aDeadServerIsNamed();
    void aDirectlyScrapedServiceGetsItsPastFromTheServer();
    void aTargetTheServerDropsIsForgotten();

private:
    double goroutinesAt(qint64 ms) const { return kBase + kPerMinute * double(ms - m_leakBeganMs) / 60'000.0; }
    QByteArray metricsAt(qint64 ms) const;
    std::unique_ptr<session::Session> watch(const QUrl &server, std::vector<session::SessionBatchPtr> *batches);
    std::vector<session::ServiceReportPtr> reportsOfLeaky() const; // of the first test's session

    QTemporaryDir m_dir;
    TestHttpServer m_target;
    QTimer m_climb; // the target's goroutines follow the line
    QProcess m_prometheus;
    QUrl m_server;
    qint64 m_leakBeganMs = 0;
    std::vector<session::SessionBatchPtr> m_batches; // of the first test's session
    std::unique_ptr<session::Session> m_session;
};

QByteArray TestPromSource::metricsAt(qint64 ms) const
{
    return "# TYPE go_goroutines gauge\ngo_goroutines " + QByteArray::number(std::floor(goroutinesAt(ms)), 'f', 0)
        + "\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 5.2e+07\n";
}

void TestPromSource::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    QVERIFY2(!prometheus.isEmpty() && !promtool.isEmpty(),
             "prometheus or promtool not found: packaging/install-deps.sh --test installs them");
    const qint64 now = common::LiveClock::instance().nowMs();
    m_leakBeganMs = now - kHistoryMs;
    QVERIFY(m_target.listen());
    m_target.body = metricsAt(now);
    connect(&m_climb, &QTimer::timeout, this,
            [this] { m_target.body = metricsAt(common::LiveClock::instance().nowMs()); });
    m_climb.start(250);
    const QByteArray instance = "127.0.0.1:" + QByteArray::number(m_target.port());

    // The hour before: what the server would hold had it scraped the target
    // every 15 s, written as OpenMetrics and turned into blocks by promtool.
    QByteArray history;
    const QByteArray labels = "{job=\"leaky\",instance=\"" + instance + "\"}";
    const auto family = [&](const QByteArray &name, const QByteArray &type, const auto &value) {
        history += "# TYPE " + name + ' ' + type + '\n';
        for (qint64 t = m_leakBeganMs; t < now - 15'000; t += 15'000)
            history += name + labels + ' ' + value(t) + ' ' + QByteArray::number(t / 1000) + '\n';
    };
    family("go_goroutines", "gauge",
           [this](qint64 t) { return QByteArray::number(std::floor(goroutinesAt(t)), 'f', 0); });
    family("process_resident_memory_bytes", "gauge", [](qint64) { return QByteArray("5.2e+07"); });
    family("up", "gauge", [](qint64) { return QByteArray("1"); });
    history += "# EOF\n";
    const QString historyFile = m_dir.filePath(QStringLiteral("history.om"));
    const QString data = m_dir.filePath(QStringLiteral("data"));
    QFile file(historyFile);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(history) == history.size());
    file.close();
    QProcess tool;
    tool.setProcessChannelMode(QProcess::MergedChannels);
    tool.start(promtool,
               {QStringLiteral("tsdb"), QStringLiteral("create-blocks-from"), QStringLiteral("openmetrics"),
                historyFile, data});
    QVERIFY(tool.waitForFinished(120'000));
    QVERIFY2(tool.exitCode() == 0, tool.readAll().constData());

    QByteArray config = "global:\n  scrape_interval: 2s\n  scrape_timeout: 1s\n  query_log_file: "
        + m_dir.filePath(QStringLiteral("query.log")).toUtf8()
        + "\nscrape_configs:\n"
          "  - job_name: leaky\n    static_configs:\n      - targets: [\""
        + instance + "\"]\n";
    QFile yml(m_dir.filePath(QStringLiteral("prometheus.yml")));
    QVERIFY(yml.open(QIODevice::WriteOnly) && yml.write(config) == config.size());
    yml.close();
    m_server = startPrometheus(m_prometheus, yml.fileName(), data);
    QVERIFY(m_prometheus.waitForStarted());
    // Until it has scraped the target twice (the event loop keeps serving it meanwhile).
    QTRY_VERIFY_WITH_TIMEOUT(m_target.requests.size() >= 2 || m_prometheus.state() == QProcess::NotRunning, 60'000);
    QVERIFY2(m_prometheus.state() == QProcess::Running, "prometheus exited: see its log in the test's folder");
}

void TestPromSource::cleanupTestCase()
{
    m_session.reset();
    m_prometheus.terminate();
    if (!m_prometheus.waitForFinished(10'000))
        m_prometheus.kill();
    m_prometheus.waitForFinished();
}

// A session on the Prometheus source, given back the services it finds, as
// the window does.
std::unique_ptr<session::Session> TestPromSource::watch(const QUrl &server,
                                                        std::vector<session::SessionBatchPtr> *batches)
{
    ingest::PrometheusSource::Settings settings;
    settings.server = server;
    settings.interval = std::chrono::seconds(2);
    settings.timeout = std::chrono::seconds(5);
    auto session = std::make_unique<session::Session>(std::make_unique<ingest::PrometheusSource>(settings));
    session::Session *raw = session.get();
    connect(raw, &session::Session::servicesFound, raw,
            [raw](const std::vector<config::ServiceConfig> &services) { raw->setServices(services); });
    connect(raw, &session::Session::batchReady, raw,
            [batches](const session::SessionBatchPtr &batch) { batches->push_back(batch); });
    return session;
}

std::vector<session::ServiceReportPtr> TestPromSource::reportsOfLeaky() const
{
    std::vector<session::ServiceReportPtr> out;
    for (const session::SessionBatchPtr &batch : m_batches) {
        for (const session::ServiceReportPtr &report : batch->reports) {
            if (report->service() == QLatin1String("leaky"))
                out.push_back(report);
        }
    }
    return out;
}

void TestPromSource::anHourOfLeakIsFlaggedSecondsAfterStart()
{
    m_session = watch(m_server, &m_batches);
    QSignalSpy found(m_session.get(), &session::Session::servicesFound);
    QElapsedTimer sinceStart;
    sinceStart.start();
    m_session->start();
    QTRY_VERIFY_WITH_TIMEOUT(!reportsOfLeaky().empty(), 30'000);
    const qint64 firstAfter = sinceStart.elapsed();
    const auto raising = [this]() -> session::ServiceReportPtr {
        for (const session::ServiceReportPtr &report : reportsOfLeaky()) {
            if (raisesLeak(*report))
                return report;
        }
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(raising(), 30'000);
    qInfo("the first update of the service came %lld ms after start, the leak was raised %lld ms after start",
          static_cast<long long>(firstAfter), static_cast<long long>(sinceStart.elapsed()));

    // The server's one target, named by its job, at its own address (profiles go there).
    QCOMPARE(found.size(), 1);
    const auto services = found.front().front().value<std::vector<config::ServiceConfig>>();
    QCOMPARE(services.size(), std::size_t(1));
    QCOMPARE(services.front().name, QStringLiteral("leaky"));
    QCOMPARE(services.front().baseUrl.port(), int(m_target.port()));

    const session::ServiceReportPtr first = reportsOfLeaky().front();
    QVERIFY2(first->health.up, qPrintable(first->scrape->error));
    const session::ServiceReportPtr raised = raising();
    QVERIFY2(raised->health.up, qPrintable(raised->scrape->error));
    const auto leak = std::find_if(raised->findings.begin(), raised->findings.end(),
                                   [](const auto &f) { return f.kind == analysis::FindingKind::GoroutineLeak; });
    QVERIFY(leak != raised->findings.end());
    QVERIFY(leak->ratePerSecond);
    // The line's slope, read back from the server's history.
    QVERIFY2(std::abs(*leak->ratePerSecond - kPerMinute / 60) < 0.1 * kPerMinute / 60,
             qPrintable(QString::number(*leak->ratePerSecond)));
    // Raised back in the history, not now.
    QVERIFY(leak->sinceMs < raised->tsMs() - 30 * 60'000);

    // The charts have the hour too, in time order before what came live.
    const store::ServiceSnapshot held = m_session->store().snapshot(QStringLiteral("leaky"));
    QVERIFY(!held.samples.empty());
    QVERIFY2(held.samples.front().tsMs < first->tsMs() - 60 * 60'000,
             qPrintable(QString::number(first->tsMs() - held.samples.front().tsMs)));
    QVERIFY(std::is_sorted(held.samples.begin(), held.samples.end(),
                           [](const auto &a, const auto &b) { return a.tsMs < b.tsMs; }));

    // The present was asked before the past, as the server saw it: its
    // query log holds the first live round (instant queries, step 0)
    // before the first query_range.
    QFile log(m_dir.filePath(QStringLiteral("query.log")));
    QVERIFY2(log.open(QIODevice::ReadOnly), qPrintable(log.fileName()));
    QList<int> steps;
    for (const QByteArray &line : log.readAll().split('\n')) {
        const QJsonObject params = QJsonDocument::fromJson(line).object().value(QLatin1String("params")).toObject();
        if (!params.isEmpty())
            steps.push_back(params.value(QLatin1String("step")).toInt());
    }
    const qsizetype firstRange
        = std::find_if(steps.begin(), steps.end(), [](int step) { return step > 0; }) - steps.begin();
    QVERIFY2(firstRange < steps.size(), "no query_range in the server's query log");
    QVERIFY2(firstRange >= 2, qPrintable(QStringLiteral("the first query_range was query %1").arg(firstRange + 1)));
}

void TestPromSource::liveVitalsAreWhatTheTargetServes()
{
    QVERIFY(m_session);
    // Four rounds after the one that raised the leak.
    const auto raisedAt = [this] {
        const std::vector<session::ServiceReportPtr> reports = reportsOfLeaky();
        return std::find_if(reports.begin(), reports.end(), [](const auto &r) { return raisesLeak(*r); })
            - reports.begin();
    };
    QTRY_VERIFY_WITH_TIMEOUT(std::size_t(raisedAt() + 5) <= reportsOfLeaky().size(), 30'000);
    const std::vector<session::ServiceReportPtr> reports = reportsOfLeaky();
    for (std::size_t i = raisedAt() + 1; i < reports.size(); ++i) {
        const session::ServiceReport &r = *reports[i];
        QVERIFY2(r.health.up, qPrintable(r.scrape->error));
        // An interval apart (2 s), on the source's clock.
        QVERIFY2(r.tsMs() - reports[i - 1]->tsMs() >= 1500, qPrintable(QString::number(r.tsMs())));
        // What the target served at the server's last scrape (every 2 s),
        // so at most a scrape interval and a bit behind the line.
        const double goroutines = r.vitals[vitals::Vital::Goroutines];
        QVERIFY2(
            goroutines <= goroutinesAt(r.tsMs()) + 1 && goroutines >= goroutinesAt(r.tsMs() - 5'000) - 1,
            qPrintable(
                QStringLiteral("%1 at %2, the line %3").arg(goroutines).arg(r.tsMs()).arg(goroutinesAt(r.tsMs()))));
        QCOMPARE(r.vitals[vitals::Vital::Rss], 5.2e7);
        // A leak raised once stays raised: no second "raised" for it.
        QVERIFY(!raisesLeak(r));
    }
}

// The window takes the services it is told of when it gets to them (at
// 10 000 targets, after the first live round may be done): what was read
// for a service before it was taken is handed on when it is, its history
// first, not dropped until the next round an interval later.
void TestPromSource::aServiceTakenLateGetsWhatWasReadMeanwhile()
{
    ingest::PrometheusSource::Settings settings;
    settings.server = m_server;
    settings.interval = std::chrono::seconds(120); // far longer than this test waits
    settings.timeout = std::chrono::seconds(5);
    session::Session session(std::make_unique<ingest::PrometheusSource>(settings));
    std::vector<session::ServiceReportPtr> reports;
    connect(&session, &session::Session::batchReady, &session, [&reports](const session::SessionBatchPtr &batch) {
        reports.insert(reports.end(), batch->reports.begin(), batch->reports.end());
    });
    QElapsedTimer sinceTaken;
    connect(&session, &session::Session::servicesFound, &session,
            [&](const std::vector<config::ServiceConfig> &services) {
                QTimer::singleShot(3000, &session, [&session, &sinceTaken, services] {
                    sinceTaken.start();
                    session.setServices(services);
                });
            });
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(!reports.empty(), 30'000);
    qInfo("the first update came %lld ms after the service was taken", static_cast<long long>(sinceTaken.elapsed()));
    QCOMPARE(reports.front()->service(), QStringLiteral("leaky"));
    QVERIFY2(reports.front()->health.up, qPrintable(reports.front()->scrape->error));
    QVERIFY2(raisesLeak(*reports.front()), "the history read before the service was taken was lost");
    const store::ServiceSnapshot held = session.store().snapshot(QStringLiteral("leaky"));
    QVERIFY(!held.samples.empty());
    QVERIFY(held.samples.front().tsMs < reports.front()->tsMs() - 60 * 60'000);
}

void TestPromSource::aDeadServerIsNamed()
{
    const QUrl dead(QStringLiteral("http://127.0.0.1:%1").arg(freePort()));
    std::vector<session::SessionBatchPtr> batches;
    const std::unique_ptr<session::Session> session = watch(dead, &batches);
    QSignalSpy problems(session.get(), &session::Session::sourceProblem);
    session->start();
    QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 15'000);
    const QString problem = problems.front().front().toString();
    QVERIFY2(problem.contains(dead.toString()) && problem.contains(QLatin1String("targets could not be read")),
             qPrintable(problem));
    QVERIFY(batches.empty());
}

// The fleet file names the server that scrapes its services: gotriage
// scrapes the target itself, under its own name, and reads its past from
// the server (matched by address, not by job), so the leak is flagged
// within seconds, dated back in the hour, rather than minutes later.
void TestPromSource::aDirectlyScrapedServiceGetsItsPastFromTheServer()
{
    std::vector<session::SessionBatchPtr> batches;
    session::Session session(std::make_unique<ingest::LiveSource>());
    connect(&session, &session::Session::batchReady, &session,
            [&batches](const session::SessionBatchPtr &batch) { batches.push_back(batch); });
    config::ServiceConfig checkout;
    checkout.name = QStringLiteral("checkout");
    checkout.baseUrl = QUrl(QStringLiteral("http://localhost:%1").arg(m_target.port()));
    checkout.interval = std::chrono::seconds(1);
    checkout.paths.vars.clear(); // the target serves /metrics alone
    session.setServices({checkout});
    ingest::PrometheusSource::Settings settings;
    settings.server = m_server;
    settings.historyOnly = true;
    QElapsedTimer sinceStart;
    sinceStart.start();
    session.start();
    session.setHistorySource(std::make_unique<ingest::PrometheusSource>(settings, &session.clock()));

    const auto leakRaised = [&batches]() -> std::optional<analysis::Finding> {
        for (const session::SessionBatchPtr &batch : batches) {
            for (const session::ServiceReportPtr &report : batch->reports) {
                for (const auto &change : report->findingChanges) {
                    if (report->service() == QLatin1String("checkout")
                        && change.type == analysis::FindingChange::Type::Raised
                        && change.finding.kind == analysis::FindingKind::GoroutineLeak)
                        return change.finding;
                }
            }
        }
        return std::nullopt;
    };
    QTRY_VERIFY_WITH_TIMEOUT(leakRaised(), 30'000);
    qInfo("the leak of the directly scraped service was raised %lld ms after start",
          static_cast<long long>(sinceStart.elapsed()));
    const analysis::Finding leak = *leakRaised();
    QVERIFY(leak.sinceMs < common::LiveClock::instance().nowMs() - 30 * 60'000);
    QVERIFY(leak.ratePerSecond);
    QVERIFY2(std::abs(*leak.ratePerSecond - kPerMinute / 60) < 0.1 * kPerMinute / 60,
             qPrintable(QString::number(*leak.ratePerSecond)));
    // The store has the hour under the fleet file's name, and the scraper's
    // own samples after it.
    const store::ServiceSnapshot held = session.store().snapshot(QStringLiteral("checkout"));
    QVERIFY(!held.samples.empty());
    QVERIFY(held.samples.front().tsMs < common::LiveClock::instance().nowMs() - 60 * 60'000);
    QVERIFY(std::is_sorted(held.samples.begin(), held.samples.end(),
                           [](const auto &a, const auto &b) { return a.tsMs < b.tsMs; }));
    // A service the server does not scrape is not given another's past.
    QVERIFY(session.store().snapshot(QStringLiteral("leaky")).samples.empty());
}

// A fleet that churns (in Kubernetes every deploy brings new pods, so new
// targets) must not leave behind what was kept for each target it had:
// after the server drops a target (its configuration reloaded without it,
// as a pod's end would), the source forgets the service's request settings.
void TestPromSource::aTargetTheServerDropsIsForgotten()
{
    const QString yml = m_dir.filePath(QStringLiteral("churn.yml"));
    const QByteArray instance = "127.0.0.1:" + QByteArray::number(m_target.port());
    const auto configure = [&](const QList<QByteArray> &jobs) {
        QByteArray config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n";
        for (const QByteArray &job : jobs)
            config += "  - job_name: " + job + "\n    static_configs:\n      - targets: [\"" + instance + "\"]\n";
        QFile file(yml);
        return file.open(QIODevice::WriteOnly) && file.write(config) == config.size();
    };
    QVERIFY(configure({"kept", "dropped"}));
    QProcess server;
    const QUrl url = startPrometheus(server, yml, m_dir.filePath(QStringLiteral("churn-data")));
    QVERIFY(server.waitForStarted());
    const auto stop = qScopeGuard([&server] {
        server.terminate();
        if (!server.waitForFinished(10'000))
            server.kill();
    });

    ingest::PrometheusSource::Settings settings;
    settings.server = url;
    settings.interval = std::chrono::seconds(1);
    settings.rediscover = std::chrono::seconds(1);
    settings.backfill = std::chrono::milliseconds(0);
    settings.timeout = std::chrono::seconds(5);
    ingest::PrometheusSource source(settings);
    connect(&source, &ingest::Source::servicesFound, &source,
            [&source](const std::vector<config::ServiceConfig> &services) { source.setServices(services, true); });
    source.start();
    const auto known = [&source](const char *name) {
        return source.executor()->serviceSettings(QString::fromLatin1(name)) != nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(known("kept") && known("dropped"), 30'000);

    QVERIFY(configure({"kept"}));
    QCOMPARE(::kill(static_cast<pid_t>(server.processId()), SIGHUP), 0); // Prometheus reloads its configuration
    QTRY_VERIFY_WITH_TIMEOUT(!known("dropped"), 30'000);
    QVERIFY(known("kept"));
}

QTEST_GUILESS_MAIN(TestPromSource)
#include "tst_promsource.moc"
