// The pipeline seam: sources, their clocks, the session hub's batches.
#include "replaytesting.h"
#include "testhttpserver.h"

#include "common/clock.h"
#include "common/threadpriority.h"
#include "ingest/feedsource.h"
#include "ingest/livesource.h"
#include "ingest/replaysource.h"
#include "ingest/updatejson.h"
#include "session/servicepipeline.h"
#include "session/session.h"
#include "session/sessionhub.h"
#include "store/seriesstore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>

using namespace gotriage;

namespace {

// A leaking, creeping service at 1 s: goroutines +2/s and heap +64 KiB/s
// on top of noise, after a healthy first half minute.
std::vector<ingest::SourceUpdate> leakingCapture(int seconds)
{
    std::vector<ingest::SourceUpdate> out;
    std::uint32_t noise = 12345;
    const auto jitter = [&] {
        noise = noise * 1103515245U + 12345U;
        return static_cast<double>((noise >> 16) % 100) / 100.0 - 0.5;
    };
    const qint64 t0 = 1'800'000'000'000;
    for (int s = 0; s < seconds; ++s) {
        for (const char *name : {"leaky", "steady"}) {
            auto scrape = std::make_shared<ingest::ScrapeResult>();
            scrape->service = QString::fromLatin1(name);
            scrape->tsMs = t0 + s * 1000 + (name[0] == 'l' ? 0 : 500);
            scrape->up = true;
            ingest::SourceUpdate u;
            u.vitals.tsMs = scrape->tsMs;
            const bool leaking = name[0] == 'l' && s >= 30;
            u.vitals[vitals::Vital::Goroutines] = 200 + (leaking ? 2.0 * (s - 30) : 0) + 3 * jitter();
            u.vitals[vitals::Vital::HeapGoal] = 64e6 + (leaking ? 65536.0 * (s - 30) : 0) + 2e5 * jitter();
            u.vitals[vitals::Vital::Rss] = 120e6 + 1e5 * jitter();
            u.vitals[vitals::Vital::Cpu] = 0.2 + 0.01 * jitter();
            u.runtime.goVersion = QStringLiteral("go1.19.8");
            u.runtime.startTimeSeconds = static_cast<double>(t0) / 1000.0 - 3600;
            u.health.up = true;
            u.health.lastGoodMs = scrape->tsMs;
            u.scrape = std::move(scrape);
            out.push_back(std::move(u));
        }
    }
    return out;
}

std::vector<config::ServiceConfig> fleetOf(std::size_t count)
{
    std::vector<config::ServiceConfig> services(count);
    for (std::size_t i = 0; i < count; ++i)
        services[i].name = QStringLiteral("svc-%1").arg(i);
    return services;
}

} // namespace

class TestSession : public QObject
{
    Q_OBJECT

private slots:
    void workThreadsRunBehindTheGuiThread();
    void initTestCase();
    void replayClockMovesAtItsRate();
    void captureLinesRoundTrip();
    void badCaptureLinesAreNamed();
    void replayAtAnyRateGivesTheSameFindings();
    void hubSendsOneBatchPerTick();
    void hubBuildsAFleetsAnalysesASliceAtATime();
    void hubForgetsAServiceDroppedBeforeItWasBuilt();
    void hubDropsServicesItDoesNotWatch();
    void aWallClockStepBackLosesNoHistory();
    void historyAfterLiveRaisesNothingTwice();
};

void TestSession::initTestCase()
{
    qRegisterMetaType<session::SessionBatchPtr>();
}

