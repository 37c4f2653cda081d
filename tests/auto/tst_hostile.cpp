// Endpoints that misbehave on purpose, each a real HTTP (or not quite HTTP)
// server on loopback: every one gets its own clear error, the bounds on time,
// bytes and requests in flight hold, and a healthy service beside all of them
// keeps its pace.
#include "scrapetesting.h"
#include "testhttpserver.h"

#include "session/session.h"

#include <QSslCertificate>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace gotriage;
using namespace gotriage::testing;

namespace {

constexpr int kIntervalMs = 1000; // the budget is 0.8 × interval, the default cap
// The two 10 MB payloads must arrive whole to be judged by their content:
// a slower interval gives them the time on a loaded, sanitized machine.
constexpr int kLargeIntervalMs = 3000;

int intervalFor(const QString &kind)
{
    return kind == QLatin1String("10mb-label") || kind == QLatin1String("million-series") ? kLargeIntervalMs
                                                                                          : kIntervalMs;
}
constexpr qint64 kBodyLimit = config::kDefaultBodyLimit;

// The payloads a hostile server hands out, made once: some are large.
QByteArray tenMegabyteLabel()
{
    return "# TYPE big gauge\nbig{v=\"" + QByteArray(10 * 1024 * 1024, 'x') + "\"} 1\n";
}

QByteArray millionSeries()
{
    QByteArray out;
    out.reserve(16'000'000);
    out += "# TYPE a gauge\n";
    for (int i = 0; i < 1'000'000; ++i)
        out += "a{i=\"" + QByteArray::number(i) + "\"} 1\n";
    return out;
}

QByteArray gzipBomb()
{
    return gzip(QByteArray(64 * 1024 * 1024, '\0')); // about 64 KiB on the wire
}

} // namespace

class TestHostile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void eachGetsItsOwnError_data();
    void eachGetsItsOwnError();
    void healthyServiceKeepsItsPaceBesideAllOfThem();

private:
    // Sets `server` up as the named hostile endpoint and starts it; false if it could not listen.
    bool startHostile(const QString &kind, TestHttpServer &server);
    QString urlOf(const QString &kind, const TestHttpServer &server) const
    {
        const bool https = kind == QLatin1String("tls-handshake") || kind == QLatin1String("self-signed");
        return QStringLiteral("%1://127.0.0.1:%2")
            .arg(https ? QStringLiteral("https") : QStringLiteral("http"))
            .arg(server.port());
    }
    static QStringList kinds();

    QTemporaryDir m_dir;
    QString m_cert, m_key;
    QByteArray m_longLabel, m_manySeries, m_bomb;
};

QStringList TestHostile::kinds()
{
    return {QStringLiteral("slowloris"),      QStringLiteral("endless-chunked"),
            QStringLiteral("gzip-bomb"),      QStringLiteral("html-200"),
            QStringLiteral("json"),           QStringLiteral("protobuf"),
            QStringLiteral("reset-mid-body"), QStringLiteral("tls-handshake"),
            QStringLiteral("self-signed"),    QStringLiteral("garbage"),
            QStringLiteral("10mb-label"),     QStringLiteral("million-series"),
            QStringLiteral("duplicates")};
}

void TestHostile::initTestCase()
{
    qRegisterMetaType<session::SessionBatchPtr>();
    QVERIFY(m_dir.isValid());
    std::tie(m_cert, m_key) = selfSignedCertificate(QDir(m_dir.path()));
    QVERIFY2(!m_cert.isEmpty(), "openssl could not make a certificate");
    m_longLabel = tenMegabyteLabel();
    m_manySeries = millionSeries();
    QVERIFY(m_manySeries.size() < kBodyLimit); // it must reach the parser, not stop at the body limit
    m_bomb = gzipBomb();
}

