#include "testdata.h"

#include "formats/expvar.h"
#include "formats/jsonscan.h"

#include <QTest>

#include <nlohmann/json.hpp>

using namespace gotriage::formats;

namespace {

// A memstats payload whose ring holds cycles numGC-255..numGC, each pause
// being 1000 × its cycle number, so any misplaced index shows.
std::string ringPayload(std::uint32_t numGC)
{
    nlohmann::json pauses = nlohmann::json::array();
    nlohmann::json ends = nlohmann::json::array();
    std::vector<std::uint64_t> ring(256, 0), endRing(256, 0);
    for (std::uint64_t back = 0; back < 256 && back < numGC; ++back) {
        const std::uint64_t gc = numGC - back;
        ring[(gc - 1) % 256] = gc * 1000;
        endRing[(gc - 1) % 256] = 1'700'000'000'000'000'000ULL + gc;
    }
    nlohmann::json memstats = {{"NumGC", numGC}, {"PauseNs", ring}, {"PauseEnd", endRing}};
    return nlohmann::json{{"memstats", memstats}}.dump();
}

bool hasError(const ParsedExpvar &vars, const std::string &fragment)
{
    for (const ParseProblem &p : vars.problems.items()) {
        if (p.severity == Severity::Error && p.message.find(fragment) != std::string::npos)
            return true;
    }
    return false;
}

} // namespace

class TestExpvar : public QObject
{
    Q_OBJECT

private slots:
    void commandLineSecretsAreRedacted();
    void fixtures_data();
    void fixtures();
    void wrappedFixtureRing();
    void integersAbove2To53();
    void pauseWindow_data();
    void pauseWindow();
    void numGcWrapsAround();
    void goroutinesVar();
    void errors_data();
    void errors();
    void scannerTakesWhatJsonTakes_data();
    void scannerTakesWhatJsonTakes();
    void valuesAreReadAsWritten();
};

void TestExpvar::fixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("numGC");
    QTest::newRow("leak-t0") << QStringLiteral("go1.19/vars_leak_t0.json") << 0;
    QTest::newRow("leak-t1") << QStringLiteral("go1.19/vars_leak_t1.json") << 2;
    QTest::newRow("gcfrenzy") << QStringLiteral("go1.19/vars_gcfrenzy.json") << 638;
    QTest::newRow("lab-leak") << QStringLiteral("lab/vars_leak.json") << -1;
    QTest::newRow("lab-gcfrenzy") << QStringLiteral("lab/vars_gcfrenzy.json") << -1;
}

void TestExpvar::fixtures()
{
    QFETCH(QString, file);
    QFETCH(int, numGC);
    const ParsedExpvar vars = parseExpvar(readTestData(file), ExpvarOptions::KeepMemstatsJson);
    QCOMPARE(vars.problems.items().size(), std::size_t(0));
    QVERIFY(vars.memstats.has_value());
    if (numGC >= 0) // lab captures vary from run to run
        QCOMPARE(int(*vars.memstats->numGC), numGC);
    QVERIFY(vars.memstats->hasPauseRing);
    QVERIFY(vars.memstats->heapInuse.has_value());
    QVERIFY(vars.memstats->nextGC.has_value());
    // expvar has no goroutine count; the lab publishes one of its own.
    QCOMPARE(vars.goroutines.has_value(), file.startsWith(QLatin1String("lab/")));
    QVERIFY(!vars.cmdline.empty());
    // Every field survives into the JSON copy.
    QCOMPARE(nlohmann::json::parse(vars.memstatsJson).size(), std::size_t(32));
}

void TestExpvar::wrappedFixtureRing()
{
    const std::string payload = readTestData(QStringLiteral("go1.19/vars_gcfrenzy.json"));
    const ParsedExpvar vars = parseExpvar(payload);
    const MemStats &m = *vars.memstats;
    QCOMPARE(*m.lastGC, std::uint64_t(1795821226125829114ULL)); // exact, above 2^53
    const PauseWindow window = pausesSince(m, std::nullopt);
    QCOMPARE(window.pauses.size(), std::size_t(256));
    QCOMPARE(window.lostCycles, std::uint64_t(0));
    QCOMPARE(window.pauses.front().gc, 638U - 255U);
    QCOMPARE(window.pauses.back().gc, 638U);
    QCOMPARE(window.pauses.back().pauseNs, std::uint64_t(414791));
    // The runtime stamps the newest PauseEnd with LastGC.
    QCOMPARE(window.pauses.back().endNs, *m.lastGC);
    for (std::size_t i = 1; i < window.pauses.size(); ++i)
        QVERIFY(window.pauses[i].endNs >= window.pauses[i - 1].endNs);
}

