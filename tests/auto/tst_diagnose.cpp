// Diagnose without a window: profile diffs, callers and callees, the
// healthy-peer pick, automatic evidence (through a real local HTTP server)
// and the user/system CPU split of a real process on this host.
#include "analysis/peers.h"
#include "common/clock.h"
#include "diagnose/flamegraph.h"
#include "diagnose/profilediff.h"
#include "formats/profile.h"
#include "formats/proto/profile.pb.h"
#include "ingest/localprocess.h"
#include "ingest/profilecapture.h"
#include "ingest/requestexecutor.h"
#include "session/evidencecollector.h"
#include "testhttpserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <map>
#include <optional>

#include <unistd.h>

using namespace gotriage;

namespace {

// A CPU-like profile from stacks (leaf first) and their values, written as
// protobuf and read back through the real decoder.
formats::Profile makeProfile(const std::vector<std::pair<std::vector<std::string>, std::int64_t>> &stacks)
{
    pprof::Profile m;
    m.add_string_table("");
    std::map<std::string, std::uint64_t> ids;
    const auto str = [&](const std::string &s) {
        for (int i = 0; i < m.string_table_size(); ++i) {
            if (m.string_table(i) == s)
                return static_cast<std::int64_t>(i);
        }
        m.add_string_table(s);
        return static_cast<std::int64_t>(m.string_table_size() - 1);
    };
    auto *type = m.add_sample_type();
    type->set_type(str("cpu"));
    type->set_unit(str("nanoseconds"));
    for (const auto &[frames, value] : stacks) {
        auto *sample = m.add_sample();
        for (const std::string &name : frames) {
            auto [it, added] = ids.emplace(name, ids.size() + 1);
            if (added) {
                auto *f = m.add_function();
                f->set_id(it->second);
                f->set_name(str(name));
                auto *l = m.add_location();
                l->set_id(it->second);
                l->add_line()->set_function_id(it->second);
            }
            sample->add_location_id(it->second);
        }
        sample->add_value(value);
    }
    const std::string wire = m.SerializeAsString();
    formats::ParsedProfile parsed = formats::parseProfile(wire);
    if (!parsed.profile)
        qFatal("test profile: %s", parsed.error.c_str());
    return std::move(*parsed.profile);
}

config::ServiceConfig service(const QString &name, config::Tier tier,
                              std::vector<std::pair<QString, QString>> labels = {})
{
    config::ServiceConfig s;
    s.name = name;
    s.tier = tier;
    s.labels = std::move(labels);
    s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    return s;
}

QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(GOTRIAGE_TEST_DATA "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(name));
    return file.readAll();
}

session::SessionBatchPtr raisedBatch(const QString &serviceName, analysis::FindingKind kind,
                                     const analysis::NextStep &next, qint64 nowMs,
                                     analysis::FindingChange::Type type = analysis::FindingChange::Type::Raised)
{
    auto report = std::make_shared<session::ServiceReport>();
    auto scrape = std::make_shared<scraping::ScrapeResult>();
    scrape->service = serviceName;
    scrape->tsMs = nowMs;
    report->scrape = scrape;
    analysis::FindingChange change;
    change.type = type;
    change.tsMs = nowMs;
    change.finding.service = serviceName;
    change.finding.kind = kind;
    change.finding.next = next;
    report->findingChanges.push_back(change);
    auto batch = std::make_shared<session::SessionBatch>();
    batch->nowMs = nowMs;
    batch->reports.push_back(report);
    return batch;
}

// A real local server that serves a lab goroutine dump, and a capturer
// through a real request executor.
struct CaptureRig {
    TestHttpServer server;
    ingest::RequestExecutor executor;
    ingest::ProfileCapturer capturer{&executor};

    bool start()
    {
        server.body = readData(QStringLiteral("lab/goroutine_leak_debug2.txt"));
        return server.listen();
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port())); }
};