bool TestHostile::startHostile(const QString &kind, TestHttpServer &server)
{
    using Mode = TestHttpServer::Mode;
    if (kind == QLatin1String("slowloris")) {
        server.mode = Mode::Slow;
        server.slowChunkMs = 1000;
        server.slowChunk = "g";
    } else if (kind == QLatin1String("endless-chunked")) {
        server.mode = Mode::EndlessChunked;
        server.slowChunkMs = 20;
    } else if (kind == QLatin1String("gzip-bomb")) {
        server.mode = Mode::Gzip;
        server.gzipBody = m_bomb;
    } else if (kind == QLatin1String("html-200")) {
        server.mode = Mode::Html;
    } else if (kind == QLatin1String("json")) {
        server.contentType = "application/json";
        server.body = server.varsBody;
    } else if (kind == QLatin1String("protobuf")) {
        server.contentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "
                             "encoding=delimited";
        server.body = QByteArray::fromHex("2a0a0d676f5f676f726f7574696e657318012200"); // a delimited MetricFamily
    } else if (kind == QLatin1String("reset-mid-body")) {
        server.mode = Mode::CutReset;
    } else if (kind == QLatin1String("tls-handshake")) {
        server.mode = Mode::BadRequest; // a plain HTTP server behind an https URL
    } else if (kind == QLatin1String("self-signed")) {
        QFile key(m_key);
        if (!key.open(QIODevice::ReadOnly))
            return false;
        return server.listenTls(QSslCertificate::fromPath(m_cert).constFirst(), QSslKey(key.readAll(), QSsl::Rsa));
    } else if (kind == QLatin1String("garbage")) {
        server.mode = Mode::NotHttp;
    } else if (kind == QLatin1String("10mb-label")) {
        server.body = m_longLabel;
    } else if (kind == QLatin1String("million-series")) {
        server.body = m_manySeries;
    } else if (kind == QLatin1String("duplicates")) {
        server.body = "# TYPE go_goroutines gauge\ngo_goroutines 42\ngo_goroutines 43\n"
                      "# TYPE go_threads gauge\ngo_threads{a=\"1\",b=\"2\"} 9\ngo_threads{b=\"2\",a=\"1\"} 9\n";
    }
    return server.listen();
}

void TestHostile::eachGetsItsOwnError_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("up");
    QTest::addColumn<QString>("says"); // in the error, or in a problem when up
    const QStringList says = {
        QStringLiteral("timed out after 800 ms"),
        QStringLiteral("timed out after 800 ms"),
        QStringLiteral("decompressed body exceeds the 16 MiB limit (raise `body_limit_bytes`"),
        QStringLiteral("the response is HTML, not metrics: check `paths.metrics`"),
        QStringLiteral("the response is application/json, not metrics (metrics: 1 line rejected, first http"),
        QStringLiteral("the response is Prometheus protobuf, which gotriage neither asks for nor reads"),
        QStringLiteral("body cut short after"),
        QStringLiteral("wrong version number (the port answers in plain HTTP, not TLS: use http:// in `url`"),
        QStringLiteral("SSL certificate problem: self-signed certificate (check `tls_config`"),
        QStringLiteral("(something other than an HTTP server answers on that port"),
        QStringLiteral("/metrics:2:8: value of label \"v\" is 10485760 bytes, over the limit of 16384 (raise "
                       "`label_value_length_limit`"),
        QStringLiteral("/metrics:200002:1: more than 200000 samples (raise `sample_limit`"),
        QStringLiteral("metrics: 2 duplicate series (the last one read is used), first http"),
    };
    const QStringList all = kinds();
    for (qsizetype i = 0; i < all.size(); ++i)
        QTest::newRow(qPrintable(all[i])) << all[i] << (all[i] == QLatin1String("duplicates")) << says[i];
}

void TestHostile::eachGetsItsOwnError()
{
    QFETCH(QString, kind);
    QFETCH(bool, up);
    QFETCH(QString, says);
    TestHttpServer server;
    QVERIFY(startHostile(kind, server));
    const QString url = urlOf(kind, server);
    LivePipeline live;
    const int intervalMs = intervalFor(kind);
    live.watch(serviceAt(kind, url, intervalMs));
    // Two scrapes: the second shows nothing of the first is still in flight.
    QVERIFY(QTest::qWaitFor([&] { return live.reports.size() >= 2; }, 4 * intervalMs + 4000));

    for (const auto &report : live.reports) {
        const auto &scrape = *report->scrape;
        QCOMPARE(scrape.up, up);
        const QString said = up ? scrape.problems.join(u'\n') : scrape.error;
        QVERIFY2(said.contains(says), qPrintable(said));
        QVERIFY2(said.contains(url + QStringLiteral("/metrics")), qPrintable(said)); // it names the place
        QVERIFY2(scrape.durationMs <= intervalMs * 8 / 10 + 400, qPrintable(QString::number(scrape.durationMs)));
        QVERIFY2(scrape.bytes <= kBodyLimit, qPrintable(QString::number(scrape.bytes)));
        if (!up) {
            QVERIFY(!scrape.metrics); // nothing of a refused payload is used
            QVERIFY(!vitals::isKnown(report->vitals[vitals::Vital::Goroutines]));
        }
    }
    // What the operator reads, in the log for anyone judging its clarity.
    const auto &first = *live.reports.front()->scrape;
    qInfo().noquote() << kind << "->" << (up ? first.problems.join(u'\n') : first.error);
    if (up) // the last copy of a duplicated series is the one read
        QCOMPARE(live.reports.front()->vitals[vitals::Vital::Goroutines], 43.0);
    QVERIFY2(server.maxConcurrent <= 1, qPrintable(QString::number(server.maxConcurrent)));
}