void TestSession::replayClockMovesAtItsRate()
{
    common::ReplayClock clock(1'000'000, 10);
    QCOMPARE(clock.nowMs(), 1'000'000); // paused until played
    clock.play();
    QTest::qWait(100);
    const qint64 played = clock.nowMs() - 1'000'000;
    QVERIFY2(played >= 900 && played < 3000, qPrintable(QString::number(played)));
    clock.pause();
    const qint64 paused = clock.nowMs();
    QTest::qWait(50);
    QCOMPARE(clock.nowMs(), paused);
    clock.setRate(1000);
    clock.play();
    QTest::qWait(20);
    QVERIFY(clock.nowMs() - paused >= 15'000);
    clock.seek(5);
    QVERIFY(clock.nowMs() < 2000); // a seek back is the one way back
}

void TestSession::captureLinesRoundTrip()
{
    const auto updates = leakingCapture(2);
    for (const ingest::SourceUpdate &u : updates) {
        const std::string line = ingest::toJsonLine(u);
        QString error;
        const auto back = ingest::updateFromJsonLine(line, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->service(), u.service());
        QCOMPARE(back->tsMs(), u.tsMs());
        QCOMPARE(back->scrape->up, true);
        QCOMPARE(back->runtime, u.runtime);
        for (const vitals::VitalInfo &info : vitals::kVitals) {
            const double a = u.vitals[info.vital], b = back->vitals[info.vital];
            QVERIFY2((std::isnan(a) && std::isnan(b)) || a == b, info.name.data()); // bit for bit
        }
        QCOMPARE(ingest::toJsonLine(*back), line);
    }
}

void TestSession::badCaptureLinesAreNamed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cut.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const auto updates = leakingCapture(1);
    file.write(QByteArray::fromStdString(ingest::toJsonLine(updates[0]) + "\n"));
    file.write("{\"service\": \"x\", \"ts_ms\": \"soon\", \"up\": true, \"vitals\": {}}\n");
    file.write("\n");
    file.write(QByteArray::fromStdString(ingest::toJsonLine(updates[1]).substr(0, 40))); // cut by a crash
    file.close();
    QString error;
    const auto log = ingest::readUpdateLog(path, &error);
    QVERIFY(log);
    QCOMPARE(log->updates.size(), std::size_t(1)); // what can be read is kept
    QCOMPARE(log->problems.size(), 2);
    QCOMPARE(log->problems[0], path + QStringLiteral(":2: `ts_ms` must be an integer"));
    QCOMPARE(log->problems[1], path + QStringLiteral(":4: not a JSON object"));
    QVERIFY(!ingest::readUpdateLog(dir.filePath(QStringLiteral("missing.jsonl")), &error));
    QVERIFY2(error.contains(QStringLiteral("missing.jsonl")), qPrintable(error));
}

void TestSession::replayAtAnyRateGivesTheSameFindings()
{
    // The reference: the same updates fed straight into a hub, no clock, no timers.
    const auto capture = leakingCapture(120);
    ingest::FeedSource feed;
    session::SessionHub hub(&feed.clock());
    hub.setAnalysisSettings(analysis::AnalysisSettings::fast());
    hub.setAdoptUnknownServices(true);
    QStringList reference;
    connect(&hub, &session::SessionHub::batchReady, this, [&](const session::SessionBatchPtr &batch) {
        for (const auto &report : batch->reports) {
            for (const auto &change : report->findingChanges)
                reference << testing::describeChange(change);
        }
    });
    for (const ingest::SourceUpdate &u : capture)
        hub.consume(u);
    hub.flush();
    QVERIFY2(reference.filter(QStringLiteral("leaky/goroutine_leak raised")).size() == 1,
             qPrintable(reference.join(u'\n')));
    QVERIFY2(reference.filter(QStringLiteral("leaky/memory_black_hole raised")).size() == 1,
             qPrintable(reference.join(u'\n')));
    QVERIFY(reference.filter(QStringLiteral("steady/goroutine_leak")).isEmpty());

    int fastBatches = 0;
    QCOMPARE(testing::replayChanges(capture, 100, {}, &fastBatches), reference);
    QCOMPARE(testing::replayChanges(capture, 20), reference);
    // 240 updates over 1.2 s of replay: batched per tick, not one event each.
    QVERIFY2(fastBatches <= 12, qPrintable(QString::number(fastBatches)));
}

void TestSession::hubSendsOneBatchPerTick()
{
    ingest::FeedSource feed;
    session::SessionHub hub(&feed.clock());
    feed.setSink(&hub);
    const std::vector<config::ServiceConfig> services = fleetOf(2000);
    hub.setServices(services, true);
    QSignalSpy batches(&hub, &session::SessionHub::batchReady);
    hub.startTicking();
    for (std::size_t i = 0; i < services.size(); ++i) {
        vitals::VitalsSample v;
        v.tsMs = 1'000'000 + static_cast<qint64>(i);
        v[vitals::Vital::Goroutines] = 10;
        feed.feed(services[i].name, v);
    }
    QVERIFY(batches.wait(2 * session::SessionHub::kTickMs));
    QCOMPARE(batches.size(), 1);
    const auto batch = batches.at(0).at(0).value<session::SessionBatchPtr>();
    QCOMPARE(batch->reports.size(), services.size());
    for (std::size_t i = 0; i < services.size(); ++i)
        QCOMPARE(batch->reports[i]->service(), services[i].name); // in arrival order
    QCOMPARE(hub.store().services().size(), services.size());
    QVERIFY(!batches.wait(2 * session::SessionHub::kTickMs)); // nothing new: no empty batches
}