void TestExpvar::integersAbove2To53()
{
    const std::string payload
        = R"({"memstats":{"TotalAlloc":18446744073709551615,"LastGC":9007199254740993,"NumGC":4294967295,"GCCPUFraction":0.25}})";
    const ParsedExpvar vars = parseExpvar(payload, ExpvarOptions::KeepMemstatsJson);
    QCOMPARE(vars.problems.items().size(), std::size_t(0));
    QVERIFY(parseExpvar(payload).memstatsJson.empty());
    QCOMPARE(*vars.memstats->totalAlloc, std::uint64_t(18446744073709551615ULL));
    QCOMPARE(*vars.memstats->lastGC, std::uint64_t(9007199254740993ULL)); // 2^53 + 1
    QCOMPARE(*vars.memstats->numGC, std::uint32_t(4294967295U));
    QCOMPARE(*vars.memstats->gcCpuFraction, 0.25);
    QVERIFY(!vars.memstats->heapInuse.has_value()); // missing is unknown, not zero
    QVERIFY(vars.memstatsJson.find("9007199254740993") != std::string::npos);
    QVERIFY(vars.memstatsJson.find("18446744073709551615") != std::string::npos);
}

void TestExpvar::pauseWindow_data()
{
    QTest::addColumn<int>("numGC");
    QTest::addColumn<int>("previous"); // -1: first poll
    QTest::addColumn<int>("expectedCount");
    QTest::addColumn<int>("expectedLost");
    QTest::newRow("first-poll-young") << 10 << -1 << 10 << 0;
    QTest::newRow("first-poll-wrapped") << 600 << -1 << 256 << 0;
    QTest::newRow("no-new-gc") << 600 << 600 << 0 << 0;
    QTest::newRow("ten-new") << 600 << 590 << 10 << 0;
    QTest::newRow("exactly-ring") << 600 << 344 << 256 << 0;
    QTest::newRow("more-than-ring") << 600 << 300 << 256 << 44;
}

void TestExpvar::pauseWindow()
{
    QFETCH(int, numGC);
    QFETCH(int, previous);
    QFETCH(int, expectedCount);
    QFETCH(int, expectedLost);
    const ParsedExpvar vars = parseExpvar(ringPayload(std::uint32_t(numGC)));
    QVERIFY(vars.memstats && vars.memstats->hasPauseRing);
    const auto prev = previous < 0 ? std::nullopt : std::optional<std::uint32_t>(std::uint32_t(previous));
    const PauseWindow window = pausesSince(*vars.memstats, prev);
    QCOMPARE(int(window.pauses.size()), expectedCount);
    QCOMPARE(int(window.lostCycles), expectedLost);
    for (std::size_t i = 0; i < window.pauses.size(); ++i) {
        const GcPause &pause = window.pauses[i];
        QCOMPARE(int(pause.gc), numGC - expectedCount + 1 + int(i)); // oldest first, each seen once
        QCOMPARE(pause.pauseNs, std::uint64_t(pause.gc) * 1000);
    }
}

void TestExpvar::numGcWrapsAround()
{
    const ParsedExpvar vars = parseExpvar(ringPayload(5));
    const PauseWindow window = pausesSince(*vars.memstats, 4294967290U);
    QCOMPARE(window.pauses.size(), std::size_t(11)); // 4294967291 … 4294967295, 0, 1 … 5
    QCOMPARE(window.pauses.front().gc, 4294967291U);
    QCOMPARE(window.pauses[5].gc, 0U);
    QCOMPARE(window.pauses.back().gc, 5U);
    QCOMPARE(window.pauses.back().pauseNs, std::uint64_t(5000));
}

void TestExpvar::goroutinesVar()
{
    const ParsedExpvar vars = parseExpvar(R"({"goroutines": 1234, "memstats": {"NumGC": 1}})");
    QCOMPARE(*vars.goroutines, std::int64_t(1234));
    QVERIFY(!vars.memstats->hasPauseRing);
    QVERIFY(pausesSince(*vars.memstats, std::nullopt).pauses.empty());
}