void TestHostile::healthyServiceKeepsItsPaceBesideAllOfThem()
{
    TestHttpServer good;
    QVERIFY(good.listen());
    std::vector<std::unique_ptr<TestHttpServer>> servers;
    std::vector<config::ServiceConfig> services{serviceAt(QStringLiteral("good"), urlOf({}, good), 500)};
    for (const QString &kind : kinds()) {
        if (qEnvironmentVariableIsSet("HOSTILE_ONLY")
            && !qEnvironmentVariable("HOSTILE_ONLY").split(u',').contains(kind))
            continue;
        servers.push_back(std::make_unique<TestHttpServer>());
        QVERIFY(startHostile(kind, *servers.back()));
        services.push_back(serviceAt(kind, urlOf(kind, *servers.back()), 500));
    }
    // (One request in flight per target is checked case by case above: a
    // server thread that lags under load sees a closed connection late, so
    // its count is no measure here.)
    // The hostile servers get a thread of their own, so that what they cost
    // to serve (16 MB payloads, TLS handshakes) never delays the good one:
    // only the watcher's own threads are under test.
    // (The duplicates server is well-behaved but for its payload: it stays here.)
    QThread hostileThread;
    for (const auto &server : servers) {
        if (server->body.count("go_goroutines 4") < 2)
            server->moveToThread(&hostileThread);
    }
    hostileThread.start();
    session::Session watcher(std::make_unique<ingest::LiveSource>());
    QSignalSpy spy(&watcher, &session::Session::batchReady);
    watcher.start();
    watcher.setServices(services);
    QTest::qWait(6000);
    for (auto &server : servers) {
        if (server->thread() == &hostileThread)
            server.release()->deleteLater(); // in its own thread, which deletes it as it ends
    }
    hostileThread.quit();
    QVERIFY(hostileThread.wait(10000));

    std::vector<qint64> goodTimes;
    QStringList goodFailures;
    QSet<QString> reported;
    int duplicatesUp = 0; // its server shares this thread: under load it may answer late
    for (const auto &report : reportsOf(spy)) {
        const auto &scrape = *report->scrape;
        reported.insert(scrape.service);
        if (scrape.service == QLatin1String("good")) {
            if (scrape.up)
                goodTimes.push_back(scrape.tsMs);
            else
                goodFailures << scrape.error;
        } else {
            if (scrape.service == QLatin1String("duplicates"))
                duplicatesUp += scrape.up ? 1 : 0;
            else
                QVERIFY2(!scrape.up, qPrintable(scrape.service));
        }
    }
    QCOMPARE(reported.size(), static_cast<qsizetype>(services.size()));
    // Two misses at most in 6 s: the hostile servers are fetched every
    // 500 ms, so an ingest thread that each of them held up for a timeout
    // would miss many. (Under ASan on 2 cores, reading and parsing the 10 MB
    // payloads can hold the ingest thread past the good service's 400 ms
    // connect timeout: CI lost one scrape once, and two on 2026-12-06, both
    // "no response within 400 ms (connect timeout)".)
    QVERIFY2(goodFailures.size() <= 2, qPrintable(goodFailures.join(u'\n')));
    QVERIFY2(duplicatesUp >= 3, qPrintable(QString::number(duplicatesUp)));
    QVERIFY2(goodTimes.size() >= 9, qPrintable(QStringLiteral("%1 good scrapes").arg(goodTimes.size())));
    for (std::size_t i = 1; i < goodTimes.size(); ++i)
        // Four intervals: one ingest thread reads and parses the 10 MB
        // payloads, which under ASan on a loaded machine takes a few
        // hundred ms; what must never happen is a wait for a hostile timeout.
        QVERIFY2(goodTimes[i] - goodTimes[i - 1] < 2000,
                 qPrintable(QStringLiteral("gap %1 ms").arg(goodTimes[i] - goodTimes[i - 1])));
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
