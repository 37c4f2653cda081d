#include "testdata.h"

#include "formats/gofloat.h"
#include "formats/metrics.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <random>
#include <set>

using namespace gotriage::formats;

namespace {

// "name{a=\"1\",b=\"2\"}" with labels sorted: one key per series whatever
// order the payload wrote them in.
std::string seriesKey(const ParsedMetrics &m, const SampleRef &s)
{
    std::vector<std::pair<std::string, std::string>> labels;
    for (const LabelRef &l : m.labelsOf(s))
        labels.emplace_back(m.text(l.name), m.text(l.value));
    std::sort(labels.begin(), labels.end());
    std::string key(m.name(s));
    key += '{';
    for (const auto &[name, value] : labels)
        key += name + "=\"" + value + "\",";
    key += '}';
    return key;
}

std::string valueText(double value)
{
    return formatGoFloat(value);
}

std::map<std::string, std::string> seriesMap(const ParsedMetrics &m)
{
    std::map<std::string, std::string> out;
    for (const SampleRef &s : m.samples)
        out[seriesKey(m, s)] = valueText(s.value);
    return out;
}

std::size_t countSampleLines(const std::string &payload)
{
    std::size_t count = 0;
    std::size_t start = 0;
    while (start < payload.size()) {
        std::size_t end = payload.find('\n', start);
        if (end == std::string::npos)
            end = payload.size();
        if (end > start && payload[start] != '#')
            ++count;
        start = end + 1;
    }
    return count;
}

bool hasProblem(const ParsedMetrics &m, Severity severity, const std::string &fragment, std::uint32_t line = 0)
{
    for (const ParseProblem &p : m.problems.items()) {
        if (p.severity == severity && p.message.find(fragment) != std::string::npos && (line == 0 || p.line == line))
            return true;
    }
    return false;
}

} // namespace

class TestMetricsParser : public QObject
{
    Q_OBJECT

private slots:
    void fixtures_data();
    void fixtures();
    void matchesExpfmt_data();
    void matchesExpfmt();
    void openMetricsAndTextAgree();
    void detectFormat_data();
    void detectFormat();
    void labelEscapes();
    void nonFiniteValues();
    void histogramAndSummary();
    void openMetricsCreatedAndExemplars();
    void timestamps();
    void eofHandling();
    void crlfAndTruncatedLastLine();
    void hugeLabelValue();
    void duplicateSeries();
    void limitsStopTheParse();
    void emptyBody();
    void badLines_data();
    void badLines();
    void binaryGarbage();
    void problemListIsBounded();
};

void TestMetricsParser::fixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("openMetrics");
    QTest::newRow("default-leak-t0") << QStringLiteral("go1.19/metrics_default_leak_t0.txt") << false;
    QTest::newRow("default-leak-t1") << QStringLiteral("go1.19/metrics_default_leak_t1.txt") << false;
    QTest::newRow("default-memcreep") << QStringLiteral("go1.19/metrics_default_memcreep.txt") << false;
    QTest::newRow("rich-text") << QStringLiteral("go1.19/metrics_rich.txt") << false;
    QTest::newRow("rich-openmetrics") << QStringLiteral("go1.19/openmetrics_rich.txt") << true;
    // Captured from the project's own lab (tests/lab/refresh-fixtures.sh).
    QTest::newRow("lab-default-leak") << QStringLiteral("lab/metrics_default_leak.txt") << false;
    QTest::newRow("lab-default-memcreep") << QStringLiteral("lab/metrics_default_memcreep.txt") << false;
    QTest::newRow("lab-rich-text") << QStringLiteral("lab/metrics_rich.txt") << false;
    QTest::newRow("lab-rich-openmetrics") << QStringLiteral("lab/openmetrics_rich.txt") << true;
    QTest::newRow("go1.21-handmade") << QStringLiteral("handmade/metrics_go121.txt") << false;
}

