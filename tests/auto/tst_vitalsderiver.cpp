#include "expositionoracle.h"

#include "formats/expvar.h"
#include "formats/metrics.h"
#include "scraping/scraperesult.h"
#include "signals/histogramquantile.h"
#include "signals/vitalsderiver.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>

using namespace gotriage;
using namespace gotriage::testing;
using vitals::Vital;

namespace {

struct Counters {
    double cpu = 10;
    double alloc = 1e6;
    double gcCount = 100;
    double ok = 1000;
    double errors = 10;
    double start = 1.7e9;
    double goroutines = 50;
};

// A client_golang-shaped payload with the given counter values.
scraping::ScrapeResult scrape(qint64 tsMs, const Counters &c)
{
    std::string text;
    auto line = [&](const std::string &name, double value) { text += name + " " + std::to_string(value) + "\n"; };
    text += "# TYPE process_cpu_seconds_total counter\n";
    line("process_cpu_seconds_total", c.cpu);
    if (!std::isnan(c.start)) {
        text += "# TYPE process_start_time_seconds gauge\n";
        line("process_start_time_seconds", c.start);
    }
    text += "# TYPE go_memstats_alloc_bytes_total counter\n";
    line("go_memstats_alloc_bytes_total", c.alloc);
    text += "# TYPE go_gc_duration_seconds summary\n";
    line("go_gc_duration_seconds{quantile=\"1\"}", 0.002);
    line("go_gc_duration_seconds_count", c.gcCount);
    text += "# TYPE go_goroutines gauge\n";
    line("go_goroutines", c.goroutines);
    text += "# TYPE http_requests_total counter\n";
    line("http_requests_total{code=\"200\",method=\"get\"}", c.ok);
    line("http_requests_total{code=\"503\",method=\"get\"}", c.errors);
    text += "# TYPE promhttp_metric_handler_requests_total counter\n";
    line("promhttp_metric_handler_requests_total{code=\"200\"}", 1e6); // never the request counter
    scraping::ScrapeResult result;
    result.service = QStringLiteral("svc");
    result.tsMs = tsMs;
    result.up = true;
    result.metrics = std::make_shared<formats::ParsedMetrics>(
        formats::parseMetrics(text, formats::ExpositionFormat::PrometheusText));
    return result;
}

scraping::ScrapeResult fromText(qint64 tsMs, const QByteArray &text)
{
    scraping::ScrapeResult r;
    r.up = true;
    r.tsMs = tsMs;
    r.metrics = std::make_shared<formats::ParsedMetrics>(
        formats::parseMetrics(text.toStdString(), formats::ExpositionFormat::PrometheusText));
    return r;
}

QByteArray peerPayload(const char *name)
{
    QFile file(QStringLiteral(GOTRIAGE_TEST_DATA "/peers/") + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestVitalsDeriver : public QObject
{
    Q_OBJECT

private slots:
    void firstScrapeHasNoRates();
    void ratesWaitForTheMinimumWindow();
    void gcRateHoldsTwoCollections();
    void grpcCodesFromRealEtcd();
    void ownScrapesAreNotTraffic();
    void aCounterThatAppearsLaterIsFound();
    void namedCounterThatCannotBeUsed_data();
    void namedCounterThatCannotBeUsed();
    void ratesOverTheWindow();
    void counterResetCountsTheNewValue();
    void restartWithoutDecrease();
    void decreaseWithoutStartTimeIsARestart();
    void unknownIsNeverZero();
    void downScrapeKeepsState();
    void expvarFillsGapsAndPauses();
    void latencyP99();
    void newerGoRuntimeSeries();
    void histogramQuantile_data();
    void histogramQuantile();
};

void TestVitalsDeriver::firstScrapeHasNoRates()
{
    vitals::VitalsDeriver deriver;
    const auto v = deriver.derive(scrape(1000, {}));
    QVERIFY(!vitals::isKnown(v[Vital::Cpu]));
    QVERIFY(!vitals::isKnown(v[Vital::ReqRate]));
    QCOMPARE(v[Vital::Goroutines], 50.0);
    // The summary's quantile="1" is the max of recent pauses, and says so;
    // "longest pause since the last read" needs expvar's ring.
    QCOMPARE(v[Vital::GcPauseRecentMax], 0.002);
    QVERIFY(!vitals::isKnown(v[Vital::GcPause]));
}

void TestVitalsDeriver::ratesWaitForTheMinimumWindow()
{
    // One second of counters that tick in steps reads as a false zero: every
    // rate vital stays unknown until the window spans kMinRateWindowMs.
    vitals::VitalsDeriver deriver;
    Counters c;
    for (qint64 t = 0; t < vitals::VitalsDeriver::kMinRateWindowMs; t += 1000) {
        const auto v = deriver.derive(scrape(t, c));
        for (Vital rate : {Vital::Cpu, Vital::AllocRate, Vital::GcRate, Vital::ReqRate, Vital::ErrRate, Vital::ErrRatio,
                           Vital::LatencyP99, Vital::GcPauseMean})
            QVERIFY2(!vitals::isKnown(v[rate]),
                     qPrintable(QStringLiteral("%1 at %2 ms").arg(QLatin1String(vitalName(rate).data())).arg(t)));
    }
    c.cpu += 1;
    const auto ready = deriver.derive(scrape(vitals::VitalsDeriver::kMinRateWindowMs, c));
    QCOMPARE(ready[Vital::Cpu], 0.2);
    QCOMPARE(ready[Vital::ReqRate], 0.0); // known now, and truly zero
    QVERIFY(!vitals::isKnown(ready[Vital::ErrRatio])); // no requests: no ratio, rather than 0 %
}

void TestVitalsDeriver::gcRateHoldsTwoCollections()
{
    // A service that collects every 40 s, scraped every second: a 10 s window
    // reads 0/s most of the time. The rate waits for two collections and
    // then reads 1 per 40 s; the mean pause is Δsum / Δcount over that window.
    vitals::VitalsDeriver deriver;
    double cycles = 100, pauseSum = 1.0;
    std::vector<double> rates;
    for (qint64 t = 0; t <= 200'000; t += 1000) {
        if (t > 0 && t % 40'000 == 0) {
            cycles += 1;
            pauseSum += 0.004; // 4 ms each
        }
        const QByteArray text = "# TYPE go_gc_duration_seconds summary\ngo_gc_duration_seconds_sum "
            + QByteArray::number(pauseSum, 'g', 17) + "\ngo_gc_duration_seconds_count " + QByteArray::number(cycles)
            + "\n";
        const auto v = deriver.derive(fromText(t, text));
        if (t < 80'000) // two collections are not yet in the window
            QVERIFY2(!vitals::isKnown(v[Vital::GcRate]), qPrintable(QString::number(t)));
        if (t >= 80'000) {
            QVERIFY2(v[Vital::GcRate] >= 1.0 / 42 && v[Vital::GcRate] <= 1.0 / 38,
                     qPrintable(QStringLiteral("%1 at %2").arg(v[Vital::GcRate]).arg(t)));
            QVERIFY(std::fabs(v[Vital::GcPauseMean] - 0.004) < 1e-9);
        }
    }
}

void TestVitalsDeriver::grpcCodesFromRealEtcd()
{
    // etcd 3.4 (go1.19, from Debian) before and after 40 `etcdctl put`:
    // grpc_server_handled_total is found by itself, grpc_code reads like an
    // HTTP code, and gRPC's server-side codes are its errors.
    const QByteArray t0 = peerPayload("etcd_3.4_metrics_t0.txt");
    const QByteArray t1 = peerPayload("etcd_3.4_metrics_t1.txt");
    QVERIFY(!t0.isEmpty() && !t1.isEmpty());
    vitals::VitalsDeriver deriver;
    deriver.derive(fromText(0, t0));
    const auto v = deriver.derive(fromText(10'000, t1));
    QCOMPARE(deriver.sources().requestCounter, QStringLiteral("grpc_server_handled_total"));
    QVERIFY(deriver.sources().requestCounterDetected);
    QCOMPARE(deriver.sources().latencyHistogram, QStringLiteral("grpc_server_handling_seconds"));
    QVERIFY(deriver.sources().problems.isEmpty());
    const QString family = QStringLiteral("grpc_server_handled_total");
    const double expected = (familySum(t1, family) - familySum(t0, family)) / 10.0;
    QVERIFY(expected >= 4.0); // the 40 puts
    QCOMPARE(v[Vital::ReqRate], expected);
    QCOMPARE(v[Vital::ErrRate], 0.0);
    QCOMPARE(v[Vital::ErrRatio], 0.0);
    QVERIFY(vitals::isKnown(v[Vital::LatencyP99]) && v[Vital::LatencyP99] > 0);

    // The same payload with failures added: server-side codes count, a
    // caller's mistake (NotFound, InvalidArgument) does not.
    QByteArray failing = t1;
    failing += "grpc_server_handled_total{grpc_code=\"Unavailable\",grpc_method=\"Put\",grpc_service=\"x\","
               "grpc_type=\"unary\"} 30\n"
               "grpc_server_handled_total{grpc_code=\"DeadlineExceeded\",grpc_method=\"Range\",grpc_service=\"x\","
               "grpc_type=\"unary\"} 20\n"
               "grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"Range\",grpc_service=\"x\","
               "grpc_type=\"unary\"} 50\n";
    const auto e = deriver.derive(fromText(20'000, failing));
    QCOMPARE(e[Vital::ErrRate], 5.0); // (30 + 20) / 10 s
    QCOMPARE(e[Vital::ReqRate], 10.0); // (30 + 20 + 50) / 10 s
    QCOMPARE(e[Vital::ErrRatio], 0.5);
}

void TestVitalsDeriver::ownScrapesAreNotTraffic()
{
    // Prometheus 2.42 counts every /metrics scrape in its own request counter;
    // between these two payloads it served 10 queries and 10 + 1 scrapes.
    const QByteArray t0 = peerPayload("prometheus_2.42_metrics_t0.txt");
    const QByteArray t1 = peerPayload("prometheus_2.42_metrics_t1.txt");
    QVERIFY(!t0.isEmpty() && !t1.isEmpty());
    vitals::VitalsDeriver deriver;
    deriver.derive(fromText(0, t0));
    const auto v = deriver.derive(fromText(10'000, t1));
    QCOMPARE(deriver.sources().requestCounter, QStringLiteral("prometheus_http_requests_total"));
    QCOMPARE(deriver.sources().latencyHistogram, QStringLiteral("prometheus_http_request_duration_seconds"));
    const QString family = QStringLiteral("prometheus_http_requests_total");
    const QString notOwn = QStringLiteral("handler=\"(?!/metrics\"|/debug/)");
    const double expected = (familySum(t1, family, notOwn) - familySum(t0, family, notOwn)) / 10.0;
    QCOMPARE(v[Vital::ReqRate], expected);
    QCOMPARE(v[Vital::ReqRate], 1.0); // the 10 queries, none of the scrapes
    QVERIFY(familySum(t1, family) - familySum(t0, family) > 20); // the scrapes are in the counter

    // A server only gotriage talks to: its counter holds nothing but scrapes,
    // which reads as 0 requests/s, not as unknown.
    const QByteArray onlyScrapes = "# TYPE prometheus_http_requests_total counter\n"
                                   "prometheus_http_requests_total{code=\"200\",handler=\"/metrics\"} ";
    vitals::VitalsDeriver quiet;
    quiet.derive(fromText(0, onlyScrapes + "10\n"));
    const auto idle = quiet.derive(fromText(5000, onlyScrapes + "15\n"));
    QCOMPARE(idle[Vital::ReqRate], 0.0);
    QCOMPARE(idle[Vital::ErrRate], 0.0);
    QVERIFY(!vitals::isKnown(idle[Vital::ErrRatio]));

    // A custom metrics path is the one left out.
    vitals::VitalsDeriver custom({QString(), QString(), QStringLiteral("/api/v1/query")});
    custom.derive(fromText(0, t0));
    const QString notQueries = QStringLiteral("handler=\"(?!/api/v1/query\"|/debug/)");
    QCOMPARE(custom.derive(fromText(10'000, t1))[Vital::ReqRate],
             (familySum(t1, family, notQueries) - familySum(t0, family, notQueries)) / 10.0);
}

void TestVitalsDeriver::aCounterThatAppearsLaterIsFound()
{
    // client_golang shows a labelled counter only after its first request:
    // a quiet service gains its request counter minutes after gotriage
    // started watching. It is looked for again (every 30 scrapes), not once.
    vitals::VitalsDeriver deriver;
    const QByteArray base = "# TYPE go_goroutines gauge\ngo_goroutines 5\n";
    const QByteArray counter = "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} ";
    int foundAt = -1;
    for (int s = 0; s < 60 && foundAt < 0; ++s) {
        const QByteArray text = s < 5 ? base : base + counter + QByteArray::number(s * 10) + "\n";
        deriver.derive(fromText(s * 1000LL, text));
        if (!deriver.sources().requestCounter.isEmpty())
            foundAt = s;
    }
    QVERIFY2(foundAt >= 5 && foundAt <= 5 + 30, qPrintable(QString::number(foundAt)));
    QCOMPARE(deriver.sources().requestCounter, QStringLiteral("http_requests_total"));
}

void TestVitalsDeriver::namedCounterThatCannotBeUsed_data()
{
    QTest::addColumn<QString>("counter");
    QTest::addColumn<QString>("histogram");
    QTest::addColumn<QString>("problem");
    QTest::newRow("missing-counter")
        << QStringLiteral("http_requests_total") << QString()
        << QStringLiteral("request_counter `http_requests_total` is not in the metrics; counters with a status "
                          "label there: `grpc_server_handled_total`");
    QTest::newRow("counter-without-status")
        << QStringLiteral("etcd_network_client_grpc_received_bytes_total") << QString()
        << QStringLiteral("request_counter `etcd_network_client_grpc_received_bytes_total` has no status label "
                          "(code, status, status_code or grpc_code), so its errors cannot be counted; its labels: "
                          "none");
    QTest::newRow("missing-histogram")
        << QString() << QStringLiteral("http_request_duration_seconds")
        << QStringLiteral("latency_histogram `http_request_duration_seconds` is not in the metrics; histograms there: "
                          "`etcd_debugging_disk_backend_commit_rebalance_duration_seconds`, "
                          "`etcd_debugging_disk_backend_commit_spill_duration_seconds`, "
                          "`etcd_debugging_disk_backend_commit_write_duration_seconds`, "
                          "`etcd_debugging_lease_ttl_total`");
}

void TestVitalsDeriver::namedCounterThatCannotBeUsed()
{
    QFETCH(QString, counter);
    QFETCH(QString, histogram);
    QFETCH(QString, problem);
    vitals::VitalsDeriver deriver({counter, histogram, {}});
    const auto v = deriver.derive(fromText(0, peerPayload("etcd_3.4_metrics_t0.txt")));
    QCOMPARE(deriver.sources().problems, QStringList{problem});
    Q_UNUSED(v);
}

void TestVitalsDeriver::ratesOverTheWindow()
{
    vitals::VitalsDeriver deriver;
    Counters c;
    deriver.derive(scrape(0, c));
    c.cpu += 2.5; // half a core for five seconds
    c.ok += 500;
    c.errors += 25;
    c.gcCount += 10;
    const auto v = deriver.derive(scrape(5000, c));
    QCOMPARE(v[Vital::Cpu], 0.5);
    QCOMPARE(v[Vital::ReqRate], 105.0); // every status code
    QCOMPARE(v[Vital::ErrRate], 5.0); // 5xx only
    QCOMPARE(v[Vital::ErrRatio], 25.0 / 525.0);
    QCOMPARE(v[Vital::GcRate], 2.0);
    // Later rates span the window (10 s), not just the last step.
    for (int s = 6; s <= 30; ++s) {
        c.cpu += (s % 2) ? 1.0 : 0.0; // 1 core every other second: 0.5 on average
        const auto w = deriver.derive(scrape(s * 1000, c));
        if (s >= 12)
            QVERIFY2(std::fabs(w[Vital::Cpu] - 0.5) <= 0.051, qPrintable(QString::number(w[Vital::Cpu])));
    }
}

void TestVitalsDeriver::counterResetCountsTheNewValue()
{
    vitals::VitalsDeriver deriver;
    Counters c;
    c.ok = 5000;
    deriver.derive(scrape(0, c));
    c.ok = 30; // the counter went back: a reset, and 30 requests since then
    c.errors = 0;
    const auto v = deriver.derive(scrape(5000, c));
    QVERIFY(deriver.sawRestart());
    // The process start time did not change: the counter reset, the process did not.
    QVERIFY(!deriver.sawProcessRestart());
    QCOMPARE(v[Vital::ReqRate], 6.0);
    QVERIFY(v[Vital::ReqRate] >= 0); // never a negative rate
    c.ok = 130;
    const auto next = deriver.derive(scrape(10000, c));
    QVERIFY(!deriver.sawRestart());
    QCOMPARE(next[Vital::ReqRate], 20.0); // the window restarted at the reset
}

void TestVitalsDeriver::restartWithoutDecrease()
{
    // A process that restarted and already did more work than before its crash:
    // no counter went down, process_start_time_seconds tells.
    vitals::VitalsDeriver deriver;
    Counters c;
    c.cpu = 2;
    deriver.derive(scrape(0, c));
    c.start += 30;
    c.cpu = 3; // all of it since the restart
    const auto v = deriver.derive(scrape(5000, c));
    QVERIFY(deriver.sawRestart());
    QVERIFY(deriver.sawProcessRestart());
    QCOMPARE(v[Vital::Cpu], 0.6);
}

void TestVitalsDeriver::decreaseWithoutStartTimeIsARestart()
{
    // Without a start time (or expvar's GC count) nothing tells a counter
    // reset from a new process, so counters going back count as both.
    vitals::VitalsDeriver deriver;
    Counters c;
    c.start = std::nan("");
    deriver.derive(scrape(0, c));
    c.cpu = 1;
    c.gcCount = 1;
    deriver.derive(scrape(1000, c));
    QVERIFY(deriver.sawRestart());
    QVERIFY(deriver.sawProcessRestart());
}

void TestVitalsDeriver::unknownIsNeverZero()
{
    vitals::VitalsDeriver deriver;
    scraping::ScrapeResult result;
    result.up = true;
    result.tsMs = 1000;
    result.metrics = std::make_shared<formats::ParsedMetrics>(
        formats::parseMetrics("go_goroutines 7\n", formats::ExpositionFormat::PrometheusText));
    const auto v = deriver.derive(result);
    QCOMPARE(v[Vital::Goroutines], 7.0);
    for (const vitals::VitalInfo &info : vitals::kVitals) {
        if (info.vital != Vital::Goroutines)
            QVERIFY2(!vitals::isKnown(v[info.vital]), info.name.data());
    }
}

void TestVitalsDeriver::downScrapeKeepsState()
{
    vitals::VitalsDeriver deriver;
    Counters c;
    deriver.derive(scrape(0, c));
    scraping::ScrapeResult down;
    down.tsMs = 1000;
    const auto v = deriver.derive(down);
    QVERIFY(!vitals::isKnown(v[Vital::Goroutines]));
    c.cpu += 5;
    const auto back = deriver.derive(scrape(5000, c));
    QCOMPARE(back[Vital::Cpu], 1.0);
}

void TestVitalsDeriver::expvarFillsGapsAndPauses()
{
    auto vars = [](std::uint32_t numGC, std::uint64_t totalAlloc) {
        std::string pauses = "[", ends = "[";
        for (int i = 0; i < 256; ++i) {
            // Cycle g (1-based) sits at index g-1 and paused g microseconds.
            pauses += std::to_string((i + 1) * 1000) + (i < 255 ? "," : "]");
            ends += std::string("1") + (i < 255 ? "," : "]");
        }
        const std::string json = R"({"goroutines": 12, "memstats": {"HeapInuse": 4096, "NextGC": 8192, "TotalAlloc": )"
            + std::to_string(totalAlloc) + R"(, "NumGC": )" + std::to_string(numGC)
            + R"(, "GCCPUFraction": 0.01, "PauseNs": )" + pauses + R"(, "PauseEnd": )" + ends + "}}";
        scraping::ScrapeResult result;
        result.up = true;
        result.vars = std::make_shared<formats::ParsedExpvar>(formats::parseExpvar(json));
        return result;
    };
    vitals::VitalsDeriver deriver;
    auto first = vars(10, 1000);
    first.tsMs = 0;
    const auto a = deriver.derive(first);
    QCOMPARE(a[Vital::HeapInuse], 4096.0);
    QCOMPARE(a[Vital::HeapGoal], 8192.0);
    QCOMPARE(a[Vital::Goroutines], 12.0);
    QCOMPARE(a[Vital::GcCpu], 0.01);
    auto second = vars(13, 6000);
    second.tsMs = 5000;
    const auto b = deriver.derive(second);
    QCOMPARE(b[Vital::GcRate], 0.6);
    QCOMPARE(b[Vital::AllocRate], 1000.0);
    QCOMPARE(b[Vital::GcPause], 13000e-9); // the longest of cycles 11, 12, 13
    QCOMPARE(b.varsTsMs, 5000);
    auto third = vars(13, 6000);
    third.tsMs = 6000;
    QCOMPARE(deriver.derive(third)[Vital::GcPause], 0.0); // no GC since: no pause
    // A scrape that skipped /debug/vars (it is polled more slowly) carries the
    // last value forward with its age, rather than drawing a gap or mixing in
    // the summary's longer-term maximum.
    Counters consistent; // the same process seen through /metrics
    consistent.gcCount = 14;
    consistent.alloc = 6500;
    const auto between = deriver.derive(scrape(7000, consistent));
    QCOMPARE(between[Vital::GcPause], 0.0);
    QCOMPARE(between[Vital::GcCpu], 0.01);
    QCOMPARE(between.varsTsMs, 6000);
    QCOMPARE(between[Vital::GcPauseRecentMax], 0.002);
    auto fourth = vars(15, 7000);
    fourth.tsMs = 8000;
    const auto d = deriver.derive(fourth);
    QCOMPARE(d[Vital::GcPause], 15000e-9); // every pause since the last ring read
    QCOMPARE(d.varsTsMs, 8000);
}

void TestVitalsDeriver::latencyP99()
{
    vitals::VitalsDeriver deriver({QString(), QStringLiteral("rpc_seconds"), {}});
    auto payload = [](double fast, double slow, qint64 tsMs) {
        const std::string text = "# TYPE rpc_seconds histogram\n"
                                 "rpc_seconds_bucket{le=\"0.1\"} "
            + std::to_string(fast)
            + "\n"
              "rpc_seconds_bucket{le=\"1\"} "
            + std::to_string(fast + slow)
            + "\n"
              "rpc_seconds_bucket{le=\"+Inf\"} "
            + std::to_string(fast + slow) + "\n";
        scraping::ScrapeResult r;
        r.up = true;
        r.tsMs = tsMs;
        r.metrics = std::make_shared<formats::ParsedMetrics>(
            formats::parseMetrics(text, formats::ExpositionFormat::PrometheusText));
        return r;
    };
    deriver.derive(payload(1000, 0, 0));
    // 98 fast and 2 slow requests since: the 99th percentile is in the slow bucket.
    const double p99 = deriver.derive(payload(1098, 2, 5000))[Vital::LatencyP99];
    QVERIFY2(std::fabs(p99 - 0.55) < 1e-9, qPrintable(QString::number(p99)));
}

void TestVitalsDeriver::newerGoRuntimeSeries()
{
    // gc_cpu from the runtime's CPU classes (Go >= 1.20) and heap_live (Go >=
    // 1.21): a hand-made payload, since the Go 1.19 lab cannot serve them.
    QFile file(QStringLiteral(GOTRIAGE_TEST_DATA "/handmade/metrics_go121.txt"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    std::string text = file.readAll().toStdString();
    auto at = [&](qint64 tsMs, const std::string &payload) {
        scraping::ScrapeResult r;
        r.up = true;
        r.tsMs = tsMs;
        r.metrics = std::make_shared<formats::ParsedMetrics>(
            formats::parseMetrics(payload, formats::ExpositionFormat::PrometheusText));
        return r;
    };
    vitals::VitalsDeriver deriver;
    const auto first = deriver.derive(at(0, text));
    QCOMPARE(first[Vital::HeapLive], 33554432.0);
    QVERIFY(!vitals::isKnown(first[Vital::GcCpu])); // a share of two rates: needs two scrapes
    // Ten seconds later: 4 cores × 10 s available, 2 s of it in GC: 5 %.
    auto replace
        = [&](const std::string &from, const std::string &to) { text.replace(text.find(from), from.size(), to); };
    replace("go_cpu_classes_gc_total_cpu_seconds_total 12.5", "go_cpu_classes_gc_total_cpu_seconds_total 14.5");
    replace("go_cpu_classes_total_cpu_seconds_total 250", "go_cpu_classes_total_cpu_seconds_total 290");
    QCOMPARE(deriver.derive(at(10000, text))[Vital::GcCpu], 0.05);
}

void TestVitalsDeriver::histogramQuantile_data()
{
    QTest::addColumn<double>("q");
    QTest::addColumn<QList<double>>("bounds");
    QTest::addColumn<QList<double>>("counts");
    QTest::addColumn<double>("expected");
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QTest::newRow("median-first-bucket") << 0.5 << QList<double>{1, 2, inf} << QList<double>{10, 10, 10} << 0.5;
    QTest::newRow("interpolated") << 0.75 << QList<double>{1, 2, inf} << QList<double>{10, 20, 20} << 1.5;
    QTest::newRow("in-inf-bucket") << 0.99 << QList<double>{1, 2, inf} << QList<double>{10, 10, 20} << 2.0;
    QTest::newRow("empty") << 0.5 << QList<double>{1, inf} << QList<double>{0, 0} << nan;
    QTest::newRow("no-inf-bucket") << 0.5 << QList<double>{1, 2} << QList<double>{1, 2} << nan;
}

void TestVitalsDeriver::histogramQuantile()
{
    QFETCH(double, q);
    QFETCH(QList<double>, bounds);
    QFETCH(QList<double>, counts);
    QFETCH(double, expected);
    std::vector<std::pair<double, double>> buckets;
    for (qsizetype i = 0; i < bounds.size(); ++i)
        buckets.emplace_back(bounds[i], counts[i]);
    const double got = vitals::histogramQuantile(q, buckets);
    if (std::isnan(expected))
        QVERIFY(std::isnan(got));
    else
        QCOMPARE(got, expected);
}

QTEST_APPLESS_MAIN(TestVitalsDeriver)
#include "tst_vitalsderiver.moc"