analysis::NextStep twoDumps(double spacingSeconds)
{
    analysis::NextStep next;
    next.action = analysis::NextStep::Action::CaptureGoroutines;
    next.count = 2;
    next.debugLevel = 2;
    next.spacingSeconds = spacingSeconds;
    return next;
}

} // namespace

class TestDiagnose : public QObject
{
    Q_OBJECT

private slots:
    void diffRanksGrowthFirst();
    void diffRejectsDifferentSampleTypes();
    void diffFlameTreeKnowsTheBase();
    void callersAndCalleesOfAFunction();
    void healthyPeerIsTheClosestHealthyService_data();
    void healthyPeerIsTheClosestHealthyService();
    void capturePlansFollowTheNextStep();
    void evidenceIsCapturedOnceForARaisedFinding();
    void evidenceRespectsTheBudgetAndTheSwitches();
    void cpuSplitOfARealProcess();
    void cpuSplitSaysWhyItIsUnavailable();
    void servicesOfOneProcessShareItsCpuReading();
    void cpuTimesOfACommandNameWithParentheses();
};

void TestDiagnose::diffRanksGrowthFirst()
{
    // Before: handle spends 20 of 100; after: 60 of 100. parse shrinks.
    const formats::Profile before
        = makeProfile({{{"main.handle", "main.main"}, 20}, {{"main.parse", "main.main"}, 80}});
    const formats::Profile after = makeProfile(
        {{{"main.handle", "main.main"}, 120}, {{"main.parse", "main.main"}, 80}, {{"main.newThing", "main.main"}, 0}});
    const diagnose::ProfileDiff diff = diagnose::diffProfiles(before, after);
    QVERIFY2(diff.error.empty(), diff.error.c_str());
    QCOMPARE(diff.baseTotal, 100);
    QCOMPARE(diff.total, 200);
    QVERIFY(diff.rows.size() >= 3);
    QCOMPARE(diff.rows.front().name, std::string("main.handle"));
    QCOMPARE(diff.rows.front().baseFlat, 20);
    QCOMPARE(diff.rows.front().flat, 120);
    QVERIFY(qFuzzyCompare(diff.rows.front().flatPercentChange(), 40.0)); // 20 % -> 60 %
    QCOMPARE(diff.rows.back().name, std::string("main.parse")); // 80 % -> 40 %: the largest shrinkage
    QVERIFY(qFuzzyCompare(diff.rows.back().flatPercentChange(), -40.0));
    // main.main holds everything in both: cum unchanged at 100 %.
    const auto main
        = std::find_if(diff.rows.begin(), diff.rows.end(), [](const auto &r) { return r.name == "main.main"; });
    QVERIFY(main != diff.rows.end());
    QVERIFY(qFuzzyCompare(main->cumPercent, 100.0));
    QVERIFY(qFuzzyCompare(1.0 + main->cumPercentChange(), 1.0));
}

void TestDiagnose::diffRejectsDifferentSampleTypes()
{
    const formats::Profile cpu = makeProfile({{{"main.f"}, 1}});
    formats::ParsedProfile heap
        = formats::parseProfile(readData(QStringLiteral("lab/heap_memcreep.pb.gz")).toStdString());
    QVERIFY(heap.profile);
    const diagnose::ProfileDiff diff = diagnose::diffProfiles(cpu, *heap.profile);
    QVERIFY(!diff.error.empty());
    QVERIFY2(diff.error.find("different") != std::string::npos || diff.error.find("sample type") != std::string::npos,
             diff.error.c_str());
}