void TestMetricsParser::fixtures()
{
    QFETCH(QString, file);
    QFETCH(bool, openMetrics);
    const std::string payload = readTestData(file);
    const auto format = detectExpositionFormat({}, payload);
    QCOMPARE(format == ExpositionFormat::OpenMetrics, openMetrics);
    const ParsedMetrics m = parseMetrics(payload, format);
    for (const ParseProblem &p : m.problems.items())
        qWarning("%s", formatProblem(file.toStdString(), p).c_str());
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.problems.warningCount(), std::size_t(0));
    QCOMPARE(m.samples.size(), countSampleLines(payload) - (openMetrics ? 0 : 0));
    QCOMPARE(m.sawEof, openMetrics);
    // Every sample of a Go service belongs to a declared family.
    for (const SampleRef &s : m.samples)
        QVERIFY2(s.family != kNoFamily, std::string(m.name(s)).c_str());
}

void TestMetricsParser::matchesExpfmt_data()
{
    QTest::addColumn<QString>("file");
    // Golden files were written by tests/bench/expfmt (prometheus/common's
    // expfmt.TextParser, flattened back to samples); see its README.
    QTest::newRow("default-leak-t0") << QStringLiteral("go1.19/metrics_default_leak_t0.txt");
    QTest::newRow("default-memcreep") << QStringLiteral("go1.19/metrics_default_memcreep.txt");
    QTest::newRow("rich-text") << QStringLiteral("go1.19/metrics_rich.txt");
}

void TestMetricsParser::matchesExpfmt()
{
    QFETCH(QString, file);
    const ParsedMetrics ours = parseMetrics(readTestData(file), ExpositionFormat::PrometheusText);
    const std::string golden = readTestData(file + QStringLiteral(".expfmt.jsonl"));
    std::map<std::string, std::string> theirs;
    std::size_t start = 0;
    while (start < golden.size()) {
        const std::size_t end = golden.find('\n', start);
        const auto line = nlohmann::json::parse(golden.substr(start, end - start));
        std::vector<std::pair<std::string, std::string>> labels;
        for (const auto &[k, v] : line["labels"].items())
            labels.emplace_back(k, v.get<std::string>());
        std::sort(labels.begin(), labels.end());
        std::string key = line["name"].get<std::string>() + '{';
        for (const auto &[k, v] : labels)
            key += k + "=\"" + v + "\",";
        key += '}';
        const auto &value = line["value"];
        theirs[key] = value.is_string() ? value.get<std::string>() : valueText(value.get<double>());
        start = end == std::string::npos ? golden.size() : end + 1;
    }
    const auto mine = seriesMap(ours);
    QVERIFY(!theirs.empty());
    QCOMPARE(mine.size(), theirs.size());
    for (const auto &[key, value] : theirs) {
        const auto it = mine.find(key);
        QVERIFY2(it != mine.end(), ("missing series " + key).c_str());
        QVERIFY2(it->second == value, (key + ": ours " + it->second + ", expfmt " + value).c_str());
    }
}

void TestMetricsParser::openMetricsAndTextAgree()
{
    // Two scrapes of one instance, one per format: the same series must come
    // out, bucket and quantile labels included ("1" vs "1.0").
    const ParsedMetrics text
        = parseMetrics(readTestData(QStringLiteral("go1.19/metrics_rich.txt")), ExpositionFormat::PrometheusText);
    const ParsedMetrics om
        = parseMetrics(readTestData(QStringLiteral("go1.19/openmetrics_rich.txt")), ExpositionFormat::OpenMetrics);
    std::set<std::string> textKeys, omKeys;
    for (const SampleRef &s : text.samples)
        textKeys.insert(seriesKey(text, s));
    for (const SampleRef &s : om.samples)
        omKeys.insert(seriesKey(om, s));
    QCOMPARE(textKeys.size(), text.samples.size());
    QVERIFY(textKeys == omKeys);
}

void TestMetricsParser::detectFormat_data()
{
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QString>("payload");
    QTest::addColumn<bool>("openMetrics");
    QTest::newRow("om-header") << QStringLiteral("application/openmetrics-text; version=1.0.0; charset=utf-8")
                               << QStringLiteral("a 1\n") << true;
    QTest::newRow("om-header-upper") << QStringLiteral("Application/OpenMetrics-Text") << QString() << true;
    QTest::newRow("text-header-wins-over-sniff")
        << QStringLiteral("text/plain; version=0.0.4; escaping=values") << QStringLiteral("a 1\n# EOF\n") << false;
    QTest::newRow("sniff-eof") << QString() << QStringLiteral("a_total 1\n# EOF\n") << true;
    QTest::newRow("sniff-unit") << QStringLiteral("application/octet-stream")
                                << QStringLiteral("# TYPE a gauge\n# UNIT a bytes\na 1\n") << true;
    QTest::newRow("sniff-text") << QString() << QStringLiteral("# TYPE a gauge\na 1\n") << false;
    QTest::newRow("sniff-empty") << QString() << QString() << false;
}

