#include "testdata.h"

#include "diagnose/goroutinegroups.h"
#include "diagnose/toptable.h"
#include "formats/expvar.h"
#include "formats/goroutinedump.h"
#include "formats/metrics.h"
#include "formats/pprofindex.h"
#include "formats/profile.h"
#include "sim/demofleet.h"
#include "sim/simprofiles.h"
#include "sim/simservice.h"

#include <QElapsedTimer>

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <nlohmann/json.hpp>

#include <map>
#include <set>

using namespace gotriage;

namespace {

std::map<std::string, formats::MetricType> familyTypes(const formats::ParsedMetrics &m)
{
    std::map<std::string, formats::MetricType> out;
    for (const formats::FamilyRef &f : m.families)
        out[std::string(m.text(f.name))] = f.type;
    return out;
}

} // namespace

class TestDemoFleet : public QObject
{
    Q_OBJECT

private slots:
    void metricsLookLikeClientGolang();
    void varsLookLikeExpvar();
    void pprofIndexHasAGoroutineCount();
    void scenariosDiverge();
    void throttleLowersTheLoad();
    void flappingGoesDownAndRestarts();
    void servesOverHttp();
    void fleetsInSeveralProcessesNumberOn();
    void pprofTellsTheScenario();

private:
    QByteArray get(QNetworkAccessManager &manager, const QUrl &url, int *status, const QByteArray &postBody = {});
};

void TestDemoFleet::metricsLookLikeClientGolang()
{
    const auto real = formats::parseMetrics(readTestData(QStringLiteral("go1.19/metrics_default_leak_t0.txt")),
                                            formats::ExpositionFormat::PrometheusText);
    sim::SimService service(QStringLiteral("svc"), sim::Scenario::Healthy, 1, 1.7e9);
    service.advanceTo(1.7e9 + 30);
    const std::string text = service.metricsText().toStdString();
    const auto emulated
        = formats::parseMetrics(text, formats::detectExpositionFormat("text/plain; version=0.0.4", text));
    QCOMPARE(emulated.problems.items().size(), std::size_t(0));
    // Every family a real Go service exposes is there, with the same type.
    const auto realTypes = familyTypes(real);
    const auto simTypes = familyTypes(emulated);
    for (const auto &[name, type] : realTypes) {
        const auto it = simTypes.find(name);
        QVERIFY2(it != simTypes.end(), ("missing family " + name).c_str());
        QVERIFY2(it->second == type, ("wrong type for " + name).c_str());
    }
    // ... and the same series (names and labels) for those families.
    std::set<std::string> realSeries, simSeries;
    for (const auto *m : {&real, &emulated}) {
        for (const formats::SampleRef &s : m->samples) {
            std::string key(m->name(s));
            for (const formats::LabelRef &l : m->labelsOf(s)) {
                key += ',';
                key += m->text(l.name);
                key += '=';
                key += m->text(l.value);
            }
            if (m->typeOf(s) != formats::MetricType::Unknown
                && realTypes.count(std::string(m->text(m->families[s.family].name))))
                (m == &real ? realSeries : simSeries).insert(key);
        }
    }
    QVERIFY(realSeries == simSeries);
}

void TestDemoFleet::varsLookLikeExpvar()
{
    const auto real = formats::parseExpvar(readTestData(QStringLiteral("go1.19/vars_leak_t1.json")),
                                           formats::ExpvarOptions::KeepMemstatsJson);
    sim::SimService service(QStringLiteral("svc"), sim::Scenario::GcFrenzy, 2, 1.7e9);
    service.advanceTo(1.7e9 + 60);
    const auto emulated
        = formats::parseExpvar(service.varsJson().toStdString(), formats::ExpvarOptions::KeepMemstatsJson);
    QCOMPARE(emulated.problems.items().size(), std::size_t(0));
    QVERIFY(emulated.memstats && emulated.memstats->hasPauseRing);
    std::set<std::string> realKeys, simKeys;
    const auto realJson = nlohmann::json::parse(real.memstatsJson);
    const auto simJson = nlohmann::json::parse(emulated.memstatsJson);
    for (const auto &[key, value] : realJson.items())
        realKeys.insert(key);
    for (const auto &[key, value] : simJson.items())
        simKeys.insert(key);
    QVERIFY(realKeys == simKeys);
    QCOMPARE(*emulated.memstats->numGC, service.numGC());
    QVERIFY(*emulated.memstats->numGC > 256); // a frenzy wraps the pause ring within a minute
    const auto pauses = formats::pausesSince(*emulated.memstats, std::nullopt).pauses;
    QCOMPARE(pauses.size(), std::size_t(256));
    QCOMPARE(pauses.back().endNs, *emulated.memstats->lastGC);
}

