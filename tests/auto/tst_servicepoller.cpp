#include "scrapetesting.h"
#include "testhttpserver.h"

#include "common/clock.h"
#include "ingest/livesource.h"
#include "ingest/servicepoller.h"
#include "issues/issuesmodel.h"
#include "issues/scrapeissues.h"
#include "session/session.h"
#include "session/sessionhub.h"
#include "store/seriesstore.h"

#include "ingest/httpfetch.h"
#include "ingest/requestexecutor.h"
#include <functional>
#include <QDateTime>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <set>

using namespace gotriage;
using namespace gotriage::testing;

Q_DECLARE_METATYPE(TestHttpServer::Mode)

namespace {

// One scrape as a poller signalled it.
struct Scraped {
    ingest::ScrapeResultPtr scrape;
    ingest::ServiceHealth health;
};

std::shared_ptr<const Scraped> scrapedAt(const QSignalSpy &spy, int i)
{
    return std::make_shared<const Scraped>(
        Scraped{spy.at(i).at(0).value<ingest::ScrapeResultPtr>(), spy.at(i).at(1).value<ingest::ServiceHealth>()});
}

} // namespace

class TestServicePoller : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void phaseIsStableAndSpread();
    void aFirstRoundIsBroughtForward();
    void aNewcomerCrowdedOutIsTriedAgainSoon();
    void goodTarget();
    void gzipIsNegotiatedAndInflated();
    void varsArePolledAtTheirOwnPace();
    void deadTargetBacksOff();
    void silentTargetTimesOut();
    void slowTargetIsNeverStacked();
    void bodyLimitWithContentLength();
    void bodyLimitWhileReading();
    void corruptGzip();
    void cutBodiesAreErrors_data();
    void cutBodiesAreErrors();
    void redirects_data();
    void redirects();
    void metadataAddressesAreRefused_data();
    void metadataAddressesAreRefused();
    void serverErrorIsReported();
    void htmlIsNotMetrics();
    void deadTargetsSayWhatToCheck_data();
    void deadTargetsSayWhatToCheck();
    void missingOptionalEndpointIsSaidOnce();
    void bearerTokenGoesToItsHostOnly();
    void missingCredentialsFileIsAnError();
    void tls_data();
    void tls();
    void healthyServicesKeepTheirPaceBesideBadOnes();
    void liveRequestsGoAheadOfSuspectOnes();
    void aNewcomerKeepsAQuarterWhileProvenScrapesQueue();
    void reloadAppliesLimitsTierAndLabels();

private:
    // Through the live pipeline (poller, deriver, store, analysis): the first report.
    session::ServiceReportPtr scrapeOnce(const config::ServiceConfig &service);
    store::SeriesStore &store() { return m_live->hub.store(); }

    ingest::RequestExecutor m_executor;
    std::unique_ptr<LivePipeline> m_live;
    QTemporaryDir m_dir;
};

void TestServicePoller::initTestCase()
{
    qRegisterMetaType<ingest::ScrapeResultPtr>();
    qRegisterMetaType<ingest::ServiceHealth>();
    qRegisterMetaType<session::SessionBatchPtr>();
    QVERIFY(m_dir.isValid());
}

session::ServiceReportPtr TestServicePoller::scrapeOnce(const config::ServiceConfig &service)
{
    m_live = std::make_unique<LivePipeline>();
    m_live->watch(service);
    if (!QTest::qWaitFor([&] { return !m_live->reports.empty(); }, 5000))
        return nullptr;
    return m_live->reports.front();
}

void TestServicePoller::phaseIsStableAndSpread()
{
    // The same name always lands on the same slot; many names spread out.
    QCOMPARE(ingest::ServicePoller::delayToPhase(QStringLiteral("api-1"), 1000, 5'000'000),
             ingest::ServicePoller::delayToPhase(QStringLiteral("api-1"), 1000, 5'000'000));
    QSet<qint64> usedSlots;
    for (int i = 0; i < 100; ++i) {
        const qint64 delay = ingest::ServicePoller::delayToPhase(QStringLiteral("svc-%1").arg(i), 1000, 5'000'000);
        QVERIFY(delay > 0 && delay <= 1000);
        usedSlots.insert(delay / 100);
    }
    QVERIFY2(usedSlots.size() >= 8, "100 services should use most of the ten 100 ms slots");
}

