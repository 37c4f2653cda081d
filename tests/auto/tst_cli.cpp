#include "testdata.h"

#include "signals/vital.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

namespace {

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QList<QByteArray> outLines() const
    {
        return out.trimmed().isEmpty() ? QList<QByteArray>{} : out.trimmed().split('\n');
    }
};

CliRun runCli(const QStringList &arguments, int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(GOTRIAGE_CLI), arguments);
    CliRun run;
    const bool finished = process.waitForFinished(timeoutMs);
    if (!finished) {
        process.kill();
        process.waitForFinished();
    }
    if (finished && process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    // A hang or a crash is otherwise only "-1" in CI's log: say which, and
    // what the program printed before it, so the failure can be read later.
    if (run.exitCode == -1) {
        qWarning().noquote() << "gotriage-cli" << arguments.join(QLatin1Char(' '))
                             << (finished ? QStringLiteral("crashed")
                                          : QStringLiteral("timed out after %1 ms").arg(timeoutMs))
                             << "\nstderr:" << QString::fromUtf8(run.err.right(4000))
                             << "\nstdout:" << QString::fromUtf8(run.out.right(2000));
    }
    return run;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void version();
    void usageErrors_data();
    void usageErrors();
    void parseMetricsFixtureJson();
    void parseMetricsNonFiniteAndTimestamps();
    void parseMetricsRejectedLine();
    void parseMetricsWarningsKeepExitZero();
    void parseVarsJson();
    void parseVarsGoroutinesAndErrors();
    void benchParseMetrics();
    void benchDetectLabSeriesOnly();
    void scrapeDemoOnce();
    void demoFleetProcessAndScrapeConfig();
    void scrapeReportsBrokenFleetAndDeadService();
    void analyzeDemoFindsTheGcFrenzy();
    void replayPrintsTheRecordingInTimeOrder();
    void analyzeReplayReanalysesARecording();
    void reportWritesMarkdownHtmlAndCharts();
    void benchScaleMeasuresTheGuiAndPrometheus();
    void benchScaleThroughPrometheus();
    void benchStoreHoldsTheHoursWithinItsBudget();

private:
    QString writeFile(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(content);
        return file.fileName();
    }
    QTemporaryDir m_dir;
};