void TestDemoFleet::pprofIndexHasAGoroutineCount()
{
    sim::SimService service(QStringLiteral("svc"), sim::Scenario::GoroutineLeak, 3, 1.7e9);
    service.advanceTo(1.7e9 + 120);
    const auto index = formats::parsePprofIndex(service.pprofIndexHtml().toStdString());
    const auto real = formats::parsePprofIndex(readTestData(QStringLiteral("go1.19/pprof_index_leak.html")));
    QCOMPARE(index.problems.items().size(), std::size_t(0));
    QCOMPARE(index.profiles.size(), real.profiles.size());
    QCOMPARE(*index.goroutines, static_cast<std::int64_t>(service.goroutines()));
}

void TestDemoFleet::scenariosDiverge()
{
    const double t0 = 1.7e9;
    auto run = [t0](sim::Scenario scenario) {
        auto s = std::make_unique<sim::SimService>(QStringLiteral("svc"), scenario, 7, t0);
        s->advanceTo(t0 + 600);
        return s;
    };
    const auto healthy = run(sim::Scenario::Healthy);
    const auto leak = run(sim::Scenario::GoroutineLeak);
    const auto frenzy = run(sim::Scenario::GcFrenzy);
    QVERIFY(leak->goroutines() > healthy->goroutines() + 100);
    QVERIFY(frenzy->numGC() > healthy->numGC() * 5);
    auto metric = [](const sim::SimService &s, std::string_view name) {
        const std::string text = s.metricsText().toStdString();
        const auto m = formats::parseMetrics(text, formats::ExpositionFormat::PrometheusText);
        for (const formats::SampleRef &sample : m.samples) {
            if (m.name(sample) == name)
                return sample.value;
        }
        return -1.0;
    };
    const auto creep = run(sim::Scenario::MemoryCreep);
    QVERIFY(metric(*creep, "go_memstats_next_gc_bytes") > 2 * metric(*healthy, "go_memstats_next_gc_bytes"));
    const auto contention = run(sim::Scenario::CpuContention);
    QVERIFY(metric(*contention, "process_cpu_seconds_total") > 5 * metric(*healthy, "process_cpu_seconds_total"));
}

void TestDemoFleet::throttleLowersTheLoad()
{
    sim::SimService service(QStringLiteral("svc"), sim::Scenario::GoroutineLeak, 4, 1.7e9);
    service.advanceTo(1.7e9 + 60);
    const double before = service.servedRps();
    const double leakedBefore = service.goroutines();
    service.setThrottle(5);
    service.advanceTo(1.7e9 + 660);
    QVERIFY(service.servedRps() <= 5.0 + 1e-9);
    QVERIFY(before > 20);
    // At 5 rps the leak grows by about 0.05/s: a few dozen in ten minutes, not hundreds.
    QVERIFY2(service.goroutines() - leakedBefore < 60,
             qPrintable(QString::number(service.goroutines() - leakedBefore)));
}