void TestDiagnose::diffFlameTreeKnowsTheBase()
{
    const formats::Profile before = makeProfile({{{"main.a", "main.main"}, 50}, {{"main.b", "main.main"}, 50}});
    const formats::Profile after = makeProfile({{{"main.a", "main.main"}, 90}, {{"main.c", "main.main"}, 10}});
    diagnose::FlameTree tree = diagnose::buildFlameTree(after);
    diagnose::annotateWithBase(tree, diagnose::buildFlameTree(before));
    QVERIFY(tree.isDiff());
    QCOMPARE(tree.baseTotal, 100);
    const auto find = [&](const std::string &name) {
        for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
            if (tree.nodes[i].name == name)
                return static_cast<int>(i);
        }
        return -1;
    };
    const int a = find("main.a"), c = find("main.c"), m = find("main.main");
    QVERIFY(a > 0 && c > 0 && m > 0);
    QCOMPARE(tree.nodes[static_cast<std::size_t>(a)].baseValue, 50);
    QCOMPARE(tree.nodes[static_cast<std::size_t>(c)].baseValue, 0); // new in the profile
    QVERIFY(qFuzzyCompare(tree.shareChange(a), 0.4)); // 50 % -> 90 %
    QVERIFY(qFuzzyCompare(tree.shareChange(c), 0.1));
    QVERIFY(qFuzzyCompare(1.0 + tree.shareChange(m), 1.0));
}

void TestDiagnose::callersAndCalleesOfAFunction()
{
    // util.hash is called from two handlers, calls sha256 and is recursive once.
    const formats::Profile p = makeProfile({
        {{"crypto.sha256", "util.hash", "main.login", "main.main"}, 30},
        {{"util.hash", "main.signup", "main.main"}, 10},
        {{"util.hash", "util.hash", "main.signup", "main.main"}, 5},
        {{"main.render", "main.main"}, 55},
    });
    const diagnose::FlameTree tree = diagnose::buildFlameTree(p);
    const diagnose::CallersAndCallees edges = diagnose::callersAndCallees(tree, "util.hash");
    QCOMPARE(edges.cum, 45); // the recursive frame counted once
    QCOMPARE(edges.self, 15); // 10 + 5 as the leaf
    QCOMPARE(edges.callers.size(), std::size_t(2));
    QCOMPARE(edges.callers[0].name, std::string("main.login"));
    QCOMPARE(edges.callers[0].value, 30);
    QCOMPARE(edges.callers[1].name, std::string("main.signup"));
    QCOMPARE(edges.callers[1].value, 15);
    QCOMPARE(edges.callees.size(), std::size_t(1)); // the recursion is not its own callee
    QCOMPARE(edges.callees[0].name, std::string("crypto.sha256"));
    QCOMPARE(edges.callees[0].value, 30);
    QVERIFY(diagnose::callersAndCallees(tree, "no.such").callers.empty());
}

void TestDiagnose::healthyPeerIsTheClosestHealthyService_data()
{
    QTest::addColumn<QStringList>("sick");
    QTest::addColumn<QString>("expected");
    QTest::newRow("a replica with every label")
        << QStringList{QStringLiteral("checkout-1")} << QStringLiteral("checkout-2");
    QTest::newRow("the replica is sick too: the same tier")
        << QStringList{QStringLiteral("checkout-1"), QStringLiteral("checkout-2")} << QStringLiteral("payments-1");
    QTest::newRow("everyone is sick") << QStringList{QStringLiteral("checkout-1"), QStringLiteral("checkout-2"),
                                                     QStringLiteral("payments-1"), QStringLiteral("batch-1")}
                                      << QString();
}

void TestDiagnose::healthyPeerIsTheClosestHealthyService()
{
    QFETCH(QStringList, sick);
    QFETCH(QString, expected);
    const std::vector<config::ServiceConfig> fleet = {
        service(QStringLiteral("batch-1"), config::Tier::NonCore,
                {{QStringLiteral("job"), QStringLiteral("checkout")}}),
        service(QStringLiteral("checkout-1"), config::Tier::Core,
                {{QStringLiteral("job"), QStringLiteral("checkout")}, {QStringLiteral("zone"), QStringLiteral("a")}}),
        service(QStringLiteral("checkout-2"), config::Tier::Core,
                {{QStringLiteral("job"), QStringLiteral("checkout")}, {QStringLiteral("zone"), QStringLiteral("b")}}),
        service(QStringLiteral("payments-1"), config::Tier::Core, {{QStringLiteral("zone"), QStringLiteral("a")}}),
    };
    const auto peer = analysis::pickHealthyPeer(fleet[1], fleet, QSet<QString>(sick.begin(), sick.end()));
    QCOMPARE(peer.value_or(QString()), expected);
}