void TestMetricsParser::detectFormat()
{
    QFETCH(QString, contentType);
    QFETCH(QString, payload);
    QFETCH(bool, openMetrics);
    const std::string header = contentType.toStdString();
    const std::string body = payload.toStdString();
    QCOMPARE(detectExpositionFormat(header, body) == ExpositionFormat::OpenMetrics, openMetrics);
}

void TestMetricsParser::labelEscapes()
{
    const ParsedMetrics m
        = parseMetrics("a{q=\"say \\\"hi\\\"\",b=\"back\\\\slash\",n=\"two\\nlines\", x = \"sp\" ,} 1\n",
                       ExpositionFormat::PrometheusText);
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.samples.size(), std::size_t(1));
    const SampleRef &s = m.samples[0];
    QCOMPARE(m.label(s, "q"), std::string_view("say \"hi\""));
    QCOMPARE(m.label(s, "b"), std::string_view("back\\slash"));
    QCOMPARE(m.label(s, "n"), std::string_view("two\nlines"));
    QCOMPARE(m.label(s, "x"), std::string_view("sp"));
    QCOMPARE(s.labelCount, 4U);
}

void TestMetricsParser::nonFiniteValues()
{
    const ParsedMetrics m = parseMetrics("a NaN\nb +Inf\nc -Inf\nd Inf\ne -1.5e-3\n", ExpositionFormat::PrometheusText);
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.samples.size(), std::size_t(5));
    QVERIFY(std::isnan(m.samples[0].value));
    QVERIFY(std::isinf(m.samples[1].value) && m.samples[1].value > 0);
    QVERIFY(std::isinf(m.samples[2].value) && m.samples[2].value < 0);
    QVERIFY(std::isinf(m.samples[3].value) && m.samples[3].value > 0);
    QCOMPARE(m.samples[4].value, -0.0015);
}

void TestMetricsParser::histogramAndSummary()
{
    const std::string payload = "# HELP rpc_seconds RPC latency.\n"
                                "# TYPE rpc_seconds histogram\n"
                                "rpc_seconds_bucket{le=\"0.005\"} 1\n"
                                "rpc_seconds_bucket{le=\"1.0\"} 4\n"
                                "rpc_seconds_bucket{le=\"+Inf\"} 5\n"
                                "rpc_seconds_sum 2.5\n"
                                "rpc_seconds_count 5\n"
                                "# TYPE gc_seconds summary\n"
                                "gc_seconds{quantile=\"0.50\"} 0.001\n"
                                "gc_seconds{quantile=\"1\"} 0.004\n"
                                "gc_seconds_sum 0.01\n"
                                "gc_seconds_count 7\n"
                                "untyped_after 3\n";
    const ParsedMetrics m = parseMetrics(payload, ExpositionFormat::PrometheusText);
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.samples.size(), std::size_t(10));
    QCOMPARE(m.label(m.samples[1], "le"), std::string_view("1"));
    QCOMPARE(m.label(m.samples[2], "le"), std::string_view("+Inf"));
    QCOMPARE(m.label(m.samples[5], "quantile"), std::string_view("0.5"));
    QVERIFY(m.typeOf(m.samples[0]) == MetricType::Histogram);
    QVERIFY(m.typeOf(m.samples[4]) == MetricType::Histogram);
    QVERIFY(m.typeOf(m.samples[8]) == MetricType::Summary);
    QVERIFY(m.typeOf(m.samples[9]) == MetricType::Unknown);
    QCOMPARE(m.families.size(), std::size_t(2));
    QCOMPARE(m.text(m.families[0].help), std::string_view("RPC latency."));
}

