#include "benchrecord.h"

#include "cliutil.h"
#include "config/fleetconfig.h"
#include "record/chunkcodec.h"
#include "record/recorder.h"
#include "sim/simservice.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cmath>
#include <random>

namespace gotriage::cli {

namespace {

using RawPayloads = std::vector<std::vector<std::shared_ptr<const formats::ParsedMetrics>>>;

// What the demo fleet's emulated Go services serve on /metrics (the Go
// runtime's and process' series, HTTP counters and a latency histogram),
// one payload per second for each of `kinds` services, parsed beforehand.
// Services share them round-robin: the recorder codes each service's
// series apart, so sharing changes nothing but the benchmark's memory.
RawPayloads rawPayloads(int kinds, int scrapes, double t0Seconds)
{
    static constexpr sim::Scenario kScenarios[]
        = {sim::Scenario::Healthy, sim::Scenario::GoroutineLeak, sim::Scenario::MemoryCreep, sim::Scenario::GcFrenzy,
           sim::Scenario::CpuContention};
    RawPayloads out(static_cast<std::size_t>(kinds));
    for (int k = 0; k < kinds; ++k) {
        sim::SimService service(QStringLiteral("svc-%1").arg(k), kScenarios[k % std::size(kScenarios)],
                                static_cast<std::uint32_t>(k + 1), t0Seconds - 3600);
        for (int i = 0; i < scrapes; ++i) {
            service.advanceTo(t0Seconds + i);
            const QByteArray text = service.metricsText();
            out[static_cast<std::size_t>(k)].push_back(std::make_shared<const formats::ParsedMetrics>(
                formats::parseMetrics({text.constData(), static_cast<std::size_t>(text.size())},
                                      formats::ExpositionFormat::PrometheusText)));
        }
    }
    return out;
}

// One scrape of `services` services at `tsMs`: vitals that move as a live
// service's do (gauges wander, rates are noisy, some are unknown), and the
// raw series the scrape read.
session::SessionBatchPtr syntheticBatch(int services, qint64 tsMs, std::mt19937 &random, const RawPayloads &raw,
                                        int scrapeIndex)
{
    std::normal_distribution<double> noise(0, 1);
    auto batch = std::make_shared<session::SessionBatch>();
    batch->nowMs = tsMs;
    batch->reports.reserve(static_cast<std::size_t>(services));
    for (int s = 0; s < services; ++s) {
        auto report = std::make_shared<session::ServiceReport>();
        auto scrape = std::make_shared<scraping::ScrapeResult>();
        scrape->service = QStringLiteral("svc-%1").arg(s);
        scrape->tsMs = tsMs + s % 997; // phases spread over the second
        scrape->up = true;
        scrape->metrics = raw[static_cast<std::size_t>(s) % raw.size()][static_cast<std::size_t>(scrapeIndex)];
        report->scrape = scrape;
        vitals::VitalsSample &v = report->vitals;
        v.tsMs = scrape->tsMs;
        v[vitals::Vital::Goroutines] = 100 + s % 50;
        v[vitals::Vital::Threads] = 12;
        v[vitals::Vital::Fds] = 40;
        v[vitals::Vital::FdsMax] = 1048576;
        v[vitals::Vital::Rss] = 64e6 + std::round(noise(random) * 16) * 4096;
        v[vitals::Vital::HeapInuse] = 32e6 + std::round(noise(random) * 32) * 8192;
        v[vitals::Vital::Cpu] = std::max(0.0, 0.3 + noise(random) * 0.02);
        v[vitals::Vital::ReqRate] = std::max(0.0, 120 + noise(random) * 3);
        v[vitals::Vital::ErrRate] = 0;
        batch->reports.push_back(report);
    }
    return batch;
}

} // namespace

int benchRecord(int services, double seconds)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.gotriage"));
    std::mt19937 random(1);
    // Made first, so that only the recorder is timed.
    const int scrapes = std::max(240, static_cast<int>(seconds * 240)); // a full block at least
    const qint64 t0 = 1'796'000'000'000;
    const RawPayloads raw = rawPayloads(std::min(services, 10), scrapes, double(t0) / 1000);
    std::vector<session::SessionBatchPtr> batches;
    batches.reserve(static_cast<std::size_t>(scrapes));
    for (int i = 0; i < scrapes; ++i)
        batches.push_back(syntheticBatch(services, t0 + i * 1000LL, random, raw, i));