void TestServicePoller::aFirstRoundIsBroughtForward()
{
    QCOMPARE(ingest::ServicePoller::firstRoundWindow(2000), std::chrono::milliseconds(400));
    QCOMPARE(ingest::ServicePoller::firstRoundWindow(3), std::chrono::milliseconds(1));

    TestHttpServer server;
    QVERIFY(server.listen());
    constexpr qint64 kInterval = 20000;
    const config::ServiceConfig service
        = serviceAt(QStringLiteral("early"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()), kInterval);
    // A clock on which the service's phase is 19.9 s ahead.
    const qint64 phase = ingest::ServicePoller::delayToPhase(service.name, kInterval, 0) % kInterval;
    const qint64 wall = 100'000 * kInterval + phase + 100;
    const common::LiveClock clock([wall] { return wall; });
    QCOMPARE(ingest::ServicePoller::delayToPhase(service.name, kInterval, wall), kInterval - 100);

    ingest::ServicePoller onThePhase(service, &m_executor, nullptr, &clock);
    QSignalSpy phaseSpy(&onThePhase, &ingest::ServicePoller::scraped);
    onThePhase.start();
    ingest::ServicePoller early(service, &m_executor, nullptr, &clock);
    QSignalSpy earlySpy(&early, &ingest::ServicePoller::scraped);
    early.start(std::chrono::milliseconds(200)); // 19.9 s of 20 s: 199 ms
    QVERIFY(earlySpy.wait(2000));
    QVERIFY(scrapedAt(earlySpy, 0)->scrape->up);
    QCOMPARE(phaseSpy.count(), 0); // the same service on its phase waits
    QTest::qWait(300);
    QCOMPARE(earlySpy.count(), 1); // and the early one's next tick is its phase, not a second early one

    // A phase only 100 ms ahead: the early scrape comes at once, and its
    // phase, too close behind it to find it over, waits for the next round.
    const qint64 nearWall = wall - kInterval + 19'800;
    const common::LiveClock nearClock([nearWall] { return nearWall; });
    QCOMPARE(ingest::ServicePoller::delayToPhase(service.name, kInterval, nearWall), 100);
    ingest::ServicePoller near(service, &m_executor, nullptr, &nearClock);
    QSignalSpy nearSpy(&near, &ingest::ServicePoller::scraped);
    near.start(std::chrono::milliseconds(200));
    QVERIFY(nearSpy.wait(2000));
    QTest::qWait(600);
    QCOMPARE(nearSpy.count(), 1);
}

void TestServicePoller::aNewcomerCrowdedOutIsTriedAgainSoon()
{
    // Three services that never answer hold the three connections doubtful
    // targets may have, for 350 ms each. A newcomer on a good target, started
    // with them, finds none free within its 300 ms: it is tried again within
    // a quarter of its 4 s interval, not one to two intervals later.
    TestHttpServer silent, ok;
    silent.mode = TestHttpServer::Mode::Silent;
    QVERIFY(silent.listen() && ok.listen());
    ingest::RequestExecutor executor;
    executor.setMaxConnections(4);
    std::vector<std::unique_ptr<ingest::ServicePoller>> hogs;
    for (int i = 0; i < 3; ++i) {
        config::ServiceConfig hog = serviceAt(QStringLiteral("hog-%1").arg(i),
                                              QStringLiteral("http://127.0.0.1:%1").arg(silent.port()), 10000);
        hog.timeout = std::chrono::milliseconds(350);
        hogs.push_back(std::make_unique<ingest::ServicePoller>(hog, &executor));
        hogs.back()->start(std::chrono::milliseconds(1));
    }
    config::ServiceConfig service
        = serviceAt(QStringLiteral("newcomer"), QStringLiteral("http://127.0.0.1:%1").arg(ok.port()), 4000);
    service.timeout = std::chrono::milliseconds(300);
    ingest::ServicePoller newcomer(service, &executor);
    QSignalSpy spy(&newcomer, &ingest::ServicePoller::scraped);
    QElapsedTimer sinceStart;
    sinceStart.start();
    newcomer.start(std::chrono::milliseconds(1));
    QTRY_VERIFY_WITH_TIMEOUT(!spy.isEmpty() && scrapedAt(spy, spy.count() - 1)->scrape->up, 6000);
    const qint64 answeredMs = sinceStart.elapsed();
    const auto first = scrapedAt(spy, 0);
    QVERIFY2(first->scrape->congested, qPrintable(first->scrape->error)); // the crowd was there
    QVERIFY2(answeredMs < 2500, qPrintable(QStringLiteral("first answer after %1 ms").arg(answeredMs)));
}

