#include "benchreplay.h"

#include "analysis/findingjson.h"
#include "analysis/findingtext.h"
#include "cliutil.h"
#include "record/recorder.h"
#include "record/recordingfile.h"
#include "record/recordingsource.h"
#include "session/session.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <random>

namespace gotriage::cli {

namespace {

constexpr qint64 kT0 = 1'796'000'000'000;

// One block of a service's day: gauges that wander, noisy rates, a leak in
// every tenth service (goroutines climbing), scrape outcome and duration.
record::SampleBlock syntheticBlock(int service, qint64 firstMs, std::size_t samples, std::mt19937 &random)
{
    std::normal_distribution<double> noise(0, 1);
    record::SampleBlock block;
    block.columns.resize(vitals::kVitalCount + 2);
    for (std::size_t i = 0; i < samples; ++i) {
        const qint64 t = firstMs + static_cast<qint64>(i) * 1000;
        block.timesMs.push_back(t);
        std::array<double, vitals::kVitalCount> v;
        v.fill(std::numeric_limits<double>::quiet_NaN());
        const double hours = static_cast<double>(t - kT0) / 3.6e6;
        v[vitals::index(vitals::Vital::Goroutines)] = 100 + (service % 10 == 0 ? std::floor(hours * 40) : service % 50);
        v[vitals::index(vitals::Vital::Threads)] = 12;
        v[vitals::index(vitals::Vital::Fds)] = 40;
        v[vitals::index(vitals::Vital::FdsMax)] = 1048576;
        v[vitals::index(vitals::Vital::Rss)] = 64e6 + std::round(noise(random) * 16) * 4096;
        v[vitals::index(vitals::Vital::HeapInuse)] = 32e6 + std::round(noise(random) * 32) * 8192;
        v[vitals::index(vitals::Vital::Cpu)] = std::max(0.0, 0.3 + noise(random) * 0.02);
        v[vitals::index(vitals::Vital::ReqRate)] = std::max(0.0, 120 + noise(random) * 3);
        v[vitals::index(vitals::Vital::ErrRate)] = 0;
        v[vitals::index(vitals::Vital::GcRate)] = 0.5;
        for (std::size_t c = 0; c < vitals::kVitalCount; ++c)
            block.columns[c].push_back(v[c]);
        block.columns[vitals::kVitalCount].push_back(1);
        block.columns[vitals::kVitalCount + 1].push_back(3);
    }
    return block;
}

bool writeRecording(const QString &path, int services, qint64 spanMs, QString *error)
{
    record::RecordingWriter writer;
    if (!writer.open(path, error) || !writer.begin(error))
        return false;
    std::mt19937 random(7);
    const QStringList columns = record::recordedColumns();
    int blocksInTransaction = 0;
    for (int s = 0; s < services; ++s) {
        const QString name = QStringLiteral("svc-%1").arg(s, 3, 10, QLatin1Char('0'));
        if (!writer.putService(name, QStringLiteral("{\"name\":\"%1\",\"tier\":\"non-core\"}").arg(name), columns,
                               error))
            return false;
        qint64 sequence = 0;
        for (qint64 first = kT0; first < kT0 + spanMs; first += 240'000) {
            const auto samples = static_cast<std::size_t>(std::min<qint64>(240, (kT0 + spanMs - first) / 1000));
            if (!writer.putBlock(name, sequence++, syntheticBlock(s, first, samples, random), error))
                return false;
            if (++blocksInTransaction == 2000) {
                blocksInTransaction = 0;
                if (!writer.commit(error) || !writer.begin(error))
                    return false;
            }
        }
        if (s % 10 == 0) {
            // The leak is raised a third of the way in.
            analysis::FindingChange change;
            change.tsMs = kT0 + spanMs / 3;
            change.finding.service = name;
            change.finding.kind = analysis::FindingKind::GoroutineLeak;
            change.finding.severity = analysis::Severity::Warning;
            change.finding.sinceMs = change.tsMs;
            analysis::describe(change.finding);
            if (!writer.putEvent({change.tsMs, QString::fromLatin1(record::kFindingEvent), name,
                                  QString::fromStdString(analysis::toJson(change))},
                                 error))
                return false;
        }
    }
    return writer.commit(error);
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

} // namespace

int benchReplay(int services, double hours, int seeks)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("day.gotriage"));
    const auto spanMs = static_cast<qint64>(hours * 3.6e6);
    QElapsedTimer timer;
    timer.start();
    QString error;
    if (!writeRecording(path, services, spanMs, &error)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitUsage;
    }
    const double writeSeconds = static_cast<double>(timer.elapsed()) / 1000.0;
    const qint64 bytes = QFileInfo(path).size();
    printOut(QStringLiteral("replay-data: %1 services × %2 h at 1 s = %3 samples, %4 MB on disk, written in %5 s")
                 .arg(services)
                 .arg(hours)
                 .arg(static_cast<double>(services) * static_cast<double>(spanMs / 1000), 0, 'f', 0)
                 .arg(static_cast<double>(bytes) / 1e6, 0, 'f', 1)
                 .arg(writeSeconds, 0, 'f', 1)
                 .toStdString());