void TestSession::hubBuildsAFleetsAnalysesASliceAtATime()
{
    // Each analysis maps its trend rings whole: 10 000 at once held the
    // ingest thread for seconds. They are built on first use, or a slice
    // per turn of the event loop.
    ingest::FeedSource feed;
    session::SessionHub hub(&feed.clock());
    feed.setSink(&hub);
    const std::vector<config::ServiceConfig> services = fleetOf(2000);
    hub.setServices(services, true);
    QCOMPARE(hub.unbuiltCount(), services.size());
    QSignalSpy batches(&hub, &session::SessionHub::batchReady);
    vitals::VitalsSample v;
    v.tsMs = 1000;
    v[vitals::Vital::Goroutines] = 10;
    feed.feed(services.back().name, v); // not built yet: built now, not dropped
    QCOMPARE(hub.unbuiltCount(), services.size() - 1);
    QCoreApplication::processEvents();
    QVERIFY2(hub.unbuiltCount() > 0 && hub.unbuiltCount() < services.size() - 1,
             qPrintable(QString::number(hub.unbuiltCount())));
    QTRY_COMPARE(hub.unbuiltCount(), std::size_t(0));
    hub.flush();
    QCOMPARE(batches.size(), 1);
    const auto batch = batches.at(0).at(0).value<session::SessionBatchPtr>();
    QCOMPARE(batch->reports.size(), std::size_t(1));
    QCOMPARE(batch->reports[0]->service(), services.back().name);
}

void TestSession::hubForgetsAServiceDroppedBeforeItWasBuilt()
{
    ingest::FeedSource feed;
    session::SessionHub hub(&feed.clock());
    feed.setSink(&hub);
    config::ServiceConfig kept, dropped;
    kept.name = QStringLiteral("kept");
    dropped.name = QStringLiteral("dropped");
    hub.setServices({kept, dropped}, true);
    hub.setServices({kept}, true); // before an event loop built either
    QCOMPARE(hub.unbuiltCount(), std::size_t(1));
    QSignalSpy batches(&hub, &session::SessionHub::batchReady);
    vitals::VitalsSample v;
    v.tsMs = 1000;
    feed.feed(dropped.name, v);
    feed.feed(kept.name, v);
    hub.flush();
    QCOMPARE(batches.size(), 1);
    const auto batch = batches.at(0).at(0).value<session::SessionBatchPtr>();
    QCOMPARE(batch->reports.size(), std::size_t(1));
    QCOMPARE(batch->reports[0]->service(), kept.name);
    QVERIFY(!hub.store().latest(dropped.name));
    QCOMPARE(hub.unbuiltCount(), std::size_t(0));
}

void TestSession::hubDropsServicesItDoesNotWatch()
{
    ingest::FeedSource feed;
    session::SessionHub hub(&feed.clock());
    feed.setSink(&hub);
    config::ServiceConfig watched;
    watched.name = QStringLiteral("watched");
    hub.setServices({watched}, true);
    QSignalSpy batches(&hub, &session::SessionHub::batchReady);
    vitals::VitalsSample v;
    v.tsMs = 1000;
    feed.feed(QStringLiteral("removed"), v); // a scrape in flight when its service went
    feed.feed(QStringLiteral("watched"), v);
    hub.flush();
    QCOMPARE(batches.size(), 1);
    const auto batch = batches.at(0).at(0).value<session::SessionBatchPtr>();
    QCOMPARE(batch->reports.size(), std::size_t(1));
    QCOMPARE(batch->reports[0]->service(), QStringLiteral("watched"));
    QVERIFY(!hub.store().latest(QStringLiteral("removed")));
    hub.setAdoptUnknownServices(true); // replay: whatever the capture holds
    feed.feed(QStringLiteral("removed"), v);
    QVERIFY(hub.store().latest(QStringLiteral("removed")));
}