void TestMetricsParser::openMetricsCreatedAndExemplars()
{
    const std::string payload = "# TYPE requests counter\n"
                                "# UNIT requests requests\n"
                                "# HELP requests Handled \\\"requests\\\".\n"
                                "requests_total{code=\"200\"} 1027 # {trace_id=\"KOO5S4vxi0o\"} 1 1520879607.789\n"
                                "requests_created{code=\"200\"} 1520430000.123\n"
                                "# TYPE lat histogram\n"
                                "lat_bucket{le=\"0.25\"} 11 # {trace_id=\"a\"} 0.67\n"
                                "lat_bucket{le=\"+Inf\"} 17\n"
                                "lat_sum 3.5\n"
                                "lat_count 17\n"
                                "lat_created 1520430000.0\n"
                                "# EOF\n";
    const ParsedMetrics m = parseMetrics(payload, ExpositionFormat::OpenMetrics);
    for (const ParseProblem &p : m.problems.items())
        qWarning("%s", formatProblem("om", p).c_str());
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.problems.warningCount(), std::size_t(0));
    QCOMPARE(m.samples.size(), std::size_t(7));
    QCOMPARE(m.name(m.samples[1]), std::string_view("requests_created"));
    QCOMPARE(m.samples[1].value, 1520430000.123);
    QVERIFY(m.typeOf(m.samples[1]) == MetricType::Counter);
    QCOMPARE(m.samples[0].value, 1027.0);
    QVERIFY(!m.samples[0].hasTimestamp); // the exemplar's timestamp is not the sample's
    QCOMPARE(m.text(m.families[0].unit), std::string_view("requests"));
    QCOMPARE(m.text(m.families[0].help), std::string_view("Handled \"requests\"."));
    QVERIFY(m.sawEof);
}

void TestMetricsParser::timestamps()
{
    const ParsedMetrics text = parseMetrics("a 1 1700000000123\nb 2 -5\n", ExpositionFormat::PrometheusText);
    QCOMPARE(text.problems.errorCount(), std::size_t(0));
    QVERIFY(text.samples[0].hasTimestamp);
    QCOMPARE(text.samples[0].timestampMs, std::int64_t(1700000000123));
    QCOMPARE(text.samples[1].timestampMs, std::int64_t(-5));

    const ParsedMetrics om = parseMetrics("a 1 1700000000.123\n# EOF\n", ExpositionFormat::OpenMetrics);
    QCOMPARE(om.problems.errorCount(), std::size_t(0));
    QCOMPARE(om.samples[0].timestampMs, std::int64_t(1700000000123));

    const ParsedMetrics bad = parseMetrics("a 1 12.5\n", ExpositionFormat::PrometheusText);
    QCOMPARE(bad.samples.size(), std::size_t(0));
    QVERIFY(hasProblem(bad, Severity::Error, "invalid timestamp", 1));
}

void TestMetricsParser::eofHandling()
{
    const ParsedMetrics missing = parseMetrics("a_total 1\nb 2\n", ExpositionFormat::OpenMetrics);
    QCOMPARE(missing.samples.size(), std::size_t(2));
    QCOMPARE(missing.problems.errorCount(), std::size_t(0));
    QVERIFY(hasProblem(missing, Severity::Warning, "missing \"# EOF\""));
    QVERIFY(!missing.sawEof);

    const ParsedMetrics early = parseMetrics("a 1\n# EOF\nb 2\n\n", ExpositionFormat::OpenMetrics);
    QCOMPARE(early.samples.size(), std::size_t(2)); // nothing good is thrown away
    QVERIFY(hasProblem(early, Severity::Error, "before the end", 2));
    QCOMPARE(early.problems.errorCount(), std::size_t(1));

    // In the text format "# EOF" is just a comment.
    const ParsedMetrics text = parseMetrics("a 1\n# EOF\nb 2\n", ExpositionFormat::PrometheusText);
    QCOMPARE(text.samples.size(), std::size_t(2));
    QCOMPARE(text.problems.items().size(), std::size_t(0));
}