    // Open: from nothing to the first batch of data (what the charts plot first).
    auto owned = std::make_unique<record::RecordingSource>(path, 1.0);
    record::RecordingSource *source = owned.get();
    session::Session session(std::move(owned));
    session.setAdoptUnknownServices(true);
    qint64 openedMs = -1, firstBatchMs = -1;
    bool waitingForSeek = false;
    QElapsedTimer seekTimer;
    std::vector<double> seekMs;
    std::mt19937 random(11);
    std::uniform_int_distribution<qint64> anywhere(kT0, kT0 + spanMs - 1);
    const auto seekSomewhere = [&] {
        waitingForSeek = true;
        seekTimer.start();
        source->seek(anywhere(random));
    };
    QObject::connect(source, &record::RecordingSource::opened, qApp, [&] { openedMs = timer.elapsed(); });
    QObject::connect(source, &record::RecordingSource::failed, qApp, [&](const QString &why) {
        error = why;
        QCoreApplication::quit();
    });
    QObject::connect(&session, &session::Session::batchReady, qApp, [&](const session::SessionBatchPtr &batch) {
        if (batch->reports.empty())
            return;
        if (firstBatchMs < 0) {
            firstBatchMs = timer.elapsed();
            source->pause();
            seekSomewhere();
            return;
        }
        if (waitingForSeek && batch->reset) {
            seekMs.push_back(static_cast<double>(seekTimer.nsecsElapsed()) / 1e6);
            waitingForSeek = false;
            if (static_cast<int>(seekMs.size()) >= seeks)
                QCoreApplication::quit();
            else
                QTimer::singleShot(20, qApp, seekSomewhere);
        }
    });
    timer.restart();
    session.start();
    QTimer::singleShot(120'000, qApp, &QCoreApplication::quit); // a bound, not a measure
    QCoreApplication::exec();
    if (!error.isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitUsage;
    }
    printOut(QStringLiteral("replay-open: %1 ms to the recording's index, %2 ms to the first batch of data "
                            "(target < 1000)")
                 .arg(openedMs)
                 .arg(firstBatchMs)
                 .toStdString());
    printOut(QStringLiteral("replay-seek: p50 %1 ms, p90 %2 ms, max %3 ms over %4 seeks to random moments, each "
                            "with its context (target < 100)")
                 .arg(percentile(seekMs, 0.5), 0, 'f', 1)
                 .arg(percentile(seekMs, 0.9), 0, 'f', 1)
                 .arg(percentile(seekMs, 1.0), 0, 'f', 1)
                 .arg(seekMs.size())
                 .toStdString());
    return kExitOk;
}

} // namespace gotriage::cli
