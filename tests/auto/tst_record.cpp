// The recording: its block codec bit for bit, the recorder's file read
// back, and files that are cut short, damaged, foreign or from a newer
// version, each refused with a clear error.
#include "formats/metrics.h"
#include "record/chunkcodec.h"
#include "record/recorder.h"
#include "record/recordingfile.h"
#include "session/servicereport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>

using namespace gotriage;

namespace {

bool sameBits(const record::SampleBlock &a, const record::SampleBlock &b)
{
    if (a.timesMs != b.timesMs || a.columns.size() != b.columns.size())
        return false;
    for (std::size_t c = 0; c < a.columns.size(); ++c) {
        if (a.columns[c].size() != b.columns[c].size())
            return false;
        for (std::size_t i = 0; i < a.columns[c].size(); ++i) {
            if (std::bit_cast<std::uint64_t>(a.columns[c][i]) != std::bit_cast<std::uint64_t>(b.columns[c][i]))
                return false;
        }
    }
    return true;
}

// A service's vitals as a 1 s scrape gives them: times with jitter, gauges
// that wander, counters' rates, unknowns.
record::SampleBlock realisticBlock(std::mt19937 &random, std::size_t samples, std::size_t columns)
{
    record::SampleBlock block;
    std::normal_distribution<double> jitter(0, 8);
    std::normal_distribution<double> noise(0, 1);
    qint64 t = 1'796'000'000'000;
    block.columns.resize(columns);
    double goroutines = 120, rss = 48e6, cpu = 0.35;
    for (std::size_t i = 0; i < samples; ++i) {
        t += 1000 + static_cast<qint64>(jitter(random));
        block.timesMs.push_back(t);
        goroutines += std::round(noise(random));
        rss += std::round(noise(random) * 16) * 4096;
        cpu = std::max(0.0, cpu + noise(random) * 0.01);
        for (std::size_t c = 0; c < columns; ++c) {
            double v = 0;
            switch (c % 5) {
            case 0:
                v = goroutines;
                break;
            case 1:
                v = rss;
                break;
            case 2:
                v = cpu;
                break;
            case 3:
                v = std::numeric_limits<double>::quiet_NaN(); // a vital the service does not have
                break;
            default:
                v = 16;
            }
            block.columns[c].push_back(v);
        }
    }
    return block;
}

session::SessionBatchPtr batchAt(qint64 tsMs, const QStringList &services, int step)
{
    auto batch = std::make_shared<session::SessionBatch>();
    batch->nowMs = tsMs;
    for (const QString &name : services) {
        auto report = std::make_shared<session::ServiceReport>();
        auto scrape = std::make_shared<scraping::ScrapeResult>();
        scrape->service = name;
        scrape->tsMs = tsMs;
        scrape->up = true;
        report->scrape = scrape;
        report->vitals.tsMs = tsMs;
        report->vitals[vitals::Vital::Goroutines] = 100 + step;
        report->vitals[vitals::Vital::Cpu] = 0.25 + 0.001 * step;
        if (step == 30 && name == services.front()) {
            analysis::FindingChange change;
            change.tsMs = tsMs;
            change.finding.service = name;
            change.finding.kind = analysis::FindingKind::GoroutineLeak;
            report->findingChanges.push_back(change);
        }
        batch->reports.push_back(report);
    }
    return batch;
}

// A /metrics payload as client_golang writes it, parsed.
std::shared_ptr<const formats::ParsedMetrics> payload(const std::string &text)
{
    return std::make_shared<const formats::ParsedMetrics>(
        formats::parseMetrics(text, formats::ExpositionFormat::PrometheusText));
}

session::SessionBatchPtr rawBatch(qint64 tsMs, const QString &service, const std::string &text)
{
    auto batch = std::make_shared<session::SessionBatch>();
    batch->nowMs = tsMs;
    auto report = std::make_shared<session::ServiceReport>();
    auto scrape = std::make_shared<scraping::ScrapeResult>();
    scrape->service = service;
    scrape->tsMs = tsMs;
    scrape->up = true;
    scrape->metrics = payload(text);
    report->scrape = scrape;
    report->vitals.tsMs = tsMs;
    batch->reports.push_back(report);
    return batch;
}

std::size_t rowsIn(const QString &path, const char *table)
{
    record::RecordingReader reader;
    if (!reader.open(path, nullptr))
        return 0;
    const record::RecordingReader::StorageStats stats = reader.storageStats();
    return static_cast<std::size_t>(std::string_view(table) == "raw" ? stats.rawBlocks : stats.vitalBlocks);
}

} // namespace

