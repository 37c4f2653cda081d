#include "benchrecord.h"

#include "cliutil.h"
#include "record/chunkcodec.h"
#include "record/recorder.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cmath>
#include <random>

namespace gotriage::cli {

namespace {

// One scrape of `services` services at `tsMs`: vitals that move as a live
// service's do (gauges wander, rates are noisy, some are unknown).
session::SessionBatchPtr syntheticBatch(int services, qint64 tsMs, std::mt19937 &random)
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
    std::vector<session::SessionBatchPtr> batches;
    batches.reserve(static_cast<std::size_t>(scrapes));
    const qint64 t0 = 1'796'000'000'000;
    for (int i = 0; i < scrapes; ++i)
        batches.push_back(syntheticBatch(services, t0 + i * 1000LL, random));

    QString error;
    double elapsed = 0;
    record::Recorder::Stats stats;
    {
        record::Recorder recorder;
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
    const double samples = static_cast<double>(stats.samplesWritten) * vitals::kVitalCount;
    const qint64 bytes = QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();

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
    printOut(
        QStringLiteral("record-write: %1 samples/s (%2 services x %3 vitals x %4 scrapes in %5 s, a commit per scrape)")
            .arg(samples / elapsed, 0, 'f', 0)
            .arg(services)
            .arg(vitals::kVitalCount)
            .arg(scrapes)
            .arg(elapsed, 0, 'f', 2)
            .toStdString());
    printOut(QStringLiteral("record-size: %1 bytes per sample on disk (%2 bytes for %3 samples; derived vitals, "
                            "as stored today)")
                 .arg(double(bytes) / samples, 0, 'f', 2)
                 .arg(bytes)
                 .arg(samples, 0, 'f', 0)
                 .toStdString());
    printOut(QStringLiteral("record-encode: %1 samples/s, %2 bytes per sample in a full block")
                 .arg(codecSamples / (double(codecTimer.nsecsElapsed()) / 1e9), 0, 'f', 0)
                 .arg(double(encoded) / codecSamples, 0, 'f', 2)
                 .toStdString());
    return stats.samplesDropped == 0 ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