void TestServicePoller::goodTarget()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    const auto report
        = scrapeOnce(serviceAt(QStringLiteral("good"), QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
    QVERIFY(report);
    QVERIFY(report->scrape->up);
    QVERIFY(report->scrape->error.isEmpty());
    QCOMPARE(report->vitals[vitals::Vital::Goroutines], 42.0);
    QCOMPARE(report->vitals[vitals::Vital::Rss], 1.2e7);
    QVERIFY(!vitals::isKnown(report->vitals[vitals::Vital::Threads])); // not exposed: unknown, not zero
    QCOMPARE(report->health.lastGoodMs, report->scrape->tsMs);
    QVERIFY(store().latest(QStringLiteral("good")).has_value());
    const auto &request = server.requests.constFirst();
    QCOMPARE(request.path, QByteArray("/metrics"));
    QVERIFY(request.header("Accept").startsWith("application/openmetrics-text"));
    QVERIFY(request.header("Accept-Encoding").contains("gzip"));
}

void TestServicePoller::gzipIsNegotiatedAndInflated()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Gzip;
    server.gzipBody = gzip(server.body);
    QVERIFY(server.listen());
    const auto report
        = scrapeOnce(serviceAt(QStringLiteral("gz"), QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
    QVERIFY(report && report->scrape->up);
    QCOMPARE(report->vitals[vitals::Vital::Goroutines], 42.0);
}

void TestServicePoller::varsArePolledAtTheirOwnPace()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    // Eight services at 100 ms, expvar every 500 ms: five rounds.
    constexpr int kRounds = 5;
    std::vector<std::unique_ptr<ingest::ServicePoller>> pollers;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 8; ++i) {
        config::ServiceConfig service = serviceAt(QStringLiteral("paced-%1").arg(i),
                                                  QStringLiteral("http://127.0.0.1:%1").arg(server.port()), 100);
        service.paths.vars = QStringLiteral("/debug/vars");
        service.varsIntervalSetting = std::chrono::milliseconds(100 * kRounds);
        pollers.push_back(std::make_unique<ingest::ServicePoller>(service, &m_executor));
        spies.push_back(std::make_unique<QSignalSpy>(pollers.back().get(), &ingest::ServicePoller::scraped));
        pollers.back()->start();
    }
    const auto allScrapedAtLeast = [&spies](int count) {
        return std::all_of(spies.begin(), spies.end(), [count](const auto &spy) { return spy->count() >= count; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allScrapedAtLeast(5 * kRounds), 20000);

    // Each service reads expvar in its first scrape, then every fifth; the
    // second read comes two to five rounds after the first, by the service,
    // so that a fleet's reads do not all fall in the same rounds.
    std::set<int> secondReads;
    for (const auto &spy : spies) {
        std::vector<int> reads;
        for (int i = 0; i < 5 * kRounds; ++i) {
            if (scrapedAt(*spy, i)->scrape->vars)
                reads.push_back(i);
        }
        const auto rounds = [&reads] {
            QStringList list;
            for (const int i : reads)
                list << QString::number(i);
            return list.join(u' ');
        };
        QVERIFY2(reads.size() >= 3 && reads[0] == 0, qPrintable(rounds()));
        QVERIFY2(reads[1] >= 2 && reads[1] <= kRounds + 1, qPrintable(rounds()));
        for (std::size_t i = 2; i < reads.size(); ++i) // a round late now and then, when a timer fires early
            QVERIFY2(reads[i] - reads[i - 1] >= kRounds && reads[i] - reads[i - 1] <= kRounds + 1,
                     qPrintable(rounds()));
        secondReads.insert(reads[1]);
    }
    QVERIFY2(secondReads.size() >= 3, qPrintable(QString::number(secondReads.size())));
}

void TestServicePoller::deadTargetBacksOff()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    const quint16 port = server.port();
    server.close(); // nothing listens there any more
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    ingest::ServicePoller poller(serviceAt(QStringLiteral("dead"), url, 200), &m_executor);
    QSignalSpy spy(&poller, &ingest::ServicePoller::scraped);
    poller.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 3, 10000);
    const auto first = scrapedAt(spy, 0);
    QVERIFY(!first->scrape->up);
    QVERIFY2(first->scrape->error.contains(url + QStringLiteral("/metrics")), qPrintable(first->scrape->error));
    QVERIFY2(first->scrape->error.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(first->scrape->error));
    // From the second failure on, attempts spread out: the gaps grow.
    const auto second = scrapedAt(spy, 1);
    const auto third = scrapedAt(spy, 2);
    QVERIFY(second->health.nextAttemptMs > second->scrape->tsMs + 200 * 0.8);
    QVERIFY2(third->scrape->tsMs - second->scrape->tsMs >= 300,
             qPrintable(QStringLiteral("gap %1 ms").arg(third->scrape->tsMs - second->scrape->tsMs)));
    QCOMPARE(third->health.consecutiveFailures, quint64(3));
    QVERIFY(third->health.nextAttemptMs - third->scrape->tsMs > second->health.nextAttemptMs - second->scrape->tsMs);
}