void TestExpvar::errors_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<bool>("keepsMemstats");
    QTest::newRow("syntax") << QByteArray("{\n\"memstats\": {\"NumGC\": 1,}\n}") << QStringLiteral("invalid JSON") << 2
                            << 25 << false;
    QTest::newRow("truncated") << QByteArray("{\"memstats\": {\"NumGC\"") << QStringLiteral("invalid JSON") << 1 << 22
                               << false;
    QTest::newRow("empty") << QByteArray("") << QStringLiteral("invalid JSON") << 1 << 1 << false;
    QTest::newRow("not-object") << QByteArray("[1,2]") << QStringLiteral("top level") << 1 << 1 << false;
    QTest::newRow("no-memstats") << QByteArray("{\"cmdline\":[]}") << QStringLiteral("no \"memstats\"") << 0 << 0
                                 << false;
    QTest::newRow("negative-numgc") << QByteArray("{\"memstats\":{\"NumGC\":-1,\"Sys\":5}}")
                                    << QStringLiteral("memstats.NumGC: expected an unsigned integer") << 0 << 0 << true;
    QTest::newRow("float-field") << QByteArray("{\"memstats\":{\"HeapInuse\":1.5}}")
                                 << QStringLiteral("memstats.HeapInuse") << 0 << 0 << true;
    // Found by fuzz_expvar: a number JSON cannot hold threw past the parser
    // and took the ingest thread down.
    QTest::newRow("number-overflow") << QByteArray("{\"memstats\":\n  {\"NumGC\": 17E5821223545389380}}")
                                     << QStringLiteral("invalid JSON: number overflow parsing '17E5821223545389380'")
                                     << 2 << 13 << false;
    QTest::newRow("short-ring") << QByteArray("{\"memstats\":{\"NumGC\":1,\"PauseNs\":[1,2]}}")
                                << QStringLiteral("memstats.PauseNs: expected an array of 256") << 0 << 0 << true;
}

void TestExpvar::errors()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, message);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(bool, keepsMemstats);
    const ParsedExpvar vars = parseExpvar(payload.toStdString());
    QVERIFY2(hasError(vars, message.toStdString()),
             vars.problems.items().empty() ? "no problem" : vars.problems.items().front().message.c_str());
    QCOMPARE(int(vars.problems.items().front().line), line);
    QCOMPARE(int(vars.problems.items().front().column), column);
    QCOMPARE(vars.memstats.has_value(), keepsMemstats);
}

void TestExpvar::commandLineSecretsAreRedacted()
{
    // As a Go service's /debug/vars serves os.Args: secrets in flags, in
    // the next argument, and in URLs never get past the parser.
    const std::string payload = R"({"cmdline": ["/usr/bin/api", "--listen=:8080", "--db-password=hunter2",)"
                                R"( "-api-token", "abc123", "--dsn=postgres://app:s3cret@db:5432/orders",)"
                                R"( "--verbose", "https://user:pw@example.test/x", "--AWS_SECRET_ACCESS_KEY=k"],)"
                                R"( "memstats": {}})";
    const gotriage::formats::ParsedExpvar vars = gotriage::formats::parseExpvar(payload);
    const std::vector<std::string> expected = {"/usr/bin/api",
                                               "--listen=:8080",
                                               "--db-password=<redacted>",
                                               "-api-token",
                                               "<redacted>",
                                               "--dsn=postgres://<redacted>@db:5432/orders",
                                               "--verbose",
                                               "https://<redacted>@example.test/x",
                                               "--AWS_SECRET_ACCESS_KEY=<redacted>"};
    QCOMPARE(vars.cmdline, expected);
    for (const std::string &arg : vars.cmdline) {
        for (const char *secret : {"hunter2", "abc123", "s3cret", "pw@", "=k"})
            QVERIFY2(arg.find(secret) == std::string::npos, arg.c_str());
    }
    // Nothing to hide: left alone; redacting twice changes nothing.
    const std::vector<std::string> plain = {"/bin/x", "--port", "9090", "http://example.test/a@b"};
    QCOMPARE(gotriage::formats::redactCommandLine(plain), plain);
    QCOMPARE(gotriage::formats::redactCommandLine(vars.cmdline), vars.cmdline);
}