void TestSession::aWallClockStepBackLosesNoHistory()
{
    // A live run during which the wall clock is set back an hour (through
    // the live clock's wall source): every good scrape stays in the store,
    // in order, and the samples after the step come after those before it.
    TestHttpServer server;
    QVERIFY(server.listen());
    std::atomic<qint64> wall{common::LiveClock::systemWallMs()};
    QElapsedTimer elapsed;
    elapsed.start();
    std::atomic<qint64> step{0};
    const common::LiveClock clock([&] { return wall.load() + elapsed.elapsed() - step.load(); });
    config::ServiceConfig service;
    service.name = QStringLiteral("api");
    service.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    service.interval = std::chrono::milliseconds(200);
    service.paths.vars.clear();
    service.paths.pprof.clear();
    session::Session session(std::make_unique<ingest::LiveSource>(&clock));
    std::vector<qint64> reported;
    connect(&session, &session::Session::batchReady, this, [&](const session::SessionBatchPtr &batch) {
        for (const auto &report : batch->reports) {
            if (report->health.up)
                reported.push_back(report->tsMs());
        }
    });
    session.setServices({service});
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(reported.size() >= 5, 5000);
    const std::size_t beforeStep = reported.size();
    const qint64 lastBefore = reported.back();
    step = 3'600'000;
    QTRY_VERIFY_WITH_TIMEOUT(reported.size() >= beforeStep + 5, 5000);
    QVERIFY(reported[beforeStep] > lastBefore);
    QVERIFY(std::is_sorted(reported.begin(), reported.end()));
    QVERIFY(std::adjacent_find(reported.begin(), reported.end()) == reported.end());
    const auto stored = session.store().snapshot(service.name).samples;
    QVERIFY(stored.size() >= reported.size());
    for (qint64 ts : reported) {
        QVERIFY2(std::any_of(stored.begin(), stored.end(), [&](const vitals::VitalsSample &s) { return s.tsMs == ts; }),
                 qPrintable(QStringLiteral("sample at %1 lost").arg(ts)));
    }
}

// A server's history that arrives after the first live scrapes (a slow
// server): what live analysis already raised is not raised again, the leak
// the history holds is raised, dated back into it, and the store holds the
// past before the present.
void TestSession::historyAfterLiveRaisesNothingTwice()
{
    std::vector<ingest::SourceUpdate> capture;
    for (ingest::SourceUpdate &u : leakingCapture(10)) {
        if (u.service() == QLatin1String("steady"))
            capture.push_back(std::move(u));
    }
    config::ServiceConfig service;
    service.name = QStringLiteral("steady");
    store::SeriesStore store(64 * 1024 * 1024);
    session::ServicePipeline pipeline(service, analysis::AnalysisSettings::fast());
    std::map<QString, int> raised; // finding key → times raised
    const auto count = [&raised](const session::ServiceReport &report) {
        for (const analysis::FindingChange &change : report.findingChanges) {
            if (change.type == analysis::FindingChange::Type::Raised)
                ++raised[change.finding.key().toString()];
        }
    };
    const std::size_t live = 5;
    for (std::size_t i = 0; i < live; ++i)
        count(*pipeline.process(capture[i], store));
    const QString goVersion = QStringLiteral("steady/config/unsupported_go");
    QCOMPARE(raised[goVersion], 1); // go1.19.8, from the first live scrape

    // Half an hour before, at 15 s: goroutines climbing 4 a minute, to where live found them.
    const qint64 firstLive = capture.front().tsMs();
    std::vector<vitals::VitalsSample> history;
    for (qint64 t = firstLive - 30 * 60'000; t < firstLive; t += 15'000) {
        vitals::VitalsSample sample;
        sample.tsMs = t;
        sample[vitals::Vital::Goroutines] = 80 + 4.0 * double(t - (firstLive - 30 * 60'000)) / 60'000;
        sample[vitals::Vital::Rss] = 120e6;
        sample[vitals::Vital::Cpu] = 0.2;
        history.push_back(sample);
    }
    pipeline.backfill(history, store);
    for (std::size_t i = live; i < capture.size(); ++i)
        count(*pipeline.process(capture[i], store));

    QCOMPARE(raised[goVersion], 1);
    QCOMPARE(raised[QStringLiteral("steady/goroutine_leak")], 1);
    const auto held = store.snapshot(service.name).samples;
    QCOMPARE(held.size(), history.size() + capture.size());
    QVERIFY(std::is_sorted(held.begin(), held.end(), [](const auto &a, const auto &b) { return a.tsMs < b.tsMs; }));
}

QTEST_GUILESS_MAIN(TestSession)
void TestSession::workThreadsRunBehindTheGuiThread()
{
    const int mine = common::currentThreadNiceness();
    QThread worker;
    common::runBehindStarter(worker);
    worker.start();
    auto *inWorker = new QObject;
    inWorker->moveToThread(&worker);
    int theirs = -100;
    QMetaObject::invokeMethod(
        inWorker, [&theirs] { theirs = common::currentThreadNiceness(); }, Qt::BlockingQueuedConnection);
    inWorker->deleteLater(); // in the worker, as it finishes
    worker.quit();
    worker.wait();
    QCOMPARE(theirs, std::min(19, mine + common::kWorkThreadNiceness));
    // The starter keeps its own.
    QCOMPARE(common::currentThreadNiceness(), mine);
}

#include "tst_session.moc"