void TestServicePoller::silentTargetTimesOut()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Silent;
    QVERIFY(server.listen());
    const auto report
        = scrapeOnce(serviceAt(QStringLiteral("silent"), QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
    QVERIFY(report);
    QVERIFY(!report->scrape->up);
    QVERIFY2(report->scrape->error.contains(QStringLiteral("no response within 400 ms")),
             qPrintable(report->scrape->error));
    QVERIFY(report->scrape->durationMs >= 380 && report->scrape->durationMs < 1000);
}

void TestServicePoller::slowTargetIsNeverStacked()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Slow;
    QVERIFY(server.listen());
    ingest::ServicePoller poller(
        serviceAt(QStringLiteral("slow"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()), 1000), &m_executor);
    QSignalSpy spy(&poller, &ingest::ServicePoller::scraped);
    poller.scrapeNow();
    QTest::qWait(100);
    poller.scrapeNow(); // still running: skipped, counted
    poller.scrapeNow();
    QVERIFY(spy.wait(3000));
    const auto report = scrapedAt(spy, 0);
    QVERIFY(!report->scrape->up);
    QVERIFY2(report->scrape->error.contains(QStringLiteral("timed out after 800 ms")),
             qPrintable(report->scrape->error));
    QCOMPARE(report->health.skipped, quint64(2));
    QCOMPARE(report->health.skippedSinceLast, quint64(2));
    QCOMPARE(server.maxConcurrent, 1);
    QCOMPARE(server.requests.size(), 1);

    // Listed while it lasts, resolved once a scrape needs no skip.
    issues::IssuesModel issueLog;
    const auto apply = [&issueLog](const Scraped &scraped) {
        ingest::SourceUpdate update;
        update.scrape = scraped.scrape;
        update.health = scraped.health;
        issues::applyScrapeReport(issueLog, update, update.tsMs());
    };
    const auto slowIssue = [&issueLog]() -> const issues::IssuesModel::Issue * {
        for (const auto &issue : issueLog.issues()) {
            if (issue.category == QStringLiteral("slow"))
                return &issue;
        }
        return nullptr;
    };
    apply(*report);
    QVERIFY(slowIssue() && slowIssue()->active);
    QCOMPARE(slowIssue()->what, QStringLiteral("2 scrapes skipped: the previous one was still running"));
    server.mode = TestHttpServer::Mode::Ok;
    poller.scrapeNow();
    QVERIFY(spy.wait(3000));
    const auto caughtUp = scrapedAt(spy, 1);
    QVERIFY(caughtUp->scrape->up);
    QCOMPARE(caughtUp->health.skipped, quint64(2)); // a total
    QCOMPARE(caughtUp->health.skippedSinceLast, quint64(0));
    apply(*caughtUp);
    QVERIFY(slowIssue() && !slowIssue()->active);
}

void TestServicePoller::bodyLimitWithContentLength()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Huge;
    QVERIFY(server.listen());
    const auto report
        = scrapeOnce(serviceAt(QStringLiteral("huge"), QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
    QVERIFY(report && !report->scrape->up);
    QVERIFY2(report->scrape->error.contains(QStringLiteral("exceeds the 16.0 MiB limit")),
             qPrintable(report->scrape->error));
}

void TestServicePoller::bodyLimitWhileReading()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::HugeNoLength;
    server.hugeBytes = 4 * 1024 * 1024;
    QVERIFY(server.listen());
    config::ServiceConfig service
        = serviceAt(QStringLiteral("stream"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()), 2000);
    service.bodyLimit = 256 * 1024;
    const auto report = scrapeOnce(service);
    QVERIFY(report && !report->scrape->up);
    QVERIFY2(report->scrape->error.contains(QStringLiteral("body exceeds the 262144 bytes limit")),
             qPrintable(report->scrape->error));
}

void TestServicePoller::corruptGzip()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::GzipCorrupt;
    QVERIFY(server.listen());
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.port());
    const auto report = scrapeOnce(serviceAt(QStringLiteral("gzip"), url));
    QVERIFY(report && !report->scrape->up);
    QVERIFY2(report->scrape->error.startsWith(QStringLiteral("GET ") + url + QStringLiteral("/metrics: ")),
             qPrintable(report->scrape->error));
}

void TestServicePoller::cutBodiesAreErrors_data()
{
    QTest::addColumn<TestHttpServer::Mode>("mode");
    QTest::addColumn<QString>("why");
    QTest::newRow("content-length-then-reset") << TestHttpServer::Mode::CutReset << QStringLiteral("");
    QTest::newRow("content-length-then-close") << TestHttpServer::Mode::CutClose << QStringLiteral("");
    QTest::newRow("chunked-cut-inside-a-chunk") << TestHttpServer::Mode::ChunkedCut << QStringLiteral("");
    QTest::newRow("chunked-without-final-chunk") << TestHttpServer::Mode::ChunkedNoEnd << QStringLiteral("");
    QTest::newRow("gzip-cut") << TestHttpServer::Mode::GzipCut << QStringLiteral("");
}

void TestServicePoller::cutBodiesAreErrors()
{
    // A payload cut short is discarded whole: "go_goroutines 51234" cut
    // after "5" would otherwise read as 5 goroutines and the service as up.
    QFETCH(TestHttpServer::Mode, mode);
    TestHttpServer server;
    server.mode = mode;
    server.gzipBody = gzip(server.body);
    QVERIFY(server.listen());
    const QString name = QStringLiteral("cut-%1").arg(static_cast<int>(mode));
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.port());
    const auto report = scrapeOnce(serviceAt(name, url, 2000));
    QVERIFY(report);
    QVERIFY2(!report->scrape->up, qPrintable(report->scrape->error));
    QVERIFY(!report->scrape->metrics);
    QVERIFY(!vitals::isKnown(report->vitals[vitals::Vital::Goroutines]));
    QVERIFY(!store().latest(name).has_value());
    QVERIFY2(report->scrape->error.startsWith(QStringLiteral("GET ") + url + QStringLiteral("/metrics: ")),
             qPrintable(report->scrape->error));
    QVERIFY2(report->scrape->error.contains(QStringLiteral("cut short")), qPrintable(report->scrape->error));
}