// The scanner takes exactly the texts nlohmann's parser takes (the
// reference here, and in fuzz_expvar for any text).
void TestExpvar::scannerTakesWhatJsonTakes_data()
{
    QTest::addColumn<QByteArray>("text");
    const auto row = [](const char *name, const QByteArray &text) { QTest::newRow(name) << text; };
    row("empty", "");
    row("spaces", " \t\r\n");
    row("object", R"( {"a": [1, -2, 3.5e-1, true, false, null, "x", {}], "b": {}} )");
    row("bom", "\xEF\xBB\xBF{}");
    row("escapes", R"(["\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"])");
    row("lone-high-surrogate", R"(["\ud83d"])");
    row("lone-low-surrogate", R"(["\ude00"])");
    row("bad-escape", R"(["\x41"])");
    row("short-unicode-escape", R"(["\u12"])");
    row("control-in-string", "[\"a\tb\"]");
    row("utf8", "[\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"]");
    row("utf8-overlong", "[\"\xC0\x80\"]");
    row("utf8-surrogate", "[\"\xED\xA0\x80\"]");
    row("utf8-past-max", "[\"\xF4\x90\x80\x80\"]");
    row("utf8-cut", "[\"\xE2\x82\"]");
    row("minus-zero", "[-0]");
    row("leading-zero", "[01]");
    row("dot-without-digits", "[1.]");
    row("lone-minus", "[-]");
    row("exponent-without-digits", "[1e+]");
    row("overflow", "[1e400]");
    row("underflow", "[1e-400]");
    row("past-uint64", "[18446744073709551616]");
    row("int64-min", "[-9223372036854775808]");
    row("past-int64-min", "[-9223372036854775809]");
    row("trailing", "{} {}");
    row("trailing-comma", "[1,]");
    row("missing-colon", R"({"a" 1})");
    row("key-not-string", "{1: 2}");
    row("unclosed", R"({"a": [1, 2)");
    row("bare-word", "[nul]");
    row("deep", QByteArray(100000, '[') + QByteArray(100000, ']'));
    row("deep-unclosed", QByteArray("{\"a\":").repeated(100000));
}

void TestExpvar::scannerTakesWhatJsonTakes()
{
    QFETCH(QByteArray, text);
    struct Count : JsonEvents {
        int events = 0;
        void null() override { ++events; }
        void boolean(bool) override { ++events; }
        void integer(std::int64_t) override { ++events; }
        void unsignedInteger(std::uint64_t) override { ++events; }
        void number(double, std::string_view) override { ++events; }
        void string(std::string_view) override { ++events; }
        void key(std::string_view) override { ++events; }
        void startObject() override { ++events; }
        void endObject() override { ++events; }
        void startArray() override { ++events; }
        void endArray() override { ++events; }
    } count;
    JsonScanError error;
    const std::string_view view(text.constData(), static_cast<std::size_t>(text.size()));
    const bool taken = scanJson(view, count, &error);
    QCOMPARE(taken, nlohmann::json::accept(view.begin(), view.end()));
    if (!taken) {
        QVERIFY(!error.message.empty());
        QVERIFY(error.offset <= view.size());
    }
}

void TestExpvar::valuesAreReadAsWritten()
{
    // Where nlohmann would stop at a NUL byte (the end of a C string), a
    // payload with one after its value is not JSON.
    QVERIFY(hasError(parseExpvar(std::string_view("{\"memstats\": {}}\0junk", 21)), "invalid JSON"));

    const ParsedExpvar vars = parseExpvar(
        R"({"cmdline": ["/srv/app", "--name=caf\u00e9", "a\"b\\c\n", 7], "other": {"memstats": 1, "x": [[{}]]},)"
        R"( "memstats": {"BySize": [{"Size": 8, "Mallocs": 1}], "GCCPUFraction": 0, "HeapInuse": 4096,)"
        R"( "PauseNs": [1, -2], "EnableGC": true, "DebugGC": false}, "goroutines": -1})");
    QCOMPARE(vars.cmdline, (std::vector<std::string>{"/srv/app", "--name=caf\xC3\xA9", "a\"b\\c\n"}));
    QVERIFY(vars.memstats);
    QCOMPARE(*vars.memstats->gcCpuFraction, 0.0); // an integer is a number too
    QCOMPARE(*vars.memstats->heapInuse, std::uint64_t(4096));
    QVERIFY(!vars.memstats->hasPauseRing);
    QVERIFY(hasError(vars, "memstats.PauseNs: expected an array of 256"));
    QCOMPARE(*vars.goroutines, std::int64_t(-1)); // as served: a var of the service's own
    QCOMPARE(vars.problems.errorCount(), std::size_t(1)); // the keys nested elsewhere are not memstats'

    // A bad element of a full ring is named by its index.
    std::string ring = R"({"memstats": {"NumGC": 1, "PauseEnd": [)";
    for (int i = 0; i < 256; ++i)
        ring += (i == 17 ? "\"x\"" : "0") + std::string(i < 255 ? "," : "");
    ring += "]}}";
    QVERIFY(hasError(parseExpvar(ring), "memstats.PauseEnd[17]: expected an unsigned integer"));
}

QTEST_APPLESS_MAIN(TestExpvar)
#include "tst_expvar.moc"