void TestCli::version()
{
    const CliRun run = runCli({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(QRegularExpression(QStringLiteral("^gotriage-cli \\d+\\.\\d+\\.\\d+\\n$"))
                .match(QString::fromUtf8(run.out))
                .hasMatch());
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    const QString fixture = testDataPath(QStringLiteral("go1.19/metrics_default_leak_t0.txt"));
    QTest::newRow("no-arguments") << QStringList{} << 2;
    QTest::newRow("unknown-command") << QStringList{QStringLiteral("frobnicate")} << 2;
    QTest::newRow("missing-file-argument") << QStringList{QStringLiteral("parse-metrics")} << 2;
    QTest::newRow("unknown-option") << QStringList{QStringLiteral("parse-metrics"), fixture, QStringLiteral("--jsn")}
                                    << 2;
    QTest::newRow("bad-format") << QStringList{QStringLiteral("parse-metrics"), fixture, QStringLiteral("--format=xml")}
                                << 2;
    QTest::newRow("nonexistent-file") << QStringList{QStringLiteral("parse-metrics"), QStringLiteral("/nonexistent"),
                                                     QStringLiteral("--json")}
                                      << 2;
    QTest::newRow("vars-nonexistent") << QStringList{QStringLiteral("parse-vars"), QStringLiteral("/nonexistent")} << 2;
    QTest::newRow("bench-unknown") << QStringList{QStringLiteral("bench"), QStringLiteral("nothing"), fixture} << 2;
    QTest::newRow("bench-bad-seconds") << QStringList{QStringLiteral("bench"), QStringLiteral("parse-metrics"), fixture,
                                                      QStringLiteral("--seconds=-1")}
                                       << 2;
    QTest::newRow("detect-bad-seeds") << QStringList{QStringLiteral("bench"), QStringLiteral("detect"),
                                                     QStringLiteral("--seeds=many")}
                                      << 2;
    QTest::newRow("detect-no-cases") << QStringList{QStringLiteral("bench"), QStringLiteral("detect"),
                                                    QStringLiteral("--seeds=0")}
                                     << 2; // nothing to score without --lab
    QTest::newRow("cost-bad-services") << QStringList{QStringLiteral("bench"), QStringLiteral("analysis-cost"),
                                                      QStringLiteral("--services=-3")}
                                       << 2;
    QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0;
    QTest::newRow("command-help") << QStringList{QStringLiteral("parse-vars"), QStringLiteral("--help")} << 0;
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    const CliRun run = runCli(arguments);
    QCOMPARE(run.exitCode, exitCode);
    if (exitCode == 2)
        QVERIFY(!run.err.isEmpty());
}

void TestCli::parseMetricsFixtureJson()
{
    const QString path = testDataPath(QStringLiteral("go1.19/metrics_default_leak_t0.txt"));
    const CliRun run = runCli({QStringLiteral("parse-metrics"), path, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.err.isEmpty());
    const auto lines = run.outLines();
    QCOMPARE(lines.size(), 44);
    bool sawGoroutines = false;
    for (const QByteArray &line : lines) {
        const auto object = nlohmann::json::parse(line.toStdString());
        QVERIFY(object["name"].is_string());
        QVERIFY(object["labels"].is_object());
        QVERIFY(object["value"].is_number());
        if (object["name"] == "go_goroutines") {
            QCOMPARE(object["value"].get<double>(), 307.0);
            sawGoroutines = true;
        }
    }
    QVERIFY(sawGoroutines);
}

void TestCli::parseMetricsNonFiniteAndTimestamps()
{
    const QString path = writeFile(QStringLiteral("nonfinite.txt"),
                                   "a NaN\nb{x=\"q\\\"\"} +Inf\nc -Inf 1700000000123\nh_bucket{le=\"1.0\"} 3\n");
    const CliRun run = runCli({QStringLiteral("parse-metrics"), path, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const auto lines = run.outLines();
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QByteArray(R"({"name":"a","labels":{},"value":"NaN"})"));
    QCOMPARE(lines[1], QByteArray(R"({"name":"b","labels":{"x":"q\""},"value":"+Inf"})"));
    QCOMPARE(lines[2], QByteArray(R"({"name":"c","labels":{},"value":"-Inf","timestamp_ms":1700000000123})"));
    QCOMPARE(lines[3], QByteArray(R"({"name":"h_bucket","labels":{"le":"1"},"value":3.0})"));
}

void TestCli::parseMetricsRejectedLine()
{
    const QString path = writeFile(QStringLiteral("bad.txt"), "good 1\nbad 1.2.3\nalso_good 2\n");
    const CliRun run = runCli({QStringLiteral("parse-metrics"), path, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.outLines().size(), 2); // good lines are still printed
    QVERIFY2(run.err.startsWith((path + QStringLiteral(":2:5: invalid value")).toUtf8()), run.err.constData());
}

void TestCli::parseMetricsWarningsKeepExitZero()
{
    const QString path = writeFile(QStringLiteral("noeof.txt"), "# TYPE a_total counter\na_total 1\na_total 1\n");
    const CliRun run = runCli(
        {QStringLiteral("parse-metrics"), path, QStringLiteral("--json"), QStringLiteral("--format=openmetrics")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.outLines().size(), 2);
    QVERIFY(run.err.contains("warning: duplicate series"));
    QVERIFY(run.err.contains("warning: missing \"# EOF\""));
}

void TestCli::parseVarsJson()
{
    const QString path = testDataPath(QStringLiteral("go1.19/vars_gcfrenzy.json"));
    const CliRun run = runCli({QStringLiteral("parse-vars"), path, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.outLines().size(), 1);
    // The exact digits must appear in the text: a double would print 1795821226125829120.
    QVERIFY(run.out.contains("\"LastGC\":1795821226125829114"));
    const auto object = nlohmann::json::parse(run.out.toStdString());
    QCOMPARE(object["memstats"].size(), std::size_t(32));
    QVERIFY(!object.contains("goroutines"));
    const auto &pauses = object["gc_pauses"];
    QCOMPARE(pauses.size(), std::size_t(256));
    QCOMPARE(pauses.front()["gc"].get<int>(), 383);
    QCOMPARE(pauses.back()["gc"].get<int>(), 638);
    QCOMPARE(pauses.back()["pause_ns"].get<std::uint64_t>(), std::uint64_t(414791));
    QCOMPARE(pauses.back()["end_ns"].get<std::uint64_t>(), object["memstats"]["LastGC"].get<std::uint64_t>());
}

void TestCli::parseVarsGoroutinesAndErrors()
{
    const QString good = writeFile(QStringLiteral("vars.json"), R"({"goroutines": 77, "memstats": {"NumGC": 0}})");
    const CliRun ok = runCli({QStringLiteral("parse-vars"), good, QStringLiteral("--json")});
    QCOMPARE(ok.exitCode, 0);
    QCOMPARE(nlohmann::json::parse(ok.out.toStdString())["goroutines"].get<int>(), 77);

    const QString bad = writeFile(QStringLiteral("bad.json"), "{\n  \"memstats\": {,}\n}\n");
    const CliRun broken = runCli({QStringLiteral("parse-vars"), bad, QStringLiteral("--json")});
    QCOMPARE(broken.exitCode, 1);
    QVERIFY(broken.out.isEmpty());
    QVERIFY2(broken.err.startsWith((bad + QStringLiteral(":2:16: invalid JSON")).toUtf8()), broken.err.constData());
}

void TestCli::benchParseMetrics()
{
    const QString path = testDataPath(QStringLiteral("go1.19/metrics_rich.txt"));
    const CliRun run
        = runCli({QStringLiteral("bench"), QStringLiteral("parse-metrics"), path, QStringLiteral("--seconds=0.3")});
    QCOMPARE(run.exitCode, 0);
    const QString last = QString::fromUtf8(run.outLines().constLast());
    const auto match
        = QRegularExpression(QStringLiteral("^parse-metrics: ([0-9.]+) MB/s, ([0-9.]+) ns/sample$")).match(last);
    QVERIFY2(match.hasMatch(), qPrintable(last));
    QVERIFY(match.captured(1).toDouble() > 0);
    QVERIFY(match.captured(2).toDouble() > 0);
}

void TestCli::benchDetectLabSeriesOnly()
{
    // --seeds 0: only the lab captures are replayed, one line each.
    const CliRun run = runCli({QStringLiteral("bench"), QStringLiteral("detect"), QStringLiteral("--seeds=0"),
                               QStringLiteral("--lab"), testDataPath(QStringLiteral("lab/series_lab.jsonl"))});
    QCOMPARE(run.exitCode, 0);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(!out.contains(QStringLiteral("cases, 3600 s")), qPrintable(out)); // no synthetic corpus
    QVERIFY2(out.contains(QStringLiteral("lab:healthy-1")) && out.contains(QStringLiteral("nothing raised")),
             qPrintable(out));
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("lab:leak-1 .*goroutine_leak +after [0-9.]+ min"))),
             qPrintable(out));
}

void TestCli::scrapeDemoOnce()
{
    const CliRun run = runCli({QStringLiteral("scrape"), QStringLiteral("--demo"), QStringLiteral("--services"),
                               QStringLiteral("5"), QStringLiteral("--once"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const auto lines = run.outLines();
    QCOMPARE(lines.size(), 5);
    QSet<QString> services;
    for (const QByteArray &line : lines) {
        const auto object = nlohmann::json::parse(line.toStdString());
        services.insert(QString::fromStdString(object["service"].get<std::string>()));
        QVERIFY(object["up"].get<bool>());
        QVERIFY(object["error"].is_null());
        QVERIFY(object["ts_ms"].get<qint64>() > 1'600'000'000'000);
        const auto &vitals = object["vitals"];
        QCOMPARE(vitals.size(), gotriage::vitals::kVitalCount);
        QVERIFY(vitals["rss"].get<double>() > 1e6);
        QVERIFY(vitals["goroutines"].get<double>() >= 1);
        QVERIFY(vitals["cpu"].is_null()); // a rate needs two scrapes: unknown, not zero
    }
    QCOMPARE(services.size(), 5);
}

void TestCli::demoFleetProcessAndScrapeConfig()
{
    const QString fleetFile = m_dir.filePath(QStringLiteral("demo-fleet.json"));
    QProcess demo;
    demo.start(QStringLiteral(GOTRIAGE_CLI),
               {QStringLiteral("demo-fleet"), QStringLiteral("--services"), QStringLiteral("3"),
                QStringLiteral("--fleet-out"), fleetFile});
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(fleetFile), 10000);
    const CliRun run = runCli({QStringLiteral("scrape"), QStringLiteral("--config"), fleetFile,
                               QStringLiteral("--duration"), QStringLiteral("7"), QStringLiteral("--json")});
    demo.terminate(); // SIGTERM: a clean stop
    QVERIFY(demo.waitForFinished(10000));
    QCOMPARE(demo.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.exitCode(), 0);
    QCOMPARE(run.exitCode, 0);
    const auto lines = run.outLines();
    QVERIFY2(lines.size() >= 6, run.out.constData()); // two or more scrapes of each service
    bool sawRate = false, sawVarsAge = false;
    for (const QByteArray &line : lines) {
        const auto object = nlohmann::json::parse(line.toStdString());
        QVERIFY(object["up"].get<bool>());
        sawRate = sawRate || object["vitals"]["req_rate"].is_number();
        // The demo serves /debug/vars (read every 5 s): its values' age is
        // said, and never older than that read interval plus a scrape.
        if (object["vars_age_ms"].is_number()) {
            sawVarsAge = true;
            QVERIFY(object["vars_age_ms"].get<qint64>() >= 0 && object["vars_age_ms"].get<qint64>() <= 6000);
            QVERIFY(object["vitals"]["gc_cpu"].is_number()); // carried, not a gap
        }
    }
    QVERIFY(sawRate); // the demo fleet file names its request counter; a rate needs 5 s
    QVERIFY(sawVarsAge);
}

void TestCli::scrapeReportsBrokenFleetAndDeadService()
{
    const QString fleet
        = writeFile(QStringLiteral("mixed.json"),
                    R"({"services":[{"name":"dead","url":"http://127.0.0.1:1","interval_s":0.5},{"name":"bad"}]})");
    const CliRun run = runCli({QStringLiteral("scrape"), QStringLiteral("--config"), fleet, QStringLiteral("--once"),
                               QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 1); // a service entry was rejected
    QVERIFY(run.err.contains((fleet + QStringLiteral(": $.services[1].url: missing")).toUtf8()));
    const auto object = nlohmann::json::parse(run.outLines().constFirst().toStdString());
    QCOMPARE(object["service"].get<std::string>(), std::string("dead"));
    QVERIFY(!object["up"].get<bool>());
    QVERIFY(QString::fromStdString(object["error"].get<std::string>())
                .startsWith(QStringLiteral("GET http://127.0.0.1:1/metrics: ")));

    QCOMPARE(runCli({QStringLiteral("scrape"), QStringLiteral("--demo"), QStringLiteral("--json")}).exitCode, 2);
    QCOMPARE(runCli({QStringLiteral("scrape"), QStringLiteral("--config"), fleet, QStringLiteral("--demo"),
                     QStringLiteral("--once")})
                 .exitCode,
             2);
    QCOMPARE(runCli({QStringLiteral("scrape"), QStringLiteral("--config"), QStringLiteral("/nonexistent.json"),
                     QStringLiteral("--once")})
                 .exitCode,
             2);
}

void TestCli::analyzeDemoFindsTheGcFrenzy()
{
    const CliRun run = runCli({QStringLiteral("analyze"), QStringLiteral("--demo"), QStringLiteral("--services"),
                               QStringLiteral("3"), QStringLiteral("--duration"), QStringLiteral("15"),
                               QStringLiteral("--json"), QStringLiteral("--fast")});
    QCOMPARE(run.exitCode, 0);
    bool frenzy = false, config = false;
    for (const QByteArray &line : run.outLines()) {
        const auto object = nlohmann::json::parse(line.toStdString());
        for (const char *key : {"ts_ms", "service", "kind", "severity", "change", "evidence", "eta_s", "next_step"})
            QVERIFY2(object.contains(key), key);
        if (object["kind"] == "gc_frenzy" && object["change"] == "raised") {
            QCOMPARE(object["service"].get<std::string>(), std::string("image-resizer-1"));
            QVERIFY(
                QString::fromStdString(object["evidence"].get<std::string>()).contains(QStringLiteral("GC cycles/s")));
            frenzy = true;
        }
        config = config || (object["kind"] == "config" && object["severity"] == "info");
    }
    QVERIFY2(frenzy, run.out.constData());
    QVERIFY(config); // the demo fleet says it runs go1.19.8
    QCOMPARE(runCli({QStringLiteral("analyze"), QStringLiteral("--demo"), QStringLiteral("--json")}).exitCode, 2);
}

void TestCli::replayPrintsTheRecordingInTimeOrder()
{
    // The format-1 demo recording: 159 updates, 8 finding changes.
    const QString path = QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage");
    const CliRun run = runCli({QStringLiteral("replay"), path, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    int updates = 0, changes = 0;
    std::int64_t lastTs = 0;
    for (const QByteArray &line : run.outLines()) {
        const auto json = nlohmann::json::parse(line.toStdString(), nullptr, false);
        QVERIFY2(json.is_object(), line.constData());
        const std::int64_t ts = json.at("ts_ms").get<std::int64_t>();
        QVERIFY2(ts >= lastTs, line.constData()); // time order
        lastTs = ts;
        if (json.contains("vitals")) {
            ++updates;
            QVERIFY(json.at("vitals").contains("goroutines")); // the shape `scrape --json` prints
        } else if (json.contains("change")) {
            ++changes;
            QVERIFY(json.contains("key")); // the shape `analyze --json` prints
        }
    }
    QCOMPARE(updates, 159);
    QCOMPARE(changes, 8);

    // Not a recording: a clear error naming the file, exit 2.
    const QString text = writeFile(QStringLiteral("not-a-recording.gotriage"), "hello\n");
    const CliRun bad = runCli({QStringLiteral("replay"), text, QStringLiteral("--json")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains(text.toUtf8()) && bad.err.contains("not a gotriage recording"), bad.err.constData());
}

void TestCli::analyzeReplayReanalysesARecording()
{
    // Today's detector over the recording, at full speed: the GC frenzy the
    // demo shows within seconds. (Format 1 kept no runtime facts, so no Go
    // version remark; format 2 does.)
    const QString path = QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage");
    const CliRun run = runCli({QStringLiteral("analyze"), QStringLiteral("--replay"), path, QStringLiteral("--fast"),
                               QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QStringList kinds;
    for (const QByteArray &line : run.outLines()) {
        const auto json = nlohmann::json::parse(line.toStdString(), nullptr, false);
        QVERIFY2(json.is_object() && json.contains("kind"), line.constData());
        kinds << QString::fromStdString(json.at("kind").get<std::string>());
    }
    QVERIFY2(kinds.contains(QStringLiteral("gc_frenzy")), qPrintable(kinds.join(u',')));
}

void TestCli::reportWritesMarkdownHtmlAndCharts()
{
    // Without a display: the command draws its charts offscreen by itself.
    const QString out = m_dir.filePath(QStringLiteral("report"));
    const CliRun run = runCli({QStringLiteral("report"), QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage"),
                               QStringLiteral("--out"), out});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QFile markdown(out + QStringLiteral("/report.md"));
    QVERIFY(markdown.open(QIODevice::ReadOnly));
    const QByteArray text = markdown.readAll();
    QVERIFY(text.contains("| raised | image-resizer-1 | gc frenzy (critical)"));
    QVERIFY(QFile::exists(out + QStringLiteral("/report.html")));
    QCOMPARE(QDir(out + QStringLiteral("/charts")).entryList(QDir::Files).size(), 3);
    QCOMPARE(runCli({QStringLiteral("report"), QStringLiteral("/nonexistent.gotriage"), QStringLiteral("--out"), out})
                 .exitCode,
             2);
}

void TestCli::benchScaleMeasuresTheGuiAndPrometheus()
{
    // A small fleet in two demo processes (250 services each at most), the
    // GUI found beside the CLI in the build tree, and Prometheus when the
    // test packages installed it.
    const CliRun run = runCli({QStringLiteral("bench"), QStringLiteral("scale"), QStringLiteral("--services"),
                               QStringLiteral("260"), QStringLiteral("--seconds"), QStringLiteral("3")},
                              240000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(QStringLiteral("260 demo services in 2 processes of their own")), qPrintable(out));
    const auto startup = QRegularExpression(QStringLiteral("start-up to every service shown: ([0-9]+) ms")).match(out);
    QVERIFY2(startup.hasMatch() && startup.captured(1).toInt() > 0, qPrintable(out));
    // Every service, give or take a few: the demo fleet has services that
    // crash and come back, and under ASan beside another test a service's
    // first scrapes may all time out within this short run (CI saw 259).
    const auto stored = QRegularExpression(QStringLiteral("store: [0-9]+ samples of ([0-9]+) services")).match(out);
    QVERIFY2(stored.hasMatch() && stored.captured(1).toInt() >= 255 && stored.captured(1).toInt() <= 260,
             qPrintable(out));
    // Each stall figure has the machine's own beside it, from the same window.
    QVERIFY2(out.contains(QRegularExpression(
                 QStringLiteral("the machine's floor: a bare thread sleeping beside it woke up to [0-9.]+ ms late"))),
             qPrintable(out));
    // The issue's targets on one line, each with its figure.
    QVERIFY2(
        out.contains(QRegularExpression(QStringLiteral(
            "scale: targets: under 1 core: (met|NOT met) \\([0-9.]+ %\\); under Prometheus: .*; stall max under 16 ms: "
            "(met|NOT met) \\([0-9.]+ ms; the machine's floor [0-9.]+ ms\\); p99 under 8 ms: .*; start-up under 2 s: "
            "(met|NOT met) \\(([0-9]+ ms|not reached)\\)\n"))),
        qPrintable(out));
    if (QStandardPaths::findExecutable(QStringLiteral("prometheus")).isEmpty())
        QVERIFY2(out.contains(QStringLiteral("prometheus: not installed")), qPrintable(out));
    else {
        // The demo fleet has services that crash and come back, and a 1 s
        // scrape may time out on a loaded machine: counted are the targets
        // scraped at least once in the window.
        const auto scraped
            = QRegularExpression(QStringLiteral("prometheus: ([0-9]+) of 260 targets scraped in the measured 3 s"))
                  .match(out);
        // Its own lines: the whole output is longer than a failure message.
        const QStringList prometheusLines
            = out.split(QLatin1Char('\n')).filter(QRegularExpression(QStringLiteral("^(prometheus|scale: targets):")));
        QVERIFY2(scraped.hasMatch() && scraped.captured(1).toInt() >= 250,
                 qPrintable(prometheusLines.join(QLatin1Char('\n'))));
    }
    const QString last = QString::fromUtf8(run.outLines().constLast());
    const auto figures
        = QRegularExpression(QStringLiteral("^scale: 260 services, ([0-9.]+) % of a core, stall max ([0-9.]+) ms, "
                                            "p99 ([0-9.]+) ms$"))
              .match(last);
    QVERIFY2(figures.hasMatch(), qPrintable(last));
    QVERIFY(figures.captured(1).toDouble() > 0);
    QVERIFY(figures.captured(2).toDouble() >= figures.captured(3).toDouble());
}

void TestCli::benchScaleThroughPrometheus()
{
    // The same demo fleet scraped by Debian's Prometheus (installed by the
    // test packages), and the GUI reading every target through it.
    const CliRun run
        = runCli({QStringLiteral("bench"), QStringLiteral("scale"), QStringLiteral("--through-prometheus"),
                  QStringLiteral("--services"), QStringLiteral("30"), QStringLiteral("--seconds"), QStringLiteral("3")},
                 240000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(QStringLiteral("30 demo services scraped by prometheus every 15 s")), qPrintable(out));
    // Said either way: the demo fleet's crashing services may be down in
    // the one round read within the run.
    QVERIFY2(out.contains(QRegularExpression(
                 QStringLiteral("start-up to every target listed, with its vitals or down: ([0-9]+ ms|not reached)"))),
             qPrintable(out));
    // Every target became a service of the window, named by the server.
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("store: [0-9]+ samples of 30 services"))), qPrintable(out));
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("prometheus: [0-9.]+ % of a core while gotriage ran"))),
             qPrintable(out));
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral(
                 "scale: targets: gui work per tick under 16 ms: (met|NOT met) \\([0-9.]+ ms\\); stall max under 16 "
                 "ms: (met|NOT met) \\("))),
             qPrintable(out));
    const auto figures = QRegularExpression(QStringLiteral("^scale: 30 services through prometheus, ([0-9.]+) % of a "
                                                           "core, stall max ([0-9.]+) ms, p99 ([0-9.]+) ms$"))
                             .match(QString::fromUtf8(run.outLines().constLast()));
    QVERIFY2(figures.hasMatch(), qPrintable(out));
    QVERIFY(figures.captured(1).toDouble() > 0);
}

void TestCli::benchStoreHoldsTheHoursWithinItsBudget()
{
    // 50 services' 3 hours at 1 s into 2 MiB: the full-resolution minutes
    // are a fraction of it, and the buckets reach back all three hours.
    const CliRun run
        = runCli({QStringLiteral("bench"), QStringLiteral("store"), QStringLiteral("--services"), QStringLiteral("50"),
                  QStringLiteral("--hours"), QStringLiteral("3"), QStringLiteral("--budget"), QStringLiteral("2")},
                 120000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString out = QString::fromUtf8(run.out);
    const auto held = QRegularExpression(QStringLiteral("store: ([0-9.]+) MiB held \\(([0-9.]+) KiB per service\\).* "
                                                        "reaches back ([0-9.]+) h"))
                          .match(out);
    QVERIFY2(held.hasMatch(), qPrintable(out));
    QVERIFY2(held.captured(1).toDouble() <= 2.0 && held.captured(1).toDouble() > 1.0, qPrintable(out));
    QVERIFY2(held.captured(3).toDouble() >= 2.99, qPrintable(out));
    QVERIFY(out.contains(QRegularExpression(QStringLiteral("append [0-9]+ ns per sample"))));
    // A day's chart gets at most two points per pixel, whatever it covers.
    const auto day
        = QRegularExpression(QStringLiteral("chart of 24 h on 1500 px: [0-9.]+ us, ([0-9]+) points")).match(out);
    QVERIFY2(day.hasMatch() && day.captured(1).toInt() > 0 && day.captured(1).toInt() <= 3002, qPrintable(out));
    QCOMPARE(runCli({QStringLiteral("bench"), QStringLiteral("store"), QStringLiteral("--budget"), QStringLiteral("0")})
                 .exitCode,
             2);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