class TestRecord : public QObject
{
    Q_OBJECT

private slots:
    void codecRoundTripsBitForBit();
    void codecIsCompact();
    void codecRefusesDamage();
    void blocksOfFormatOneStillDecode();
    void builderMatchesTheBatchEncoder();
    void recorderFileReadsBack();
    void rawSeriesAreRecordedAsScraped();
    void stateIsRecordedWhenItChanges();
    void aCommitWritesWhatItAdds();
    void aContinuedFileKeepsWhatItHeld();
    void pageCacheFollowsTheFleet();
    void foreignDamagedAndNewerFilesAreRefused();
};

void TestRecord::codecRoundTripsBitForBit()
{
    std::mt19937 random(7);
    std::uniform_real_distribution<double> any(-1e300, 1e300);
    record::SampleBlock block;
    const std::vector<double> specials = {0.0,
                                          -0.0,
                                          std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity(),
                                          std::numeric_limits<double>::quiet_NaN(),
                                          1e-310,
                                          9.007199254740993e15,
                                          -12345678901234.0,
                                          3.5};
    block.columns.resize(4);
    qint64 t = 0;
    for (int i = 0; i < 500; ++i) {
        t += (i % 7 == 0) ? 123'456'789'012 : (i % 3); // huge gaps, repeats
        block.timesMs.push_back(i == 250 ? std::numeric_limits<qint64>::min() : t);
        block.columns[0].push_back(specials[static_cast<std::size_t>(i) % specials.size()]);
        block.columns[1].push_back(any(random));
        block.columns[2].push_back(static_cast<double>(i * 1000 - 7)); // whole numbers
        block.columns[3].push_back(i % 2 ? std::numeric_limits<double>::max() : std::numeric_limits<double>::lowest());
    }
    QString error;
    const std::optional<record::SampleBlock> back = record::decodeBlock(record::encodeBlock(block), &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(sameBits(block, *back));
    // Empty and single-sample blocks too.
    for (const std::size_t n : {std::size_t(0), std::size_t(1)}) {
        record::SampleBlock small;
        small.columns.resize(2);
        for (std::size_t i = 0; i < n; ++i) {
            small.timesMs.push_back(42);
            small.columns[0].push_back(1.5);
            small.columns[1].push_back(7);
        }
        const auto decoded = record::decodeBlock(record::encodeBlock(small), &error);
        QVERIFY2(decoded && sameBits(small, *decoded), qPrintable(error));
    }
}

void TestRecord::codecIsCompact()
{
    // What a Go service's /metrics gives at 1 s: counters (requests, CPU
    // seconds to the 10 ms, bytes allocated), gauges (goroutines, RSS in
    // pages, heap), settings that do not move. Under 2 bytes a sample.
    std::mt19937 random(11);
    std::normal_distribution<double> noise(0, 1);
    std::normal_distribution<double> jitter(0, 8);
    record::SampleBlock raw;
    raw.columns.resize(8);
    double requests = 1e6, cpuCentis = 123456, allocated = 9e9, goroutines = 150, rss = 50e6, heap = 30e6;
    qint64 t = 1'796'000'000'000;
    for (int i = 0; i < 240; ++i) {
        t += 1000 + static_cast<qint64>(jitter(random));
        raw.timesMs.push_back(t);
        requests += std::round(120 + 10 * noise(random));
        cpuCentis += std::round(30 + 3 * noise(random));
        allocated += std::round(4e6 + 2e5 * noise(random));
        goroutines += std::round(noise(random));
        rss += std::round(noise(random) * 16) * 4096;
        heap += std::round(noise(random) * 64) * 8;
        const double row[] = {requests, cpuCentis / 100, allocated, goroutines, rss, heap, 8, 1048576};
        for (std::size_t c = 0; c < 8; ++c)
            raw.columns[c].push_back(row[c]);
    }
    const QByteArray rawBytes = record::encodeBlock(raw);
    const double rawPerSample = double(rawBytes.size()) / double(raw.sampleCount() * raw.columns.size());
    std::mt19937 again(11);
    const record::SampleBlock derived = realisticBlock(again, 240, 22);
    const double derivedPerSample
        = double(record::encodeBlock(derived).size()) / double(derived.sampleCount() * derived.columns.size());
    qInfo("raw counters and gauges: %.2f bytes per sample; derived vitals (noisy rates): %.2f", rawPerSample,
          derivedPerSample);
    QVERIFY2(rawPerSample < 2.0, qPrintable(QString::number(rawPerSample)));
    const auto decoded = record::decodeBlock(rawBytes, nullptr);
    QVERIFY(decoded && sameBits(raw, *decoded));
}

void TestRecord::codecRefusesDamage()
{
    std::mt19937 random(3);
    const QByteArray whole = record::encodeBlock(realisticBlock(random, 60, 5));
    // Every cut is an error, never a crash or a read past the end.
    for (qsizetype cut = 0; cut < whole.size(); ++cut) {
        QString error;
        QVERIFY(!record::decodeBlock(whole.left(cut), &error));
        QVERIFY(!error.isEmpty());
    }
    // Garbage: either refused or decoded, never a crash.
    std::uniform_int_distribution<int> byte(0, 255);
    for (int round = 0; round < 2000; ++round) {
        QByteArray junk(1 + round % 64, '\0');
        for (char &c : junk)
            c = static_cast<char>(byte(random));
        junk[0] = 1; // the format byte, so the rest is really read
        QString error;
        record::decodeBlock(junk, &error);
    }
    QString error;
    QVERIFY(!record::decodeBlock(QByteArray("\x01\xff\xff\xff\xff\x0f\x05", 7), &error));
    QVERIFY2(error.contains(QLatin1String("not a block")) || error.contains(QLatin1String("holds")), qPrintable(error));
}

void TestRecord::blocksOfFormatOneStillDecode()
{
    // Written by hand to the format's description (tests/data/record, also
    // the fuzz target's seeds): a file from this version must keep opening.
    QFile file(QStringLiteral(GOTRIAGE_TEST_DATA "/record/vitals.block"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const std::optional<record::SampleBlock> block = record::decodeBlock(file.readAll(), &error);
    QVERIFY2(block, qPrintable(error));
    QCOMPARE(block->sampleCount(), std::size_t(6));
    QCOMPARE(block->timesMs[1], 1'796'000'001'002);
    QCOMPARE(block->columns[0], (std::vector<double>{100, 101, 101, 103, 102, 104}));
    QCOMPARE(block->columns[1][1], 123.75); // 12375 hundredths
    QVERIFY(std::isnan(block->columns[2][2]));
    QVERIFY(block->columns[2][5] == 0 && std::signbit(block->columns[2][5]));
    QFile empty(QStringLiteral(GOTRIAGE_TEST_DATA "/record/empty.block"));
    QVERIFY(empty.open(QIODevice::ReadOnly));
    const auto none = record::decodeBlock(empty.readAll(), &error);
    QVERIFY(none && none->sampleCount() == 0);
}

void TestRecord::builderMatchesTheBatchEncoder()
{
    // Columns whose coding must change as values arrive: whole numbers that
    // turn into tenths, then nanoseconds, then a value no decimal holds; a
    // series added mid-block; NaN, -0 and infinities.
    std::mt19937 random(11);
    std::uniform_int_distribution<int> pick(0, 99);
    for (int round = 0; round < 50; ++round) {
        record::BlockBuilder builder(3);
        record::SampleBlock expected;
        expected.columns.resize(3);
        const int samples = 1 + pick(random) * 3;
        const int addAt = pick(random) % samples;
        for (int i = 0; i < samples; ++i) {
            if (i == addAt) {
                QCOMPARE(builder.addColumn(), expected.columns.size());
                expected.columns.emplace_back(expected.timesMs.size(), std::numeric_limits<double>::quiet_NaN());
            }
            const int r = pick(random);
            std::vector<double> row = {
                double(i * 17),
                i < samples / 3           ? double(i)
                    : i < 2 * samples / 3 ? i * 0.1
                                          : i * 2.5e-8,
                r < 5        ? std::numeric_limits<double>::quiet_NaN()
                    : r < 8  ? -0.0
                    : r < 10 ? 1.0 / 3
                             : double(r),
            };
            if (expected.columns.size() == 4)
                row.push_back(r < 50 ? std::numeric_limits<double>::infinity() : r * 1e-9);
            expected.timesMs.push_back(1'796'000'000'000 + i * 1000 + r);
            for (std::size_t c = 0; c < row.size(); ++c)
                expected.columns[c].push_back(row[c]);
            builder.append(expected.timesMs.back(), row);
        }
        QCOMPARE(builder.sampleCount(), expected.sampleCount());
        QCOMPARE(builder.firstMs(), expected.timesMs.front());
        QCOMPARE(builder.lastMs(), expected.timesMs.back());
        const QByteArray bytes = builder.encode();
        QCOMPARE(bytes, record::encodeBlock(expected));
        QString error;
        const auto decoded = record::decodeBlock(bytes, &error);
        QVERIFY2(decoded && sameBits(expected, *decoded), qPrintable(error));
        // Cleared, it starts the next block with the same series.
        builder.clear();
        QCOMPARE(builder.sampleCount(), std::size_t(0));
        QCOMPARE(builder.columnCount(), expected.columns.size());
    }
    // Nanoseconds (a GC pause as client_golang prints it) stay exact as a
    // decimal column, cheaper than the float coding.
    record::SampleBlock pauses;
    pauses.columns.resize(1);
    for (int i = 0; i < 120; ++i) {
        pauses.timesMs.push_back(i * 1000);
        pauses.columns[0].push_back((24401 + i * 37) / 1e9); // as "2.4401e-05" parses
    }
    const auto back = record::decodeBlock(record::encodeBlock(pauses), nullptr);
    QVERIFY(back && sameBits(pauses, *back));
    QVERIFY2(record::encodeBlock(pauses).size() < 120 * 3, "nanoseconds coded as floats");
}

void TestRecord::recorderFileReadsBack()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("incident.gotriage"));
    const QStringList services = {QStringLiteral("api-1"), QStringLiteral("batch-1")};
    const qint64 t0 = 1'796'000'000'000;
    {
        record::Recorder recorder;
        QString error;
        QVERIFY2(recorder.start(path, &error), qPrintable(error));
        config::ServiceConfig api;
        api.name = services[0];
        api.baseUrl = QUrl(QStringLiteral("http://user:pass@127.0.0.1:8080"));
        api.auth.kind = config::AuthSettings::Kind::Bearer;
        api.auth.credentialsFile = QStringLiteral("/etc/secret/token");
        config::ServiceConfig batch;
        batch.name = services[1];
        batch.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:8081"));
        recorder.setServices({api, batch});
        for (int step = 0; step < 600; ++step) // more than two blocks
            recorder.record(batchAt(t0 + step * 1000, services, step));
        QVERIFY2(recorder.flush(&error), qPrintable(error));
        const record::Recorder::Stats stats = recorder.stats();
        QCOMPARE(stats.samplesWritten, quint64(1200));
        QCOMPARE(stats.samplesDropped, quint64(0));
    }
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.formatVersion(), record::kRecordingFormatVersion);
    QCOMPARE(reader.services(), services);
    QCOMPARE(reader.columns(services[0]), record::recordedColumns());
    // The service's config, without its credentials or the URL's user info.
    const QString config = reader.serviceConfig(services[0]);
    QVERIFY2(!config.contains(QLatin1String("secret")) && !config.contains(QLatin1String("pass")), qPrintable(config));
    QStringList problems;
    const record::SampleBlock all = reader.samples(services[1], t0, t0 + 600'000, &problems);
    QVERIFY(problems.isEmpty());
    QCOMPARE(all.sampleCount(), std::size_t(600));
    const auto goroutines = static_cast<std::size_t>(vitals::Vital::Goroutines);
    for (std::size_t i = 0; i < all.sampleCount(); ++i) {
        QCOMPARE(all.timesMs[i], t0 + qint64(i) * 1000);
        QCOMPARE(all.columns[goroutines][i], 100.0 + double(i));
        QVERIFY(std::isnan(all.columns[static_cast<std::size_t>(vitals::Vital::Rss)][i]));
    }
    // A range inside: exactly its samples.
    const record::SampleBlock part = reader.samples(services[0], t0 + 250'000, t0 + 259'000);
    QCOMPARE(part.sampleCount(), std::size_t(10));
    QCOMPARE(part.timesMs.front(), t0 + 250'000);
    QCOMPARE(reader.timeRange(), std::make_pair(t0, t0 + 599'000));
    const std::vector<record::StoredEvent> events = reader.events(t0, t0 + 600'000, QStringLiteral("finding"));
    QCOMPARE(events.size(), std::size_t(1));
    QCOMPARE(events.front().kind, QStringLiteral("finding"));
    QVERIFY(events.front().json.contains(QLatin1String("goroutine_leak")));
}

void TestRecord::stateIsRecordedWhenItChanges()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("state.gotriage"));
    const qint64 t0 = 1'796'000'000'000;
    const QString service = QStringLiteral("api-1");
    {
        record::Recorder recorder;
        QString error;
        QVERIFY2(recorder.start(path, &error), qPrintable(error));
        for (int step = 0; step < 60; ++step) {
            const auto batch = batchAt(t0 + step * 1000, {service}, step);
            auto &report = *std::const_pointer_cast<session::ServiceReport>(batch->reports.front());
            auto scrape = std::const_pointer_cast<scraping::ScrapeResult>(report.scrape);
            if (step >= 10 && step < 20) { // down for ten scrapes
                scrape->up = false;
                scrape->error = QStringLiteral("GET http://127.0.0.1:1/metrics: connection refused");
            }
            if (step >= 20) // the runtime read from then on
                report.runtime.goVersion = QStringLiteral("go1.19.8");
            report.restarted = step == 40;
            if (step < 35) { // a material rise, then none
                analysis::Projection rise;
                rise.material = true;
                report.projections.push_back(rise);
            }
            report.projections.emplace_back(); // one that does not matter: never recorded
            if (step == 51) { // the fleet loses the service, then has it again
                recorder.setServices({});
                config::ServiceConfig back;
                back.name = service;
                back.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
                recorder.setServices({back});
            }
            recorder.record(batch);
        }
        QVERIFY2(recorder.flush(&error), qPrintable(error));
    }
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    const auto times = [&](const QString &kind) {
        QList<qint64> out;
        for (const record::StoredEvent &event : reader.events(t0, t0 + 60'000, kind))
            out << (event.tsMs - t0) / 1000;
        return out;
    };
    // The first state, down, up again with its runtime, the restart, and
    // its state again once it is back in the fleet.
    QCOMPARE(times(QStringLiteral("scrape")), (QList<qint64>{0, 10, 20, 40, 51}));
    // A material rise every 10 s while it lasts, and an empty list once.
    QCOMPARE(times(QStringLiteral("projections")), (QList<qint64>{0, 10, 20, 30, 35}));
    const auto projections = reader.events(t0, t0 + 60'000, QStringLiteral("projections"));
    QCOMPARE(QJsonDocument::fromJson(projections.front().json.toUtf8())
                 .object()[QStringLiteral("projections")]
                 .toArray()
                 .size(),
             1);
    QVERIFY(projections.back().json.contains(QLatin1String("\"projections\":[]")));
}

void TestRecord::rawSeriesAreRecordedAsScraped()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("raw.gotriage"));
    const qint64 t0 = 1'796'000'000'000;
    const QString service = QStringLiteral("api-1");
    const auto text = [](int i) {
        std::string out = "# TYPE go_goroutines gauge\ngo_goroutines " + std::to_string(100 + i) + "\n";
        out += "# TYPE http_requests_total counter\n";
        out += "http_requests_total{code=\"200\",path=\"/a \\\"b\\\"\\n\"} " + std::to_string(1000 + 7 * i) + "\n";
        out += "process_cpu_seconds_total " + std::to_string(12.5 + 0.01 * i) + "\n";
        if (i >= 150) // a series that appears late, in the second block
            out += "http_requests_total{code=\"500\",path=\"/a\"} " + std::to_string(i - 150) + "\n";
        if (i < 100) // one that goes: NaN in the next block, gone from the one after
            out += "go_gc_duration_seconds{quantile=\"0.5\"} 2.4401e-05\n";
        return out;
    };
    {
        record::Recorder recorder;
        QString error;
        QVERIFY2(recorder.start(path, &error), qPrintable(error));
        for (int i = 0; i < 300; ++i)
            recorder.record(rawBatch(t0 + i * 1000, service, text(i)));
        QVERIFY2(recorder.flush(&error), qPrintable(error));
        const record::Recorder::Stats stats = recorder.stats();
        QCOMPARE(stats.rawValuesWritten, quint64(300 * 3 + 150 + 100));
        QCOMPARE(stats.rawScrapesDropped, quint64(0));
    }
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QStringList problems;
    const record::RecordingReader::RawSamples raw = reader.rawSamples(service, t0, t0 + 300'000, &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(raw.block.sampleCount(), std::size_t(300));
    // Keys as the exposition writes them, label values escaped.
    const std::vector<QByteArray> expectedKeys
        = {"go_goroutines", R"(http_requests_total{code="200",path="/a \"b\"\n"})", "process_cpu_seconds_total",
           R"(go_gc_duration_seconds{quantile="0.5"})", R"(http_requests_total{code="500",path="/a"})"};
    QCOMPARE(raw.keys, expectedKeys);
    for (std::size_t i = 0; i < 300; ++i) {
        QCOMPARE(raw.block.timesMs[i], t0 + qint64(i) * 1000);
        QCOMPARE(raw.block.columns[0][i], 100.0 + double(i));
        QCOMPARE(raw.block.columns[1][i], 1000.0 + 7.0 * double(i));
        QCOMPARE(raw.block.columns[2][i], std::stod(std::to_string(12.5 + 0.01 * double(i))));
        QCOMPARE(std::isnan(raw.block.columns[3][i]), i >= 100);
        QCOMPARE(std::isnan(raw.block.columns[4][i]), i < 150);
    }
    // The series gone at 100 is not carried into the third block (240..).
    const record::RecordingReader::RawSamples late = reader.rawSamples(service, t0 + 250'000, t0 + 260'000);
    QCOMPARE(late.block.sampleCount(), std::size_t(11));
    QVERIFY(std::find(late.keys.begin(), late.keys.end(), expectedKeys[3]) == late.keys.end());
    // A saved window keeps the raw series with their names (whole blocks).
    const QString saved = dir.filePath(QStringLiteral("saved.gotriage"));
    QVERIFY2(record::saveRange(path, t0 + 130'000, t0 + 140'000, saved, &error), qPrintable(error));
    {
        record::RecordingReader copy;
        QVERIFY2(copy.open(saved, &error), qPrintable(error));
        const record::RecordingReader::RawSamples window = copy.rawSamples(service, t0 + 130'000, t0 + 140'000);
        QCOMPARE(window.block.sampleCount(), std::size_t(11));
        QCOMPARE(window.keys, expectedKeys);
        QCOMPARE(window.block.columns[1].front(), 1000.0 + 7.0 * 130);
    }
    // Cancelled while it runs (here: before it starts): nothing is left behind.
    const QString cancelledCopy = dir.filePath(QStringLiteral("cancelled.gotriage"));
    std::atomic<bool> cancel{true};
    QVERIFY(!record::saveRange(path, t0, t0 + 300'000, cancelledCopy, &error, &cancel));
    QCOMPARE(error, QStringLiteral("cancelled"));
    for (const char *suffix : {"", "-wal", "-shm"})
        QVERIFY(!QFileInfo::exists(cancelledCopy + QLatin1String(suffix)));
    // What it costs, told apart from the derived vitals.
    const record::RecordingReader::StorageStats stats = reader.storageStats();
    QCOMPARE(stats.rawValues, qint64(300 * 3 + 150 + 100));
    QVERIFY(stats.rawBytes > 0 && stats.rawKeyBytes > 0);
    QVERIFY2(
        double(stats.rawBytes) / double(stats.rawValues) < 2.0,
        qPrintable(QStringLiteral("%1 bytes per raw value").arg(double(stats.rawBytes) / double(stats.rawValues))));
}

void TestRecord::aCommitWritesWhatItAdds()
{
    // An open block goes to disk as the tails each commit adds, and once
    // full as one block that replaces them: a crash keeps every commit.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tails.gotriage"));
    const QStringList services = {QStringLiteral("api-1")};
    const qint64 t0 = 1'796'000'000'000;
    record::Recorder recorder;
    QString error;
    QVERIFY2(recorder.start(path, &error), qPrintable(error));
    for (int step = 0; step < 10; ++step) {
        recorder.record(batchAt(t0 + step * 1000, services, step));
        QVERIFY2(recorder.flush(&error), qPrintable(error));
    }
    QCOMPARE(rowsIn(path, "vitals"), std::size_t(10)); // ten commits, ten tails
    {
        record::RecordingReader reader;
        QVERIFY(reader.open(path, &error));
        QCOMPARE(reader.samples(services[0], t0, t0 + 10'000).sampleCount(), std::size_t(10));
    }
    // Every 16th commit writes the block so far in place of its tails: a
    // service never has more than a handful of rows waiting.
    for (int step = 10; step < 20; ++step) {
        recorder.record(batchAt(t0 + step * 1000, services, step));
        QVERIFY2(recorder.flush(&error), qPrintable(error));
    }
    QCOMPARE(rowsIn(path, "vitals"), std::size_t(4)); // the 17 first samples, then three tails
    {
        record::RecordingReader reader;
        QVERIFY(reader.open(path, &error));
        const record::SampleBlock twenty = reader.samples(services[0], t0, t0 + 100'000);
        QCOMPARE(twenty.sampleCount(), std::size_t(20));
        QCOMPARE(twenty.timesMs.back(), t0 + 19'000);
    }
    for (int step = 20; step < int(record::Recorder::kBlockSamples) + 5; ++step)
        recorder.record(batchAt(t0 + step * 1000, services, step));
    QVERIFY2(recorder.flush(&error), qPrintable(error));
    // The full block, and one tail of the next.
    QCOMPARE(rowsIn(path, "vitals"), std::size_t(2));
    record::RecordingReader reader;
    QVERIFY(reader.open(path, &error));
    const record::SampleBlock all = reader.samples(services[0], t0, t0 + 1'000'000);
    QCOMPARE(all.sampleCount(), record::Recorder::kBlockSamples + 5);
    for (std::size_t i = 0; i < all.sampleCount(); ++i)
        QCOMPARE(all.timesMs[i], t0 + qint64(i) * 1000);
}

void TestRecord::aContinuedFileKeepsWhatItHeld()
{
    // Recording again into a file this version wrote adds to it: the new
    // blocks never take the numbers of the old ones.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("continued.gotriage"));
    const QStringList services = {QStringLiteral("api-1")};
    const qint64 t0 = 1'796'000'000'000;
    for (int session = 0; session < 2; ++session) {
        record::Recorder recorder;
        QString error;
        QVERIFY2(recorder.start(path, &error), qPrintable(error));
        for (int step = 0; step < 300; ++step) {
            const qint64 t = t0 + (session * 1000 + step) * 1000LL;
            recorder.record(batchAt(t, services, step));
            recorder.record(rawBatch(t + 1, QStringLiteral("raw-1"), "go_goroutines " + std::to_string(step) + "\n"));
        }
        QVERIFY2(recorder.flush(&error), qPrintable(error));
    }
    record::RecordingReader reader;
    QString error;
    QVERIFY(reader.open(path, &error));
    QCOMPARE(reader.samples(services[0], t0, t0 + 3'000'000).sampleCount(), std::size_t(600));
    QCOMPARE(reader.rawSamples(QStringLiteral("raw-1"), t0, t0 + 3'000'000).block.sampleCount(), std::size_t(600));
}

void TestRecord::pageCacheFollowsTheFleet()
{
    // A small fleet keeps SQLite's default; a large one gets room for its
    // open blocks, up to a ceiling, so a process's RSS follows its fleet.
    QTemporaryDir dir;
    record::RecordingWriter writer;
    QString error;
    QVERIFY2(writer.open(dir.filePath(QStringLiteral("cache.gotriage")), &error), qPrintable(error));
    writer.sizePageCache(20);
    QCOMPARE(writer.pageCacheKiB(), qint64(2048));
    writer.sizePageCache(1000);
    QCOMPARE(writer.pageCacheKiB(), qint64(16000));
    writer.sizePageCache(100000);
    QCOMPARE(writer.pageCacheKiB(), qint64(32768));
}

void TestRecord::foreignDamagedAndNewerFilesAreRefused()
{
    QTemporaryDir dir;
    record::RecordingReader reader;
    QString error;
    QVERIFY(!reader.open(dir.filePath(QStringLiteral("missing.gotriage")), &error));
    QVERIFY2(error.contains(QLatin1String("no such file")), qPrintable(error));

    const QString text = dir.filePath(QStringLiteral("fleet.json"));
    QFile f(text);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"services\": []}\n");
    f.close();
    QVERIFY(!reader.open(text, &error));
    QVERIFY2(error.startsWith(text) && error.contains(QLatin1String("not a gotriage recording")), qPrintable(error));

    // A recording from a newer gotriage.
    const QString newer = dir.filePath(QStringLiteral("newer.gotriage"));
    {
        record::RecordingWriter writer;
        QVERIFY2(writer.open(newer, &error), qPrintable(error));
        QVERIFY(writer.putMeta(QStringLiteral("format_version"), QStringLiteral("99"), &error));
    }
    QVERIFY(!reader.open(newer, &error));
    QVERIFY2(error.contains(QLatin1String("format 99")), qPrintable(error));
    record::RecordingWriter appender;
    QVERIFY(!appender.open(newer, &error)); // and nothing is appended to it
    QVERIFY2(error.contains(QLatin1String("newer gotriage")), qPrintable(error));

    // A recording cut in half (a copy of the file, as a disk full might leave it).
    const QString whole = dir.filePath(QStringLiteral("whole.gotriage"));
    {
        record::Recorder recorder;
        QVERIFY(recorder.start(whole, &error));
        for (int step = 0; step < 2000; ++step)
            recorder.record(batchAt(1'796'000'000'000 + step * 1000, {QStringLiteral("a"), QStringLiteral("b")}, step));
        QVERIFY(recorder.flush(&error));
    }
    QFile source(whole);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray bytes = source.readAll();
    for (const double share : {0.5, 0.1}) {
        const QString cut = dir.filePath(QStringLiteral("cut-%1.gotriage").arg(share));
        QFile out(cut);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes.left(qsizetype(double(bytes.size()) * share)));
        out.close();
        record::RecordingReader damaged;
        const bool opened = damaged.open(cut, &error);
        if (!opened) {
            QVERIFY2(error.startsWith(cut), qPrintable(error));
        } else {
            // What opens holds whole samples only, in time order, never more than was written.
            QStringList problems;
            const record::SampleBlock kept
                = damaged.samples(QStringLiteral("a"), 0, std::numeric_limits<qint64>::max(), &problems);
            QVERIFY(kept.sampleCount() <= 2000);
            QVERIFY(std::is_sorted(kept.timesMs.begin(), kept.timesMs.end()));
            for (const std::vector<double> &column : kept.columns)
                QCOMPARE(column.size(), kept.sampleCount());
        }
    }
}

QTEST_GUILESS_MAIN(TestRecord)
#include "tst_record.moc"