void TestMetricsParser::crlfAndTruncatedLastLine()
{
    const ParsedMetrics crlf
        = parseMetrics("# TYPE a gauge\r\na 1\r\nb{x=\"y\"} 2\r\n", ExpositionFormat::PrometheusText);
    QCOMPARE(crlf.samples.size(), std::size_t(2));
    QCOMPARE(crlf.problems.errorCount(), std::size_t(0));
    QCOMPARE(crlf.problems.warningCount(), std::size_t(1));
    QCOMPARE(crlf.label(crlf.samples[1], "x"), std::string_view("y"));
    QCOMPARE(crlf.samples[0].value, 1.0);

    const ParsedMetrics truncated = parseMetrics("a 1\nb{x=\"y", ExpositionFormat::PrometheusText);
    QCOMPARE(truncated.samples.size(), std::size_t(1));
    QVERIFY(hasProblem(truncated, Severity::Error, "unterminated value of label \"x\"", 2));
    QVERIFY(hasProblem(truncated, Severity::Warning, "no newline", 2));

    const ParsedMetrics complete = parseMetrics("a 1\nb 2", ExpositionFormat::PrometheusText);
    QCOMPARE(complete.samples.size(), std::size_t(2));
    QCOMPARE(complete.problems.errorCount(), std::size_t(0));
}

void TestMetricsParser::hugeLabelValue()
{
    const std::string big(1 << 20, 'x');
    const std::string payload = "a{big=\"" + big + "\",esc=\"" + big + "\\n\"} 7\nb 8\n";
    const ParsedMetrics m = parseMetrics(payload, ExpositionFormat::PrometheusText);
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.samples.size(), std::size_t(2));
    QCOMPARE(m.label(m.samples[0], "big").size(), big.size());
    QCOMPARE(m.label(m.samples[0], "esc").size(), big.size() + 1);
    QCOMPARE(m.samples[0].value, 7.0);
}

void TestMetricsParser::duplicateSeries()
{
    const ParsedMetrics m = parseMetrics(
        "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\na{x=\"1\"} 3\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n",
        ExpositionFormat::PrometheusText);
    QCOMPARE(m.samples.size(), std::size_t(5)); // a warning keeps the data
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QCOMPARE(m.problems.warningCount(), std::size_t(2));
    QVERIFY(hasProblem(m, Severity::Warning, "duplicate series a (first at line 1)", 2));
    QVERIFY(hasProblem(m, Severity::Warning, "duplicate series h_bucket", 5));
}

void TestMetricsParser::limitsStopTheParse()
{
    const std::string payload = "# TYPE a gauge\na 1\nb{x=\"12345678\"} 2\nc 3\nd 4\n";
    const ParsedMetrics free = parseMetrics(payload, ExpositionFormat::PrometheusText);
    QVERIFY(!free.limitExceeded);
    QCOMPARE(free.samples.size(), std::size_t(4));

    const ParsedMetrics few = parseMetrics(payload, ExpositionFormat::PrometheusText, MetricsLimits{2, 0});
    QVERIFY(few.limitExceeded);
    QCOMPARE(few.samples.size(), std::size_t(2)); // what came before the bound is kept, nothing past it
    QCOMPARE(few.limitExceeded->line, std::uint32_t(4));
    QCOMPARE(few.limitExceeded->message, std::string("more than 2 samples"));

    const ParsedMetrics shortLabels = parseMetrics(payload, ExpositionFormat::PrometheusText, MetricsLimits{0, 7});
    QVERIFY(shortLabels.limitExceeded);
    QCOMPARE(shortLabels.samples.size(), std::size_t(1));
    QCOMPARE(shortLabels.limitExceeded->line, std::uint32_t(3));
    QCOMPARE(shortLabels.limitExceeded->column, std::uint32_t(6)); // where the value starts
    QCOMPARE(shortLabels.limitExceeded->message, std::string("value of label \"x\" is 8 bytes, over the limit of 7"));
    QVERIFY(!parseMetrics(payload, ExpositionFormat::PrometheusText, MetricsLimits{4, 8}).limitExceeded);
}

void TestMetricsParser::emptyBody()
{
    const ParsedMetrics m = parseMetrics("", ExpositionFormat::PrometheusText);
    QCOMPARE(m.samples.size(), std::size_t(0));
    QCOMPARE(m.problems.errorCount(), std::size_t(0));
    QVERIFY(hasProblem(m, Severity::Warning, "empty payload"));
}