    QString error;
    double elapsed = 0;
    record::Recorder::Stats stats;
    {
        record::Recorder recorder;
        // As the GUI does: the fleet is known before the first sample, and
        // sizes SQLite's page cache.
        std::vector<config::ServiceConfig> fleet(static_cast<std::size_t>(services));
        for (int s = 0; s < services; ++s) {
            fleet[static_cast<std::size_t>(s)].name = QStringLiteral("svc-%1").arg(s);
            fleet[static_cast<std::size_t>(s)].baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
        }
        recorder.setServices(fleet);
        if (!recorder.start(path, &error)) {
            printErr(QStringLiteral("gotriage-cli: ") + error);
            return kExitRejected;
        }
        QElapsedTimer timer;
        timer.start();
        // A commit after every scrape: the recorder's once-a-second rhythm,
        // compressed in time.
        for (const session::SessionBatchPtr &batch : batches) {
            recorder.record(batch);
            if (!recorder.flush(&error)) {
                printErr(QStringLiteral("gotriage-cli: ") + error);
                return kExitRejected;
            }
        }
        elapsed = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        stats = recorder.stats();
    } // closed: the write-ahead log is folded into the file
    record::RecordingReader reader;
    if (!reader.open(path, &error)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitRejected;
    }
    const record::RecordingReader::StorageStats stored = reader.storageStats();
    const double vitalValues = static_cast<double>(stats.samplesWritten) * vitals::kVitalCount;
    const double written = vitalValues + static_cast<double>(stats.rawValuesWritten);
    const qint64 fileBytes = QFileInfo(path).size();

    // The codec alone on full blocks.
    record::SampleBlock block;
    block.columns.resize(vitals::kVitalCount);
    for (int i = 0; i < static_cast<int>(record::Recorder::kBlockSamples); ++i) {
        const auto &report = batches[static_cast<std::size_t>(i) % batches.size()]->reports.front();
        block.timesMs.push_back(t0 + i * 1000LL + (i * 37) % 11);
        for (std::size_t c = 0; c < vitals::kVitalCount; ++c)
            block.columns[c].push_back(report->vitals.values[c]);
    }
    QElapsedTimer codecTimer;
    codecTimer.start();
    qint64 encoded = 0;
    int rounds = 0;
    while (codecTimer.elapsed() < 1000) {
        encoded += record::encodeBlock(block).size();
        ++rounds;
    }
    const double codecSamples = double(rounds) * double(block.sampleCount() * block.columns.size());
    const double perScrape = static_cast<double>(stats.rawValuesWritten) / double(scrapes) / double(services);
    printOut(QStringLiteral("record-write: %1 samples/s (%2 services x (%3 raw series + %4 vitals) x %5 scrapes in %6 "
                            "s, a commit per scrape)")
                 .arg(written / elapsed, 0, 'f', 0)
                 .arg(services)
                 .arg(perScrape, 0, 'f', 0)
                 .arg(vitals::kVitalCount)
                 .arg(scrapes)
                 .arg(elapsed, 0, 'f', 2)
                 .toStdString());
    printOut(QStringLiteral("record-size-raw: %1 bytes per raw sample (%2 bytes of blocks + %3 of series names for %4 "
                            "values, as scraped)")
                 .arg(double(stored.rawBytes + stored.rawKeyBytes) / double(std::max<qint64>(1, stored.rawValues)), 0,
                      'f', 2)
                 .arg(stored.rawBytes)
                 .arg(stored.rawKeyBytes)
                 .arg(stored.rawValues)
                 .toStdString());
    printOut(QStringLiteral("record-size-derived: %1 bytes per vital (%2 bytes for %3 values, derived)")
                 .arg(double(stored.vitalBytes) / double(std::max<qint64>(1, stored.vitalValues)), 0, 'f', 2)
                 .arg(stored.vitalBytes)
                 .arg(stored.vitalValues)
                 .toStdString());
    printOut(
        QStringLiteral("record-file: %1 bytes per sample of either kind (%2 bytes: SQLite's pages, indexes, events)")
            .arg(double(fileBytes) / written, 0, 'f', 2)
            .arg(fileBytes)
            .toStdString());
    printOut(QStringLiteral("record-encode: %1 samples/s, %2 bytes per sample in a full block")
                 .arg(codecSamples / (double(codecTimer.nsecsElapsed()) / 1e9), 0, 'f', 0)
                 .arg(double(encoded) / codecSamples, 0, 'f', 2)
                 .toStdString());
    return stats.samplesDropped == 0 && stats.rawScrapesDropped == 0 ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