void TestDiagnose::capturePlansFollowTheNextStep()
{
    const auto dumps = session::capturePlanFor(twoDumps(60));
    QVERIFY(dumps);
    QCOMPARE(dumps->kind, ingest::CaptureKind::GoroutineText);
    QCOMPARE(dumps->count, 2);
    QCOMPARE(dumps->spacingMs, 60000);
    analysis::NextStep cpu;
    cpu.action = analysis::NextStep::Action::CaptureCpuProfile;
    cpu.durationSeconds = 30;
    QCOMPARE(session::capturePlanFor(cpu)->kind, ingest::CaptureKind::Cpu);
    QCOMPARE(session::capturePlanFor(cpu)->seconds, 30);
    analysis::NextStep allocs;
    allocs.action = analysis::NextStep::Action::CaptureAllocsProfile;
    QCOMPARE(session::capturePlanFor(allocs)->kind, ingest::CaptureKind::Allocs);
    analysis::NextStep reach;
    reach.action = analysis::NextStep::Action::CheckReachability;
    QVERIFY(!session::capturePlanFor(reach));
}

void TestDiagnose::evidenceIsCapturedOnceForARaisedFinding()
{
    CaptureRig rig;
    QVERIFY(rig.start());
    TestHttpServer &server = rig.server;
    session::EvidenceCollector collector(&rig.capturer, &common::LiveClock::instance());
    config::ServiceConfig leaky = service(QStringLiteral("leaky"), config::Tier::Core);
    leaky.baseUrl = rig.url();
    collector.setServices({leaky}, true);
    QSignalSpy changes(&collector, &session::EvidenceCollector::evidenceChanged);

    const auto now = [] { return common::LiveClock::instance().nowMs(); };
    collector.onBatch(raisedBatch(leaky.name, analysis::FindingKind::GoroutineLeak, twoDumps(0.3), now()));
    // The second dump is due 0.3 s after the first: the hub's ticks run it.
    session::EvidencePtr last;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            collector.onBatch(std::make_shared<session::SessionBatch>(session::SessionBatch{now(), {}}));
            if (!changes.isEmpty())
                last = changes.last().at(0).value<session::EvidencePtr>();
            return last && last->ready();
        }(),
        10000);
    QCOMPARE(last->captures.size(), std::size_t(2));
    QCOMPARE(last->key.kind, analysis::FindingKind::GoroutineLeak);
    QVERIFY(last->captures[1]->startedMs - last->captures[0]->startedMs >= 300);
    int dumpRequests = 0;
    for (const auto &r : server.requests)
        dumpRequests += r.path.startsWith("/debug/pprof/goroutine?debug=2") ? 1 : 0;
    QCOMPARE(dumpRequests, 2);

    // The finding clears and comes back (a flapping service): the evidence
    // it has is kept, and the service is not profiled again.
    collector.onBatch(raisedBatch(leaky.name, analysis::FindingKind::GoroutineLeak, twoDumps(0.3), now(),
                                  analysis::FindingChange::Type::Cleared));
    collector.onBatch(raisedBatch(leaky.name, analysis::FindingKind::GoroutineLeak, twoDumps(0.3), now()));
    QTest::qWait(600);
    collector.onBatch(std::make_shared<session::SessionBatch>(session::SessionBatch{now(), {}}));
    QTest::qWait(200);
    dumpRequests = 0;
    for (const auto &r : server.requests)
        dumpRequests += r.path.startsWith("/debug/pprof/goroutine?debug=2") ? 1 : 0;
    QCOMPARE(dumpRequests, 2);
    QCOMPARE(collector.budgetUsed(now()), 2);
}