void TestMetricsParser::badLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("no-value") << QByteArray("a") << 2 << QStringLiteral("missing value");
    QTest::newRow("bad-value") << QByteArray("a 1.2.3") << 3 << QStringLiteral("invalid value \"1.2.3\"");
    QTest::newRow("bad-name-start") << QByteArray("9a 1") << 1 << QStringLiteral("expected a metric name");
    QTest::newRow("bad-name-char") << QByteArray("a-b 1") << 2 << QStringLiteral("invalid character in metric name");
    QTest::newRow("bad-escape") << QByteArray("a{x=\"\\t\"} 1") << 6 << QStringLiteral("invalid escape");
    QTest::newRow("no-equals") << QByteArray("a{x\"1\"} 1") << 4 << QStringLiteral("expected '='");
    QTest::newRow("no-quote") << QByteArray("a{x=1} 1") << 5 << QStringLiteral("expected '\"'");
    QTest::newRow("unterminated-set") << QByteArray("a{x=\"1\"") << 8 << QStringLiteral("unterminated label set");
    QTest::newRow("missing-comma") << QByteArray("a{x=\"1\" y=\"2\"} 1") << 9 << QStringLiteral("expected ','");
    QTest::newRow("duplicate-label") << QByteArray("a{x=\"1\",x=\"2\"} 1") << 9 << QStringLiteral("duplicate label");
    QTest::newRow("le-not-number") << QByteArray("a_bucket{le=\"big\"} 1") << 14 << QStringLiteral("is not a number");
    QTest::newRow("trailing-text") << QByteArray("a 1 2 3") << 7 << QStringLiteral("unexpected text");
    QTest::newRow("bad-utf8") << QByteArray("a{x=\"\xff\"} 1") << 6 << QStringLiteral("not valid UTF-8");
    QTest::newRow("unknown-type") << QByteArray("# TYPE a thing") << 10 << QStringLiteral("unknown metric type");
}

void TestMetricsParser::badLines()
{
    QFETCH(QByteArray, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    // The bad line sits between two good ones, which must survive.
    const std::string payload = "good_before 1\n" + line.toStdString() + "\ngood_after 2\n";
    const ParsedMetrics m = parseMetrics(payload, ExpositionFormat::PrometheusText);
    QCOMPARE(m.problems.errorCount(), std::size_t(1));
    const ParseProblem &p = m.problems.items().front();
    QVERIFY2(p.message.find(message.toStdString()) != std::string::npos, p.message.c_str());
    QCOMPARE(p.line, 2U);
    QCOMPARE(int(p.column), column);
    QCOMPARE(m.samples.size(), std::size_t(2));
    QCOMPARE(m.name(m.samples[1]), std::string_view("good_after"));
    QCOMPARE(m.labels.size(), std::size_t(0)); // a rejected line leaves no labels behind
}

void TestMetricsParser::binaryGarbage()
{
    std::mt19937 random(42);
    std::string garbage(256 * 1024, '\0');
    for (char &c : garbage)
        c = static_cast<char>(random() & 0xff);
    garbage += "\nsurvivor 1\n";
    for (auto format : {ExpositionFormat::PrometheusText, ExpositionFormat::OpenMetrics}) {
        const ParsedMetrics m = parseMetrics(garbage, format);
        QVERIFY(m.problems.errorCount() > 0);
        QVERIFY(!m.samples.empty());
        QCOMPARE(m.name(m.samples.back()), std::string_view("survivor"));
    }
}

void TestMetricsParser::problemListIsBounded()
{
    std::string payload;
    for (int i = 0; i < 5000; ++i)
        payload += "bad line\n";
    const ParsedMetrics m = parseMetrics(payload, ExpositionFormat::PrometheusText);
    QCOMPARE(m.problems.errorCount(), std::size_t(5000));
    QCOMPARE(m.problems.items().size(), ProblemList::kMaxKept);
    QCOMPARE(m.problems.dropped(), 5000 - ProblemList::kMaxKept);
}

QTEST_APPLESS_MAIN(TestMetricsParser)
#include "tst_metricsparser.moc"