void TestServicePoller::redirects_data()
{
    QTest::addColumn<bool>("sameHost");
    QTest::newRow("same-host-followed") << true;
    QTest::newRow("other-host-refused") << false;
}

void TestServicePoller::redirects()
{
    QFETCH(bool, sameHost);
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Redirect;
    TestHttpServer other;
    QVERIFY(server.listen() && other.listen());
    server.redirectLocation = sameHost
        ? QByteArray("/real/metrics")
        : QByteArray("http://127.0.0.1:") + QByteArray::number(other.port()) + "/metrics";
    config::ServiceConfig service
        = serviceAt(QStringLiteral("redirect"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    const QString tokenFile = m_dir.filePath(QStringLiteral("token"));
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("s3cret\n");
    file.close();
    service.auth.kind = config::AuthSettings::Kind::Bearer;
    service.auth.credentialsFile = tokenFile;
    const auto report = scrapeOnce(service);
    QVERIFY(report);
    QCOMPARE(report->scrape->up, sameHost);
    if (sameHost) {
        QCOMPARE(server.requests.size(), 2);
        QCOMPARE(server.requests.last().header("Authorization"), QByteArray("Bearer s3cret"));
    } else {
        QVERIFY2(report->scrape->error.contains(QStringLiteral("refused redirect to another host")),
                 qPrintable(report->scrape->error));
        QCOMPARE(other.requests.size(), 0); // the other host never saw the request, nor the token
    }
    QVERIFY(!report->scrape->error.contains(QStringLiteral("s3cret")));
}

void TestServicePoller::metadataAddressesAreRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("address");
    QTest::newRow("aws-gcp-azure") << QStringLiteral("http://169.254.169.254") << QStringLiteral("169.254.169.254");
    QTest::newRow("link-local") << QStringLiteral("http://169.254.7.1:9100") << QStringLiteral("169.254.7.1");
    QTest::newRow("aws-ipv6") << QStringLiteral("http://[fd00:ec2::254]") << QStringLiteral("fd00:ec2::254");
    QTest::newRow("ipv6-link-local") << QStringLiteral("http://[fe80::1]:9100") << QStringLiteral("fe80::1");
}

void TestServicePoller::metadataAddressesAreRefused()
{
    // The cloud's metadata service hands out the machine's credentials:
    // refused before a packet leaves, with an error that says why. (Never
    // allowed here: that would send packets off this machine.)
    QFETCH(QString, url);
    QFETCH(QString, address);
    const auto report = scrapeOnce(serviceAt(QStringLiteral("metadata"), url));
    QVERIFY(report && !report->scrape->up);
    QVERIFY2(report->scrape->error.contains(QStringLiteral("refused to connect to %1: a link-local or cloud metadata "
                                                           "address")
                                                .arg(address)),
             qPrintable(report->scrape->error));
}

void TestServicePoller::serverErrorIsReported()
{
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Status503;
    QVERIFY(server.listen());
    const auto report
        = scrapeOnce(serviceAt(QStringLiteral("e503"), QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
    QVERIFY(report && !report->scrape->up);
    QCOMPARE(report->scrape->error,
             QStringLiteral("GET http://127.0.0.1:%1/metrics: HTTP 503 Service Unavailable (the service failed to "
                            "produce it: its own logs say why)")
                 .arg(server.port()));
}

void TestServicePoller::htmlIsNotMetrics()
{
    // A login page or a web UI's index served with 200 where metrics belong.
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::Html;
    QVERIFY(server.listen());
    const auto report
        = scrapeOnce(serviceAt(QStringLiteral("html"), QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
    QVERIFY(report && !report->scrape->up);
    QCOMPARE(report->scrape->error,
             QStringLiteral("GET http://127.0.0.1:%1/metrics: the response is HTML, not metrics: check `paths.metrics`")
                 .arg(server.port()));
}

void TestServicePoller::deadTargetsSayWhatToCheck_data()
{
    QTest::addColumn<int>("mode"); // -1: nothing listens
    QTest::addColumn<QString>("ending");
    QTest::newRow("refused") << -1
                             << QStringLiteral("(nothing listens there: is the service running, and is the port in "
                                               "`url` right?)");
    QTest::newRow("404") << static_cast<int>(TestHttpServer::Mode::Status404)
                         << QStringLiteral("/metrics: HTTP 404 Not Found (the service does not serve `paths.metrics` "
                                           "there: check `paths.metrics` and `url`)");
    QTest::newRow("silent") << static_cast<int>(TestHttpServer::Mode::Silent)
                            << QStringLiteral("(the host did not answer: check that it is up and that no firewall "
                                              "drops the port)");
    QTest::newRow("cut") << static_cast<int>(TestHttpServer::Mode::CutClose)
                         << QStringLiteral("(the connection closed mid-response: the service may be crashing, or a "
                                           "proxy cuts responses; nothing of it was used)");
}

void TestServicePoller::deadTargetsSayWhatToCheck()
{
    QFETCH(int, mode);
    QFETCH(QString, ending);
    TestHttpServer server;
    QVERIFY(server.listen());
    if (mode < 0)
        server.close();
    else
        server.mode = static_cast<TestHttpServer::Mode>(mode);
    config::ServiceConfig service
        = serviceAt(QStringLiteral("dead"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    service.connectTimeout = std::chrono::milliseconds(300);
    const auto report = scrapeOnce(service);
    QVERIFY(report && !report->scrape->up);
    QVERIFY2(report->scrape->error.endsWith(ending), qPrintable(report->scrape->error));
}

void TestServicePoller::missingOptionalEndpointIsSaidOnce()
{
    // Prometheus and etcd mount neither expvar nor (etcd) pprof. That is a
    // fact about them, said once as a note, and asked again only every
    // kOptionalRecheck: not an issue counted every second, and not a 404
    // in the target's own error counters every scrape.
    TestHttpServer server;
    server.mode = TestHttpServer::Mode::VarsMissing;
    server.body
        = "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.2e+07\n"; // no goroutines: pprof
                                                                                                 // is asked
    QVERIFY(server.listen());
    config::ServiceConfig service
        = serviceAt(QStringLiteral("novars"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()), 100);
    service.paths.vars = QStringLiteral("/debug/vars");
    service.paths.pprof = QStringLiteral("/debug/pprof/");
    service.varsIntervalSetting = std::chrono::milliseconds(100);
    m_live = std::make_unique<LivePipeline>();
    m_live->watch(service);
    QTRY_VERIFY_WITH_TIMEOUT(m_live->reports.size() >= 10, 10000);
    issues::IssuesModel issueLog;
    QStringList news;
    for (const auto &report : m_live->reports)
        news << issues::applyScrapeReport(issueLog, *report, report->tsMs());
    int vars = 0, pprof = 0;
    for (const auto &request : server.requests) {
        vars += request.path == "/debug/vars";
        pprof += request.path == "/debug/pprof/";
    }
    QCOMPARE(vars, 1);
    QCOMPARE(pprof, 1);
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(server.port());
    const QString varsNote = base
        + QStringLiteral("/debug/vars is not exposed (HTTP 404); it is optional, and gotriage asks again every 5 min. "
                         "If the service never serves it, set \"paths\": {\"vars\": null} for it in the fleet file");
    const QString pprofNote = base
        + QStringLiteral("/debug/pprof/ is not exposed (HTTP 404); it is optional, and gotriage asks again every 5 "
                         "min. If the service never serves it, set \"paths\": {\"pprof\": null} for it in the fleet "
                         "file");
    QCOMPARE(news, (QStringList{QStringLiteral("novars: ") + varsNote, QStringLiteral("novars: ") + pprofNote}));
    for (const auto &report : m_live->reports) {
        QVERIFY(report->scrape->up);
        QVERIFY2(report->scrape->problems.isEmpty(), qPrintable(report->scrape->problems.join(u';')));
    }
    QCOMPARE(issueLog.issues().size(), std::size_t(2));
    for (const auto &issue : issueLog.issues()) {
        QCOMPARE(issue.severity, issues::IssuesModel::Severity::Info);
        QCOMPARE(issue.count, quint64(1));
    }
}

void TestServicePoller::bearerTokenGoesToItsHostOnly()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    qputenv("GOTRIAGE_TEST_TOKEN", "from-env");
    config::ServiceConfig service
        = serviceAt(QStringLiteral("auth"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    service.auth.kind = config::AuthSettings::Kind::Bearer;
    service.auth.credentialsEnv = QStringLiteral("GOTRIAGE_TEST_TOKEN");
    const auto report = scrapeOnce(service);
    QVERIFY(report && report->scrape->up);
    QCOMPARE(server.requests.constFirst().header("Authorization"), QByteArray("Bearer from-env"));

    // Basic auth from a password file.
    const QString passwordFile = m_dir.filePath(QStringLiteral("password"));
    QFile file(passwordFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("pa:ss\n");
    file.close();
    service.auth = {};
    service.auth.kind = config::AuthSettings::Kind::Basic;
    service.auth.username = QStringLiteral("ops");
    service.auth.passwordFile = passwordFile;
    QVERIFY(scrapeOnce(service)->scrape->up);
    QCOMPARE(server.requests.constLast().header("Authorization"), "Basic " + QByteArray("ops:pa:ss").toBase64());

    // The request settings attach credentials only to the service's own host.
    const ingest::RequestSettings settings = ingest::resolveRequestSettings(service);
    TestHttpServer other;
    QVERIFY(other.listen());
    ingest::HttpFetch fetch(
        &m_executor,
        settings.request(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(other.port())), service.baseUrl));
    QSignalSpy done(&fetch, &ingest::HttpFetch::finished);
    fetch.start();
    QVERIFY(done.wait(5000));
    QCOMPARE(other.requests.size(), 1);
    QVERIFY(other.requests.constFirst().header("Authorization").isEmpty());
}

void TestServicePoller::missingCredentialsFileIsAnError()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    config::ServiceConfig service
        = serviceAt(QStringLiteral("nocred"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    service.auth.kind = config::AuthSettings::Kind::Bearer;
    service.auth.credentialsFile = QStringLiteral("/nonexistent/token");
    const auto report = scrapeOnce(service);
    QVERIFY(report && !report->scrape->up);
    QVERIFY2(report->scrape->error.contains(QStringLiteral("cannot read credentials_file /nonexistent/token")),
             qPrintable(report->scrape->error));
    QCOMPARE(server.requests.size(), 0); // nothing is sent without the credentials it needs
}

void TestServicePoller::tls_data()
{
    QTest::addColumn<int>("trust"); // 0: system CAs only, 1: ca_file, 2: insecure_skip_verify
    QTest::addColumn<bool>("up");
    QTest::newRow("unknown-ca-refused") << 0 << false;
    QTest::newRow("ca-file") << 1 << true;
    QTest::newRow("insecure-skip-verify") << 2 << true;
}

void TestServicePoller::tls()
{
    QFETCH(int, trust);
    QFETCH(bool, up);
    const auto [cert, key] = selfSignedCertificate(QDir(m_dir.path()));
    QVERIFY2(!cert.isEmpty(), "openssl could not make a certificate");
    QFile keyFile(key);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    TestHttpServer server;
    QVERIFY(server.listenTls(QSslCertificate::fromPath(cert).constFirst(), QSslKey(keyFile.readAll(), QSsl::Rsa)));
    config::ServiceConfig service
        = serviceAt(QStringLiteral("tls"), QStringLiteral("https://127.0.0.1:%1").arg(server.port()), 2000);
    if (trust == 1)
        service.tls.caFile = cert;
    if (trust == 2)
        service.tls.insecureSkipVerify = true;
    const auto report = scrapeOnce(service);
    QVERIFY(report);
    QVERIFY2(report->scrape->up == up, qPrintable(report->scrape->error));
    QCOMPARE(report->health.insecure, trust == 2);
    if (!up)
        QVERIFY2(report->scrape->error.contains(QStringLiteral("certificate"), Qt::CaseInsensitive),
                 qPrintable(report->scrape->error));
}

void TestServicePoller::reloadAppliesLimitsTierAndLabels()
{
    // A reload that changes only what analysis reads keeps the poller (and
    // its history and trends) and hands the new values to the analysis.
    TestHttpServer server;
    QVERIFY(server.listen());
    config::ServiceConfig service
        = serviceAt(QStringLiteral("api"), QStringLiteral("http://127.0.0.1:%1").arg(server.port()), 200);
    service.limits.goroutines = 1000;
    service.limits.memoryBytes = 1e9;
    session::Session watcher(std::make_unique<ingest::LiveSource>());
    session::ServiceReportPtr last;
    connect(&watcher, &session::Session::batchReady, this,
            [&](const session::SessionBatchPtr &batch) { last = batch->reports.back(); });
    watcher.start();
    auto limitOf = [&](vitals::Vital vital) {
        for (const auto &p : last->projections) {
            if (p.vital == vital)
                return p.limit.value_or(-1);
        }
        return -2.0;
    };
    watcher.setServices({service});
    QTRY_VERIFY_WITH_TIMEOUT(last && last->health.scrapes >= 3, 5000);
    QCOMPARE(limitOf(vitals::Vital::Goroutines), 1000.0);
    const quint64 scrapesBefore = last->health.scrapes;

    service.limits.goroutines = 5000;
    service.limits.memoryBytes = 2e9;
    service.tier = config::Tier::Core;
    service.labels = {{QStringLiteral("team"), QStringLiteral("payments")}};
    watcher.setServices({service});
    QTRY_VERIFY_WITH_TIMEOUT(limitOf(vitals::Vital::Goroutines) == 5000.0, 5000);
    QCOMPARE(limitOf(vitals::Vital::Rss), 2e9);
    QVERIFY(last->health.scrapes > scrapesBefore); // the same poller: its count goes on
    QVERIFY(watcher.store().snapshot(QStringLiteral("api"), INT64_MIN).samples.size() > scrapesBefore - 1);
}

void TestServicePoller::healthyServicesKeepTheirPaceBesideBadOnes()
{
    TestHttpServer good, silent, slow, huge;
    silent.mode = TestHttpServer::Mode::Silent;
    slow.mode = TestHttpServer::Mode::Slow;
    huge.mode = TestHttpServer::Mode::Huge;
    QVERIFY(good.listen() && silent.listen() && slow.listen() && huge.listen());
    TestHttpServer dead;
    QVERIFY(dead.listen());
    dead.close();
    auto url = [](const TestHttpServer &s) { return QStringLiteral("http://127.0.0.1:%1").arg(s.port()); };
    session::Session watcher(std::make_unique<ingest::LiveSource>());
    QSignalSpy spy(&watcher, &session::Session::batchReady);
    watcher.start();
    watcher.setServices({serviceAt(QStringLiteral("good"), url(good)), serviceAt(QStringLiteral("silent"), url(silent)),
                         serviceAt(QStringLiteral("slow"), url(slow)), serviceAt(QStringLiteral("huge"), url(huge)),
                         serviceAt(QStringLiteral("dead"), url(dead))});
    // The test servers run in this thread; the watcher scrapes from its own.
    QTest::qWait(4000);
    std::vector<qint64> goodTimes;
    QSet<QString> reported;
    for (const auto &report : reportsOf(spy)) {
        reported.insert(report->scrape->service);
        if (report->scrape->service == QLatin1String("good")) {
            QVERIFY(report->scrape->up);
            goodTimes.push_back(report->scrape->tsMs);
        } else {
            QVERIFY(!report->scrape->up);
            QVERIFY(!report->scrape->error.isEmpty());
        }
    }
    QCOMPARE(reported.size(), 5);
    QVERIFY2(goodTimes.size() >= 6, qPrintable(QStringLiteral("%1 good scrapes").arg(goodTimes.size())));
    for (std::size_t i = 1; i < goodTimes.size(); ++i)
        QVERIFY2(goodTimes[i] - goodTimes[i - 1] < 1000,
                 qPrintable(QStringLiteral("gap %1 ms").arg(goodTimes[i] - goodTimes[i - 1])));
}

void TestServicePoller::liveRequestsGoAheadOfSuspectOnes()
{
    // One connection: a silent target holds it; a suspect request and then
    // a live one wait. When it frees, the live one goes first; a request
    // that waits past its whole budget says so.
    TestHttpServer silent, ok;
    silent.mode = TestHttpServer::Mode::Silent;
    QVERIFY(silent.listen() && ok.listen());
    ingest::RequestExecutor executor;
    executor.setMaxConnections(1);
    auto request = [](quint16 port, int totalMs, bool suspect) {
        ingest::HttpRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port));
        r.totalTimeout = std::chrono::milliseconds(totalMs);
        r.standing = suspect ? ingest::HttpRequest::Standing::Suspect : ingest::HttpRequest::Standing::Proven;
        return r;
    };
    QStringList order;
    QString starvedError;
    executor.start(request(silent.port(), 300, false),
                   [&](const ingest::FetchResult &) { order << QStringLiteral("silent"); });
    executor.start(request(ok.port(), 5000, true), [&](const ingest::FetchResult &r) {
        QVERIFY(r.ok);
        order << QStringLiteral("suspect");
    });
    executor.start(request(ok.port(), 5000, false), [&](const ingest::FetchResult &r) {
        QVERIFY(r.ok);
        order << QStringLiteral("live");
    });
    executor.start(request(ok.port(), 100, true), [&](const ingest::FetchResult &r) { starvedError = r.error; });
    QCOMPARE(executor.waiting(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 3, 5000);
    QCOMPARE(order, (QStringList{QStringLiteral("silent"), QStringLiteral("live"), QStringLiteral("suspect")}));
    QVERIFY2(starvedError.endsWith(QStringLiteral("not started within 100 ms: all 1 connections were busy with other "
                                                  "targets")),
             qPrintable(starvedError));
    QCOMPARE(executor.waiting(), 0);
}

void TestServicePoller::aNewcomerKeepsAQuarterWhileProvenScrapesQueue()
{
    // Four connections, each held by a proven service's scrape of a silent
    // target, and more proven scrapes always waiting (a fleet too slow for
    // every scrape in time): a service that never answered still gets its
    // first answer, rather than "not started" at the end of its budget.
    TestHttpServer silent, ok;
    silent.mode = TestHttpServer::Mode::Silent;
    QVERIFY(silent.listen() && ok.listen());
    auto request = [](quint16 port, int totalMs, ingest::HttpRequest::Standing standing) {
        ingest::HttpRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port));
        r.totalTimeout = std::chrono::milliseconds(totalMs);
        r.standing = standing;
        return r;
    };
    bool newcomerDone = false;
    ingest::FetchResult newcomer;
    int provenStarted = 0;
    std::function<void()> startProven;
    ingest::RequestExecutor executor;
    executor.setMaxConnections(4);
    startProven = [&] {
        ++provenStarted;
        executor.start(request(silent.port(), 150, ingest::HttpRequest::Standing::Proven),
                       [&](const ingest::FetchResult &) {
                           if (!newcomerDone)
                               startProven();
                       });
    };
    for (int i = 0; i < 8; ++i)
        startProven();
    QCOMPARE(executor.waiting(), 4);
    executor.start(request(ok.port(), 2000, ingest::HttpRequest::Standing::Unknown), [&](const ingest::FetchResult &r) {
        newcomer = r;
        newcomerDone = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(newcomerDone, 5000);
    QVERIFY2(newcomer.ok, qPrintable(newcomer.error));
    qInfo("the newcomer answered after %d proven scrapes had started", provenStarted);
}

QTEST_GUILESS_MAIN(TestServicePoller)
#include "tst_servicepoller.moc"