void TestDemoFleet::flappingGoesDownAndRestarts()
{
    sim::SimService service(QStringLiteral("svc"), sim::Scenario::Flapping, 5, 1.7e9);
    bool sawDown = false, sawUpAfterDown = false;
    std::uint32_t gcBeforeDown = 0;
    for (int t = 1; t <= 100; ++t) {
        service.advanceTo(1.7e9 + t);
        if (service.isDown()) {
            sawDown = true;
        } else if (sawDown) {
            sawUpAfterDown = true;
            QVERIFY(service.numGC() < gcBeforeDown || gcBeforeDown == 0); // fresh counters after the restart
            break;
        } else {
            gcBeforeDown = service.numGC();
        }
    }
    QVERIFY(sawDown && sawUpAfterDown);
}

QByteArray TestDemoFleet::get(QNetworkAccessManager &manager, const QUrl &url, int *status, const QByteArray &postBody)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *reply = postBody.isNull() ? manager.get(request) : manager.post(request, postBody);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(5000);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

void TestDemoFleet::servesOverHttp()
{
    sim::DemoFleetThread fleet;
    QString error;
    QVERIFY2(fleet.start(6, &error), qPrintable(error));
    QCOMPARE(fleet.services().size(), std::size_t(6));
    QNetworkAccessManager manager;
    const config::ServiceConfig &first = fleet.services().front();
    int status = 0;
    const QByteArray metrics = get(manager, first.endpointUrl(first.paths.metrics), &status);
    QCOMPARE(status, 200);
    QVERIFY(metrics.contains("go_goroutines"));
    get(manager, first.endpointUrl(first.paths.vars), &status);
    QCOMPARE(status, 200);
    get(manager, first.endpointUrl(first.paths.pprof), &status);
    QCOMPARE(status, 200);
    get(manager, first.endpointUrl(QStringLiteral("/nope")), &status);
    QCOMPARE(status, 404);

    const QUrl throttle = first.endpointUrl(QStringLiteral("/admin/throttle"));
    QCOMPARE(get(manager, throttle, &status).trimmed(), QByteArray("{\"rps\":0}"));
    QCOMPARE(get(manager, throttle, &status, "{\"rps\": 25}").trimmed(), QByteArray("{\"rps\":25}"));
    QCOMPARE(get(manager, throttle, &status).trimmed(), QByteArray("{\"rps\":25}"));
    get(manager, throttle, &status, "{\"rps\": \"lots\"}");
    QCOMPARE(status, 400);

    // pprof as net/http/pprof serves it: a CPU profile answers after its seconds.
    QElapsedTimer timer;
    timer.start();
    const auto pprof = [&](const char *name, const char *query) {
        QUrl url = first.endpointUrl(QStringLiteral("/debug/pprof/") + QLatin1String(name));
        url.setQuery(QString::fromLatin1(query));
        return url;
    };
    const QByteArray cpu = get(manager, pprof("profile", "seconds=1"), &status);
    QCOMPARE(status, 200);
    QVERIFY(timer.elapsed() >= 900);
    QVERIFY(formats::parseProfile(cpu.toStdString()).profile);
    const QByteArray text = get(manager, pprof("goroutine", "debug=2"), &status);
    QCOMPARE(status, 200);
    QVERIFY(text.startsWith("goroutine 1 ["));
    get(manager, pprof("nope", ""), &status);
    QCOMPARE(status, 404);
}

void TestDemoFleet::fleetsInSeveralProcessesNumberOn()
{
    // `demo-fleet --first N`: the second process' services go on from where
    // the first one's stopped, so the two make one fleet with unique names,
    // and only the very first services are sick.
    sim::DemoFleet head;
    sim::DemoFleet rest;
    QString error;
    QVERIFY2(head.start(12, &error), qPrintable(error));
    QVERIFY2(rest.start(12, &error, 12), qPrintable(error));
    const auto scenario = [](const config::ServiceConfig &service) {
        for (const auto &[key, value] : service.labels) {
            if (key == QLatin1String("demo"))
                return value;
        }
        return QString();
    };
    std::set<QString> names;
    for (const sim::DemoFleet *fleet : {&head, &rest}) {
        for (const config::ServiceConfig &service : fleet->services())
            names.insert(service.name);
    }
    QCOMPARE(names.size(), std::size_t(24));
    for (const config::ServiceConfig &service : rest.services())
        QCOMPARE(scenario(service), QStringLiteral("healthy"));
    std::set<QString> headScenarios;
    for (const config::ServiceConfig &service : head.services())
        headScenarios.insert(scenario(service));
    QVERIFY(headScenarios.size() > 2);
    QVERIFY(!rest.start(3, &error, -1));
    QVERIFY2(error.contains(QStringLiteral("negative")), qPrintable(error));
}