void TestDiagnose::evidenceRespectsTheBudgetAndTheSwitches()
{
    CaptureRig rig;
    QVERIFY(rig.start());
    session::EvidenceCollector collector(&rig.capturer, &common::LiveClock::instance());
    session::EvidencePolicy policy;
    policy.budget = 1;
    collector.setPolicy(policy);
    const QUrl url = rig.url();
    config::ServiceConfig a = service(QStringLiteral("a"), config::Tier::Core);
    config::ServiceConfig b = service(QStringLiteral("b"), config::Tier::Core);
    config::ServiceConfig off = service(QStringLiteral("off"), config::Tier::Core);
    a.baseUrl = b.baseUrl = off.baseUrl = url;
    off.autoCapture = false;
    collector.setServices({a, b, off}, true);
    QSignalSpy changes(&collector, &session::EvidenceCollector::evidenceChanged);
    analysis::NextStep allocs;
    allocs.action = analysis::NextStep::Action::CaptureAllocsProfile;
    const qint64 now = common::LiveClock::instance().nowMs();
    collector.onBatch(raisedBatch(QStringLiteral("off"), analysis::FindingKind::GcFrenzy, allocs, now));
    collector.onBatch(raisedBatch(QStringLiteral("a"), analysis::FindingKind::GcFrenzy, allocs, now));
    collector.onBatch(raisedBatch(QStringLiteral("b"), analysis::FindingKind::GcFrenzy, allocs, now));
    std::map<QString, session::EvidencePtr> latest;
    for (const QList<QVariant> &args : changes) {
        const auto e = args.at(0).value<session::EvidencePtr>();
        latest[e->key.service] = e;
    }
    QCOMPARE(latest.at(QStringLiteral("off"))->state, session::Evidence::State::Skipped);
    QVERIFY(latest.at(QStringLiteral("off"))->note.contains(QLatin1String("auto_capture")));
    QCOMPARE(latest.at(QStringLiteral("a"))->state, session::Evidence::State::Capturing);
    QCOMPARE(latest.at(QStringLiteral("b"))->state, session::Evidence::State::Waiting);
    QVERIFY2(latest.at(QStringLiteral("b"))->note.contains(QLatin1String("budget")),
             qPrintable(latest.at(QStringLiteral("b"))->note));

    // Off for the whole fleet: nothing is captured at all.
    session::EvidenceCollector quiet(&rig.capturer, &common::LiveClock::instance());
    session::EvidencePolicy disabled;
    disabled.enabled = false;
    quiet.setPolicy(disabled);
    quiet.setServices({a}, true);
    QSignalSpy quietChanges(&quiet, &session::EvidenceCollector::evidenceChanged);
    quiet.onBatch(raisedBatch(QStringLiteral("a"), analysis::FindingKind::GoroutineLeak, twoDumps(1), now));
    QCOMPARE(quietChanges.size(), 1);
    QCOMPARE(quietChanges.at(0).at(0).value<session::EvidencePtr>()->state, session::Evidence::State::Skipped);
}