void TestDemoFleet::pprofTellsTheScenario()
{
    const double t0 = 1.7e9;
    auto run = [t0](sim::Scenario scenario) {
        auto s = std::make_unique<sim::SimService>(QStringLiteral("svc"), scenario, 7, t0);
        s->advanceTo(t0 + 600);
        return s;
    };
    const auto topOf = [](const QByteArray &bytes, const std::string &sampleIndex) {
        formats::ParsedProfile parsed = formats::parseProfile(bytes.toStdString());
        if (!parsed.profile)
            qFatal("%s", parsed.error.c_str());
        diagnose::TopOptions options;
        options.sampleIndex = sampleIndex;
        options.sortByCum = false;
        return diagnose::topTable(*parsed.profile, options);
    };

    // The leak: its goroutines lead the dump, parked in chan receive for
    // minutes, created in the Go >= 1.21 form ("in goroutine N").
    const auto leak = run(sim::Scenario::GoroutineLeak);
    const formats::ParsedGoroutineDump dump = formats::parseGoroutineDump(sim::simGoroutineDump(*leak).toStdString());
    QCOMPARE(dump.problems.items().size(), std::size_t(0));
    QVERIFY(std::abs(static_cast<double>(dump.goroutines.size()) - leak->goroutines()) <= 4);
    const auto groups = diagnose::groupGoroutines(dump.goroutines);
    QCOMPARE(groups.front().state, std::string("chan receive"));
    QCOMPARE(groups.front().frames.front().function, std::string("shop/cart.(*Cart).watchInventory.func1"));
    QVERIFY(groups.front().leakState);
    QVERIFY(groups.front().maxWaitMinutes.value_or(0) >= 5);
    QVERIFY(dump.goroutines.back().createdByGoroutine.has_value() || dump.goroutines.front().createdByGoroutine);

    // Contention: the CPU is in the mutex; the creep's memory in its cache;
    // the frenzy's allocations in image resizing.
    const auto contention = run(sim::Scenario::CpuContention);
    const auto cpu = topOf(*sim::simProfile(*contention, QStringLiteral("profile"), 10, 9.5), "cpu");
    QVERIFY2(cpu.error.empty(), cpu.error.c_str());
    QCOMPARE(cpu.rows.front().name, std::string("runtime.procyield"));
    QVERIFY(cpu.total > 8'000'000'000 && cpu.total < 11'000'000'000); // 9.5 s of CPU, give or take the jitter
    const auto creep = run(sim::Scenario::MemoryCreep);
    QCOMPARE(topOf(*sim::simProfile(*creep, QStringLiteral("heap"), 0, 0), "inuse_space").rows.front().name,
             std::string("shop/search.(*Index).cacheResult"));
    const auto frenzy = run(sim::Scenario::GcFrenzy);
    QCOMPARE(topOf(*sim::simProfile(*frenzy, QStringLiteral("allocs"), 0, 0), {}).sampleType.type,
             std::string("alloc_space"));
    QCOMPARE(topOf(*sim::simProfile(*frenzy, QStringLiteral("allocs"), 0, 0), {}).rows.front().name,
             std::string("image.NewRGBA"));
    for (const char *kind : {"goroutine", "block", "mutex", "threadcreate"})
        QVERIFY2(topOf(*sim::simProfile(*leak, QString::fromLatin1(kind), 0, 0), {}).total > 0, kind);
    QVERIFY(!sim::simProfile(*leak, QStringLiteral("nope"), 0, 0));
}

QTEST_GUILESS_MAIN(TestDemoFleet)
#include "tst_demofleet.moc"