void TestDiagnose::cpuSplitOfARealProcess()
{
    // A real process of its own that listens and burns CPU: the CLI's demo
    // fleet (its services compute and allocate as they serve).
    QTemporaryDir dir;
    const QString fleetPath = dir.filePath(QStringLiteral("fleet.json"));
    QProcess demo;
    demo.start(QStringLiteral(GOTRIAGE_CLI),
               {QStringLiteral("demo-fleet"), QStringLiteral("--services"), QStringLiteral("2"),
                QStringLiteral("--fleet-out"), fleetPath, QStringLiteral("--duration"), QStringLiteral("60")});
    QVERIFY(demo.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(fleetPath), 20000);
    QTest::qWait(200);
    QFile fleet(fleetPath);
    QVERIFY(fleet.open(QIODevice::ReadOnly));
    const QByteArray json = fleet.readAll();
    const qsizetype at = json.indexOf("http://127.0.0.1:");
    QVERIFY(at >= 0);
    const QUrl url(QString::fromLatin1(json.mid(at, json.indexOf('"', at) - at)));
    QVERIFY(url.port() > 0);

    ingest::LocalProcessTable ports;
    ingest::LocalCpuProbe probe(url);
    QString why;
    QCOMPARE(ports.pidFor(static_cast<quint16>(url.port()), 0, &why).value_or(-1), demo.processId());
    ingest::LocalCpuProbe::Reading first = probe.read(ports, common::LiveClock::instance().nowMs());
    QCOMPARE(first.source, QStringLiteral("/proc/%1/stat").arg(demo.processId()));
    QVERIFY(!first.available); // one reading is not a rate
    // Load the process (serving scrapes is work) and read again. /proc counts
    // in 10 ms ticks, and on a loaded CI machine 1.5 s of scrapes can cost the
    // fleet less than one; so load until a reading shows work, 20 s at most.
    QNetworkAccessManager network;
    ingest::LocalCpuProbe::Reading second;
    QElapsedTimer loading;
    loading.start();
    while (loading.elapsed() < 20000) {
        QElapsedTimer slice;
        slice.start();
        while (slice.elapsed() < 1500) {
            QNetworkReply *reply = network.get(QNetworkRequest(url.resolved(QUrl(QStringLiteral("/metrics")))));
            QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
            reply->deleteLater();
        }
        second = probe.read(ports, common::LiveClock::instance().nowMs());
        QVERIFY(second.available);
        QVERIFY(second.userCores >= 0 && second.systemCores >= 0);
        if (second.userCores + second.systemCores > 0)
            break;
    }
    QVERIFY2(second.userCores + second.systemCores > 0, "the demo fleet process burns some CPU");
    QVERIFY(second.userCores + second.systemCores < 2.5); // two cores, and a little slack
    demo.kill();
    demo.waitForFinished();
    // The process is gone: the probe says so and looks again.
    const ingest::LocalCpuProbe::Reading gone = probe.read(ports, common::LiveClock::instance().nowMs());
    QVERIFY(!gone.available);
    QVERIFY(gone.source.contains(QLatin1String("/proc/")));
}

void TestDiagnose::servicesOfOneProcessShareItsCpuReading()
{
    // Burn CPU between the readings so that a second read of /proc would
    // show more than the first: a reused reading is then the same one.
    const auto burn = [] {
        QElapsedTimer timer;
        timer.start();
        volatile double x = 1;
        while (timer.elapsed() < 60)
            x = x * 1.0000001 + 1e-9;
    };
    ingest::LocalProcessTable processes;
    const qint64 pid = QCoreApplication::applicationPid();
    QString why;
    const auto first = processes.cpuTimes(pid, 1000, &why);
    QVERIFY2(first, qPrintable(why));
    QCOMPARE(first->readMs, qint64{1000});
    burn();
    const auto reused = processes.cpuTimes(pid, 1000 + ingest::LocalProcessTable::kCpuReuseMs - 1, &why);
    QVERIFY(reused);
    QCOMPARE(reused->readMs, qint64{1000});
    QCOMPARE(reused->times.userSeconds, first->times.userSeconds);
    const auto fresh = processes.cpuTimes(pid, 1000 + ingest::LocalProcessTable::kCpuReuseMs, &why);
    QVERIFY(fresh);
    QCOMPARE(fresh->readMs, 1000 + ingest::LocalProcessTable::kCpuReuseMs);
    QVERIFY(fresh->times.userSeconds + fresh->times.systemSeconds
            > first->times.userSeconds + first->times.systemSeconds);
    // A pid that does not exist is said, not reused.
    QVERIFY(!processes.cpuTimes(std::numeric_limits<int>::max(), 2000, &why));
    QVERIFY(why.contains(QLatin1String("/proc/")));
}

void TestDiagnose::cpuSplitSaysWhyItIsUnavailable()
{
    ingest::LocalProcessTable ports;
    ingest::LocalCpuProbe remote(QUrl(QStringLiteral("http://10.0.0.5:8080")));
    QVERIFY(remote.read(ports, 0).source.contains(QLatin1String("not on this host")));
    // A port that nobody listens on: take one, then free it.
    quint16 freePort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        freePort = s.serverPort();
    }
    ingest::LocalCpuProbe nobody(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(freePort)));
    QVERIFY2(nobody.read(ports, 0).source.contains(QLatin1String("no process")), "");
    // This process listening itself: the demo fleet runs inside gotriage.
    QTcpServer own;
    QVERIFY(own.listen(QHostAddress::LocalHost, 0));
    ingest::LocalProcessTable fresh;
    ingest::LocalCpuProbe inside(QUrl(QStringLiteral("http://localhost:%1").arg(own.serverPort())));
    QVERIFY2(inside.read(fresh, 0).source.contains(QLatin1String("inside gotriage")),
             qPrintable(inside.read(fresh, 0).source));
}

QTEST_GUILESS_MAIN(TestDiagnose)
void TestDiagnose::cpuTimesOfACommandNameWithParentheses()
{
    // /proc/PID/stat puts the command name in parentheses, and the name may
    // hold ") " and numbers: a shell copied under such a name burns CPU, and
    // its times must come from the fields after the last ')'.
    QTemporaryDir dir;
    const QString strange = dir.filePath(QStringLiteral("x) 7 7 7 7 7"));
    QVERIFY(QFile::copy(QStringLiteral("/bin/sh"), strange));
    QVERIFY(QFile::setPermissions(strange, QFile::ReadOwner | QFile::ExeOwner));
    QProcess busy;
    busy.start(strange, {QStringLiteral("-c"), QStringLiteral("while :; do :; done")});
    QVERIFY(busy.waitForStarted());
    QFile comm(QStringLiteral("/proc/%1/comm").arg(busy.processId()));
    QVERIFY(comm.open(QIODevice::ReadOnly));
    QCOMPARE(comm.readAll().trimmed(), QByteArray("x) 7 7 7 7 7"));
    QString why;
    std::optional<ingest::ProcessCpuTimes> times;
    QTRY_VERIFY_WITH_TIMEOUT(
        (times = ingest::readProcessCpuTimes(busy.processId(), &why)) && times->userSeconds >= 0.05, 20000);
    // Read back through the other end of the line: utime and stime are the
    // 13th and 12th fields before its end (52 fields since Linux 5.x, 44 at least).
    QFile stat(QStringLiteral("/proc/%1/stat").arg(busy.processId()));
    QVERIFY(stat.open(QIODevice::ReadOnly));
    const QByteArray line = stat.readAll();
    busy.kill();
    busy.waitForFinished();
    const QList<QByteArray> afterName = line.mid(line.lastIndexOf(')') + 2).trimmed().split(' ');
    QVERIFY(afterName.size() >= 42);
    const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    QVERIFY(times->userSeconds <= afterName.at(11).toDouble() * tick);
    QVERIFY(times->userSeconds >= afterName.at(11).toDouble() * tick - 1.0); // read a moment earlier
    QVERIFY(times->systemSeconds <= afterName.at(12).toDouble() * tick);
    QVERIFY(why.isEmpty());
    // A process that is gone says where it looked.
    QVERIFY(!ingest::readProcessCpuTimes(busy.processId(), &why));
    QVERIFY2(why.startsWith(QStringLiteral("/proc/%1/stat: ").arg(busy.processId())), qPrintable(why));
}

#include "tst_diagnose.moc"
