// Replay of a recording: the cursor rebuilds every update the session saw
// (vitals, scrape outcome, runtime, restarts, the recorded findings), the
// replay source plays, seeks, loops and saves notes under a playhead, a
// format-1 file still plays and is migrated, the demo fleet round-trips
// through a real recording, and files are told by their content.
#include "analysis/findingjson.h"
#include "analysis/findingtext.h"
#include "ingest/livesource.h"
#include "record/exporter.h"
#include "record/filekind.h"
#include "record/recorder.h"
#include "record/recordingcursor.h"
#include "record/recordingfile.h"
#include "record/recordingsource.h"
#include "session/session.h"
#include "session/sessionhub.h"
#include "sim/demofleet.h"
#include "store/seriesstore.h"

#include <QBuffer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <bit>
#include <cmath>
#include <map>

using namespace gotriage;

namespace {

constexpr qint64 kT0 = 1'796'000'000'000;

analysis::FindingChange leak(const QString &service, qint64 tsMs, analysis::FindingChange::Type type)
{
    analysis::FindingChange change;
    change.type = type;
    change.tsMs = tsMs;
    change.finding.service = service;
    change.finding.kind = analysis::FindingKind::GoroutineLeak;
    change.finding.severity = analysis::Severity::Warning;
    change.finding.sinceMs = tsMs;
    analysis::describe(change.finding); // the text is made from the fields, live and on reading
    return change;
}

// One service's report as the hub makes it: step 20..29 down with an
// error, a restart at step 40, a leak raised at 50 and cleared at 250,
// projections while it is raised.
session::ServiceReportPtr reportAt(const QString &service, int step)
{
    auto report = std::make_shared<session::ServiceReport>();
    auto scrape = std::make_shared<scraping::ScrapeResult>();
    const qint64 ts = kT0 + step * 1000;
    scrape->service = service;
    scrape->tsMs = ts;
    scrape->up = step < 20 || step >= 30;
    scrape->error = scrape->up ? QString() : QStringLiteral("connection refused");
    scrape->durationMs = 3 + step % 5;
    report->scrape = scrape;
    report->vitals.tsMs = ts;
    if (scrape->up) {
        report->vitals[vitals::Vital::Goroutines] = 100 + step;
        report->vitals[vitals::Vital::Cpu] = 0.25 + 0.001 * step;
        report->vitals[vitals::Vital::Rss] = 64e6 + 4096.0 * step;
    }
    report->restarted = step == 40;
    report->runtime.goVersion = QStringLiteral("go1.19.8");
    report->runtime.gomaxprocs = step < 40 ? 2 : 4;
    if (step == 50)
        report->findingChanges.push_back(leak(service, ts, analysis::FindingChange::Type::Raised));
    if (step == 250)
        report->findingChanges.push_back(leak(service, ts, analysis::FindingChange::Type::Cleared));
    if (step >= 50 && step < 250) {
        report->findings.push_back(leak(service, ts, analysis::FindingChange::Type::Raised).finding);
        analysis::Projection p;
        p.vital = vitals::Vital::Goroutines;
        p.material = true;
        p.limit = 10'000;
        p.etaSeconds = 10'000.0 - step;
        report->projections.push_back(p);
    }
    return report;
}

// Records `steps` seconds of two services into `path`; returns the reports.
std::vector<session::ServiceReportPtr> recordSynthetic(const QString &path, int steps)
{
    std::vector<session::ServiceReportPtr> all;
    record::Recorder recorder;
    QString error;
    if (!recorder.start(path, &error))
        qFatal("%s", qPrintable(error));
    config::ServiceConfig a, b;
    a.name = QStringLiteral("api-1");
    a.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:8080"));
    a.tier = config::Tier::Core;
    b.name = QStringLiteral("batch-1");
    b.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:8081"));
    recorder.setServices({a, b});
    for (int step = 0; step < steps; ++step) {
        auto batch = std::make_shared<session::SessionBatch>();
        batch->nowMs = kT0 + step * 1000;
        for (const QString &name : {a.name, b.name}) {
            batch->reports.push_back(reportAt(name, step));
            all.push_back(batch->reports.back());
        }
        recorder.record(batch);
    }
    if (!recorder.flush(&error))
        qFatal("%s", qPrintable(error));
    return all;
}

bool sameValue(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

QString keysOf(const std::vector<analysis::Finding> &findings)
{
    QStringList keys;
    for (const analysis::Finding &f : findings)
        keys << f.key().toString();
    keys.sort();
    return keys.join(u',');
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT

private slots:
    void cursorRebuildsEveryUpdate();
    void cursorSeeksToTheStateOfThatMoment();
    void formatOneStillPlaysAndIsMigrated();
    void sourcePlaysSeeksLoopsAndSavesNotes();
    void demoFleetRoundTrips();
    void filesAreToldByContent();
    void savedIncidentKeepsItsWindow();
    void capturesAreKeptAndReachedByThePlayhead();
    void exportIsAcceptedByPromtool();
    void exportAsCsv();
    void markersStayFewOnAFlappingDay();
};

void TestReplay::cursorRebuildsEveryUpdate()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("synthetic.gotriage"));
    const std::vector<session::ServiceReportPtr> recorded = recordSynthetic(path, 300);
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    record::RecordingCursor cursor(reader);
    std::vector<ingest::SourceUpdate> replayed;
    // In uneven slices, as a playhead reads ahead: nothing lost or doubled at the seams.
    for (qint64 to = kT0 + 7'300; to < kT0 + 307'300; to += 7'300) {
        for (ingest::SourceUpdate &u : cursor.next(to))
            replayed.push_back(std::move(u));
    }
    QVERIFY(cursor.takeProblems().isEmpty());
    QCOMPARE(replayed.size(), recorded.size());
    std::map<QString, std::vector<const ingest::SourceUpdate *>> byService;
    for (const ingest::SourceUpdate &u : replayed)
        byService[u.service()].push_back(&u);
    std::map<QString, std::size_t> next;
    for (const session::ServiceReportPtr &live : recorded) {
        const ingest::SourceUpdate &u = *byService[live->service()][next[live->service()]++];
        const QString where = QStringLiteral("%1 at %2").arg(live->service()).arg(live->tsMs() - kT0);
        QVERIFY2(u.tsMs() == live->tsMs(), qPrintable(where));
        QVERIFY2(u.scrape->up == live->scrape->up, qPrintable(where));
        QVERIFY2(u.scrape->error == live->scrape->error,
                 qPrintable(where + QStringLiteral(" error ") + u.scrape->error));
        QVERIFY2(u.scrape->durationMs == live->scrape->durationMs, qPrintable(where));
        QVERIFY2(u.restarted == live->restarted, qPrintable(where));
        QVERIFY2(u.runtime.gomaxprocs == live->runtime.gomaxprocs, qPrintable(where));
        QVERIFY2(u.health.up == live->scrape->up, qPrintable(where));
        for (std::size_t i = 0; i < vitals::kVitalCount; ++i)
            QVERIFY2(sameValue(u.vitals.values[i], live->vitals.values[i]), qPrintable(where));
        QVERIFY(u.recorded);
        QVERIFY2(u.recorded->changes == live->findingChanges,
                 qPrintable(where + u' ' + QString::number(u.recorded->changes.size()) + u' '
                            + QString::number(live->findingChanges.size())
                            + (u.recorded->changes.empty()
                                   ? QString()
                                   : QString::fromStdString(analysis::toJson(u.recorded->changes.front())))));
        QVERIFY2(keysOf(u.recorded->findings) == keysOf(live->findings), qPrintable(where));
        // Projections are kept for trends that matter, every 10 s: the latest is never older than that.
        QCOMPARE(u.recorded->projections.empty(), live->projections.empty());
    }
    // Consecutive quiet updates share one analysis rather than copying it.
    const auto &api = byService[QStringLiteral("api-1")];
    QCOMPARE(api[100]->recorded.get(), api[101]->recorded.get());
}

void TestReplay::cursorSeeksToTheStateOfThatMoment()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("synthetic.gotriage"));
    recordSynthetic(path, 300);
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    record::RecordingCursor cursor(reader);

    // Into the leak: it is active, with a projection, and the restart is behind.
    record::RecordingCursor::Context context = cursor.seek(kT0 + 120'000, 60'000);
    QCOMPARE(context.latest.size(), std::size_t(2));
    for (const ingest::SourceUpdate &u : context.latest) {
        QCOMPARE(u.tsMs(), kT0 + 120'000);
        QCOMPARE(u.recorded->findings.size(), std::size_t(1));
        QVERIFY(u.recorded->changes.empty()); // a state, not news
        QCOMPARE(u.recorded->projections.size(), std::size_t(1));
        QCOMPARE(u.runtime.gomaxprocs, std::optional<double>(4));
        QVERIFY(!u.restarted);
    }
    // The context up to the playhead: 60 samples, and the 61st is the latest update.
    QCOMPARE(context.history[QStringLiteral("api-1")].size(), std::size_t(60));
    QCOMPARE(context.history[QStringLiteral("api-1")].front().tsMs, kT0 + 60'000);
    const std::vector<ingest::SourceUpdate> after = cursor.next(kT0 + 260'000);
    const auto cleared = std::find_if(after.begin(), after.end(),
                                      [](const ingest::SourceUpdate &u) { return !u.recorded->changes.empty(); });
    QVERIFY(cleared != after.end());
    QCOMPARE(cleared->tsMs(), kT0 + 250'000);
    QCOMPARE(cleared->recorded->changes.front().type, analysis::FindingChange::Type::Cleared);

    // Back into the outage: down, with the error that was recorded, and no samples of it in history.
    context = cursor.seek(kT0 + 25'000, 60'000);
    for (const ingest::SourceUpdate &u : context.latest) {
        QVERIFY(!u.scrape->up);
        QCOMPARE(u.scrape->error, QStringLiteral("connection refused"));
        QVERIFY(u.recorded->findings.empty());
    }
    QCOMPARE(context.history[QStringLiteral("batch-1")].size(), std::size_t(20)); // steps 0..19 were up
    // Before the beginning: nothing to show, nothing to fail.
    context = cursor.seek(kT0 - 10'000, 60'000);
    QVERIFY(context.latest.empty());
}

void TestReplay::formatOneStillPlaysAndIsMigrated()
{
    // Written by the format-1 build (gotriage-cli record --demo --services 4
    // --duration 40 --fast, at commit e388bee): 159 samples, 8 finding changes.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.gotriage"));
    QVERIFY(QFile::copy(QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage"), path));
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    const auto replayAll = [&](int expectedVersion) {
        record::RecordingReader reader;
        QString error;
        if (!reader.open(path, &error))
            qFatal("%s", qPrintable(error));
        if (reader.formatVersion() != expectedVersion)
            qFatal("format %d, expected %d", reader.formatVersion(), expectedVersion);
        record::RecordingCursor cursor(reader);
        int updates = 0, changes = 0, up = 0;
        for (const ingest::SourceUpdate &u : cursor.next(reader.timeRange().second + 1)) {
            ++updates;
            up += u.scrape->up ? 1 : 0;
            changes += static_cast<int>(u.recorded->changes.size());
        }
        return std::make_tuple(updates, changes, up, cursor.takeProblems());
    };
    const auto [updates, changes, up, problems] = replayAll(1);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(updates, 159);
    QCOMPARE(changes, 8);
    QVERIFY2(up >= 150, qPrintable(QString::number(up))); // format 1 has no "up": read as "some vital was read"

    // Reading changes nothing; writing to it (a note) migrates it first.
    record::RecordingWriter writer;
    QString error;
    QVERIFY2(writer.open(path, &error), qPrintable(error));
    QVERIFY(writer.begin(&error));
    QVERIFY(writer.putEvent({kT0, QString::fromLatin1(record::kNoteEvent), {}, QStringLiteral("{\"text\":\"x\"}")},
                            &error));
    QVERIFY2(writer.putBlob({kT0, QStringLiteral("goroutine-text"), QStringLiteral("api-1"), QStringLiteral("dump"),
                             QByteArrayLiteral("goroutine 1 [running]:\nmain.main()\n")},
                            &error),
             qPrintable(error));
    QVERIFY(writer.commit(&error));
    const auto [updates2, changes2, up2, problems2] = replayAll(record::kRecordingFormatVersion);
    QCOMPARE(updates2, updates);
    QCOMPARE(changes2, changes);
    QCOMPARE(up2, up);
    record::RecordingReader reader;
    QVERIFY(reader.open(path, &error));
    QCOMPARE(reader.blobs().size(), std::size_t(1));
    const std::optional<record::StoredBlob> blob = reader.blob(reader.blobs().front().id, &error);
    QVERIFY2(blob, qPrintable(error));
    QVERIFY(blob->data.startsWith("goroutine 1 [running]"));
}

void TestReplay::sourcePlaysSeeksLoopsAndSavesNotes()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("synthetic.gotriage"));
    recordSynthetic(path, 300);
    auto owned = std::make_unique<record::RecordingSource>(path, 100.0);
    record::RecordingSource *source = owned.get();
    session::Session session(std::move(owned));
    session.setAdoptUnknownServices(true);
    QSignalSpy opened(source, &record::RecordingSource::opened);
    std::vector<session::SessionBatchPtr> batches;
    connect(&session, &session::Session::batchReady, this,
            [&](const session::SessionBatchPtr &batch) { batches.push_back(batch); });
    session.start();
    QTRY_COMPARE(opened.size(), 1);
    const auto info = opened.front().front().value<record::RecordingInfoPtr>();
    QCOMPARE(info->firstMs, kT0);
    QCOMPARE(info->lastMs, kT0 + 299'000);
    QCOMPARE(info->services.size(), std::size_t(2));
    QCOMPARE(info->services.front().tier, config::Tier::Core);
    // Two services' leak raised: two finding markers, at their moment.
    QCOMPARE(info->markers.size(), std::size_t(2));
    QCOMPARE(info->markers.front().tsMs, kT0 + 50'000);

    // At 100× the playhead moves: updates arrive in time order per service, with their findings.
    QTRY_VERIFY_WITH_TIMEOUT(!batches.empty() && batches.back()->nowMs > kT0 + 60'000, 5000);
    source->pause();
    qint64 lastApi = 0;
    bool sawLeak = false;
    for (const auto &batch : batches) {
        for (const auto &report : batch->reports) {
            if (report->service() != QLatin1String("api-1"))
                continue;
            QVERIFY(report->tsMs() > lastApi);
            lastApi = report->tsMs();
            sawLeak = sawLeak || !report->findings.empty();
            QCOMPARE(report->findings.empty(), report->tsMs() < kT0 + 50'000);
        }
    }
    QVERIFY(sawLeak);

    // Seek back: the next batch says so, and brings the state at that moment while paused.
    batches.clear();
    source->seek(kT0 + 10'000);
    QTRY_VERIFY(!batches.empty());
    QVERIFY(batches.front()->reset);
    QCOMPARE(batches.front()->reports.size(), std::size_t(2));
    for (const auto &report : batches.front()->reports) {
        QCOMPARE(report->tsMs(), kT0 + 10'000);
        QVERIFY(report->findings.empty());
    }
    QTRY_COMPARE(session.store().snapshot(QStringLiteral("api-1")).samples.size(),
                 std::size_t(11)); // 10 of context + 1
    QTest::qWait(300);
    QCOMPARE(batches.size(), std::size_t(1)); // paused: nothing more

    // Loop 20 s of data at 1000×: the playhead keeps coming back.
    source->setLoop(kT0 + 100'000, kT0 + 120'000);
    source->seek(kT0 + 100'000);
    source->setRate(1000);
    batches.clear();
    source->play();
    QTRY_VERIFY_WITH_TIMEOUT(std::count_if(batches.begin(), batches.end(), [](const auto &b) { return b->reset; }) >= 3,
                             5000);
    for (const auto &batch : batches) {
        for (const auto &report : batch->reports)
            QVERIFY2(report->tsMs() >= kT0 + 100'000 && report->tsMs() <= kT0 + 121'000,
                     qPrintable(QString::number(report->tsMs() - kT0)));
    }
    source->pause();
    source->setLoop(0, 0);

    // A note is saved into the recording, where the next reader finds it.
    QSignalSpy saved(source, &record::RecordingSource::noteSaved);
    source->addNote(kT0 + 111'000, QStringLiteral("throttled the leak"), QStringLiteral("ops"));
    QTRY_COMPARE(saved.size(), 1);
    QCOMPARE(saved.front().at(1).toString(), QString());
    record::RecordingReader reader;
    QString error;
    QVERIFY(reader.open(path, &error));
    const auto notes = reader.events(kT0, kT0 + 300'000, QString::fromLatin1(record::kNoteEvent));
    QCOMPARE(notes.size(), std::size_t(1));
    QVERIFY(notes.front().json.contains(QLatin1String("throttled the leak")));

    // Played to the end: it says so, and play starts again from the beginning.
    QSignalSpy ended(&session, &session::Session::sourceEnded);
    source->seek(kT0 + 295'000);
    source->play();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 5000);
    QVERIFY(source->finished());
}

void TestReplay::demoFleetRoundTrips()
{
    // A real session on the demo fleet, recorded as the window records it;
    // what the session handed out is compared with what the file gives back.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.gotriage"));
    sim::DemoFleetThread fleet;
    QString error;
    QVERIFY2(fleet.start(4, &error), qPrintable(error));
    std::vector<session::ServiceReportPtr> live;
    {
        record::Recorder recorder;
        QVERIFY2(recorder.start(path, &error), qPrintable(error));
        recorder.setServices(fleet.services());
        session::Session session(std::make_unique<ingest::LiveSource>());
        session.setAnalysisSettings(analysis::AnalysisSettings::fast());
        connect(
            session.hub(), &session::SessionHub::batchReady, &recorder,
            [&recorder](const session::SessionBatchPtr &batch) { recorder.record(batch); }, Qt::DirectConnection);
        connect(&session, &session::Session::batchReady, this, [&live](const session::SessionBatchPtr &batch) {
            live.insert(live.end(), batch->reports.begin(), batch->reports.end());
        });
        session.setServices(fleet.services());
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(live.size() >= 4 * 8, 20000);
    }
    // The session is gone: every batch it made reached both.
    record::RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    record::RecordingCursor cursor(reader);
    const std::vector<ingest::SourceUpdate> replayed = cursor.next(reader.timeRange().second + 1);
    QVERIFY(cursor.takeProblems().isEmpty());
    std::map<QString, std::vector<const ingest::SourceUpdate *>> byService;
    for (const ingest::SourceUpdate &u : replayed)
        byService[u.service()].push_back(&u);
    std::map<QString, std::size_t> next;
    int changes = 0;
    for (const session::ServiceReportPtr &report : live) {
        auto &list = byService[report->service()];
        const std::size_t i = next[report->service()]++;
        QVERIFY2(i < list.size(), qPrintable(report->service()));
        const ingest::SourceUpdate &u = *list[i];
        QCOMPARE(u.tsMs(), report->tsMs());
        QCOMPARE(u.scrape->up, report->scrape->up);
        QCOMPARE(u.runtime.goVersion, report->runtime.goVersion);
        for (std::size_t v = 0; v < vitals::kVitalCount; ++v)
            QVERIFY2(sameValue(u.vitals.values[v], report->vitals.values[v]),
                     qPrintable(report->service() + u' '
                                + QString::fromLatin1(vitals::kVitals[v].name.data(),
                                                      qsizetype(vitals::kVitals[v].name.size()))));
        QCOMPARE(u.recorded->changes, report->findingChanges);
        QCOMPARE(keysOf(u.recorded->findings), keysOf(report->findings));
        changes += static_cast<int>(report->findingChanges.size());
    }
    QVERIFY(changes > 0); // the demo's Go version is flagged at once: events were compared too
    for (const auto &[service, list] : byService)
        QCOMPARE(next[service], list.size());
}

void TestReplay::filesAreToldByContent()
{
    QTemporaryDir dir;
    const auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return f.fileName();
    };
    QCOMPARE(record::sniffFile(QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage")),
             record::FileKind::Recording);
    // Names say nothing: a recording called .json is a recording.
    QFile::copy(QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage"), dir.filePath(QStringLiteral("x.json")));
    QCOMPARE(record::sniffFile(dir.filePath(QStringLiteral("x.json"))), record::FileKind::Recording);
    QCOMPARE(record::sniffFile(write(QStringLiteral("a"), QByteArray("\x1f\x8b\x08\x00", 4))),
             record::FileKind::Profile);
    QCOMPARE(record::sniffFile(write(QStringLiteral("b"), "goroutine 1 [running]:\nmain.main()\n")),
             record::FileKind::GoroutineDump);
    QCOMPARE(record::sniffFile(write(QStringLiteral("c"), "{\"service\":\"a\",\"ts_ms\":1}\n")),
             record::FileKind::UpdateLog);
    QCOMPARE(record::sniffFile(write(QStringLiteral("d"), "services:\n  - url: http://a\n")),
             record::FileKind::FleetFile);
    QString error;
    QCOMPARE(record::sniffFile(write(QStringLiteral("e"), QByteArray("\x7f\x45\x4c\x46\x00\x01", 6)), &error),
             record::FileKind::Unknown);
    QVERIFY2(error.endsWith(QLatin1String("not a recording, profile, goroutine dump or fleet file")),
             qPrintable(error));
    QCOMPARE(record::sniffFile(dir.filePath(QStringLiteral("missing")), &error), record::FileKind::Unknown);
    QVERIFY2(error.startsWith(dir.filePath(QStringLiteral("missing"))), qPrintable(error));
    QCOMPARE(record::sniffFile(write(QStringLiteral("empty"), {}), &error), record::FileKind::Unknown);
    QVERIFY2(error.contains(QLatin1String("empty")), qPrintable(error));
}

void TestReplay::savedIncidentKeepsItsWindow()
{
    // "Save incident" while the black box is still being written.
    QTemporaryDir dir;
    const QString blackBox = dir.filePath(QStringLiteral("session.gotriage"));
    const QString saved = dir.filePath(QStringLiteral("incidents/leak.gotriage"));
    record::Recorder recorder;
    QString error;
    QVERIFY2(recorder.start(blackBox, &error), qPrintable(error));
    config::ServiceConfig api;
    api.name = QStringLiteral("api-1");
    recorder.setServices({api});
    for (int step = 0; step < 1200; ++step) { // 20 minutes, 5 blocks
        auto batch = std::make_shared<session::SessionBatch>();
        batch->reports.push_back(reportAt(api.name, step));
        recorder.record(batch);
    }
    // Not flushed: saving commits what is queued first.
    QSignalSpy done(&recorder, &record::Recorder::windowSaved);
    recorder.saveWindow(kT0 + 45'000, kT0 + 300'000, saved);
    QTRY_COMPARE(done.size(), 1);
    QCOMPARE(done.front().at(1).toString(), QString());
    record::RecordingReader reader;
    QVERIFY2(reader.open(saved, &error), qPrintable(error));
    QCOMPARE(reader.services(), QStringList{api.name});
    // Whole blocks of 240 samples: the range, and no more than a block either side.
    const auto [first, last] = reader.timeRange();
    QVERIFY(first <= kT0 + 45'000 && first >= kT0 + 45'000 - 240'000);
    QVERIFY(last >= kT0 + 300'000 && last < kT0 + 300'000 + 240'000);
    const auto findings = reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(record::kFindingEvent));
    QCOMPARE(findings.size(), std::size_t(2)); // raised at 50 s and cleared at 250 s
    QVERIFY(reader.events(INT64_MIN, kT0 + 44'999).empty()); // events only from the window
    // The saved file replays like any recording.
    record::RecordingCursor cursor(reader);
    const auto context = cursor.seek(kT0 + 100'000, 60'000);
    QCOMPARE(context.latest.size(), std::size_t(1));
    QCOMPARE(context.latest.front().recorded->findings.size(), std::size_t(1));

    // Never over an existing file.
    recorder.saveWindow(kT0, kT0 + 10'000, saved);
    QTRY_COMPARE(done.size(), 2);
    QVERIFY2(done.at(1).at(1).toString().contains(QLatin1String("exists already")),
             qPrintable(done.at(1).at(1).toString()));
}

void TestReplay::capturesAreKeptAndReachedByThePlayhead()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("captures.gotriage"));
    const auto capture = [](const char *service, ingest::CaptureKind kind, qint64 atMs, const QByteArray &body) {
        auto c = std::make_shared<ingest::CaptureResult>();
        c->request.service = QString::fromLatin1(service);
        c->request.kind = kind;
        c->startedMs = atMs;
        c->body = body;
        return ingest::CaptureResultPtr(c);
    };
    const QByteArray dump = "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n";
    QFile heapFile(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/heap_memcreep.pb.gz"));
    QVERIFY(heapFile.open(QIODevice::ReadOnly));
    const QByteArray heap = heapFile.readAll();
    const ingest::CaptureResultPtr byHand = capture("api-1", ingest::CaptureKind::GoroutineText, kT0 + 100'000, dump);
    {
        record::Recorder recorder;
        QString error;
        QVERIFY2(recorder.start(path, &error), qPrintable(error));
        config::ServiceConfig api;
        api.name = QStringLiteral("api-1");
        recorder.setServices({api});
        for (int step = 0; step < 300; ++step) {
            auto batch = std::make_shared<session::SessionBatch>();
            batch->reports.push_back(reportAt(api.name, step));
            recorder.record(batch);
        }
        recorder.recordCapture(byHand);
        recorder.recordCapture(byHand); // again, as the finding's evidence: kept once
        recorder.recordCapture(capture("api-1", ingest::CaptureKind::Heap, kT0 + 200'000, heap));
        auto failed = std::make_shared<ingest::CaptureResult>(*byHand);
        failed->error = QStringLiteral("timeout");
        recorder.recordCapture(failed); // nothing to keep
        QVERIFY(recorder.flush(&error));
        QCOMPARE(recorder.stats().capturesWritten, quint64(2));
    }
    {
        // Exported as files other tools open: the profile as Go served it.
        record::RecordingReader reader;
        QString error;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        QStringList written;
        record::ExportStats stats;
        QVERIFY2(record::exportCaptures(reader, kT0, kT0 + 300'000, dir.filePath(QStringLiteral("captures")), &written,
                                        &stats, &error),
                 qPrintable(error));
        QCOMPARE(written.size(), 2);
        QVERIFY2(written[0].endsWith(QLatin1String("/api-1-goroutine-text-20261130T005500Z.txt")),
                 qPrintable(written[0]));
        QVERIFY2(written[1].endsWith(QLatin1String("/api-1-heap-20261130T005640Z.pb.gz")), qPrintable(written[1]));
        QFile exported(written[1]);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        QCOMPARE(exported.readAll(), heap);
        QFile text(written[0]);
        QVERIFY(text.open(QIODevice::ReadOnly));
        QCOMPARE(text.readAll(), dump);
        // Only what was captured within the range.
        written.clear();
        QVERIFY(record::exportCaptures(reader, kT0 + 150'000, kT0 + 300'000, dir.filePath(QStringLiteral("later")),
                                       &written, nullptr, &error));
        QCOMPARE(written.size(), 1);
        // Exporting again never replaces a file: the second gets a number.
        written.clear();
        QVERIFY(record::exportCaptures(reader, kT0 + 150'000, kT0 + 300'000, dir.filePath(QStringLiteral("later")),
                                       &written, nullptr, &error));
        QVERIFY2(written.value(0).endsWith(QLatin1String("-2.pb.gz")), qPrintable(written.value(0)));
    }
    auto owned = std::make_unique<record::RecordingSource>(path, 1.0);
    record::RecordingSource *source = owned.get();
    session::Session session(std::move(owned));
    session.setAdoptUnknownServices(true);
    std::vector<ingest::CaptureResultPtr> reached;
    connect(source, &record::RecordingSource::captureReached, this,
            [&](const ingest::CaptureResultPtr &c) { reached.push_back(c); });
    QSignalSpy opened(source, &record::RecordingSource::opened);
    session.start();
    QTRY_COMPARE(opened.size(), 1);
    QCOMPARE(opened.front().front().value<record::RecordingInfoPtr>()->captures.size(), std::size_t(2));
    source->pause();
    QTest::qWait(100);
    QVERIFY(reached.empty()); // at the beginning, nothing was captured yet
    // A seek past the dump brings it, as it was taken, and only it.
    source->seek(kT0 + 150'000);
    QTRY_COMPARE(reached.size(), std::size_t(1));
    QCOMPARE(reached.front()->body, dump);
    QCOMPARE(reached.front()->request.kind, ingest::CaptureKind::GoroutineText);
    QCOMPARE(reached.front()->startedMs, kT0 + 100'000);
    // Playing on reaches the heap profile; going back does not bring the dump twice.
    source->setRate(1000);
    source->play();
    QTRY_COMPARE(reached.size(), std::size_t(2));
    QCOMPARE(reached.back()->request.kind, ingest::CaptureKind::Heap);
    source->seek(kT0 + 120'000);
    QTest::qWait(200);
    QCOMPARE(reached.size(), std::size_t(2));
}

void TestReplay::exportIsAcceptedByPromtool()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("synthetic.gotriage"));
    recordSynthetic(path, 300);
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QFile out(dir.filePath(QStringLiteral("export.om")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    record::ExportStats stats;
    // 100 s of the 300: the outage (20..29) inside, so up goes 1, 0, 1.
    QVERIFY2(record::exportOpenMetrics(reader, kT0 + 10'000, kT0 + 109'000, out, &stats, &error), qPrintable(error));
    out.close();
    // Two services × 100 samples × (3 vitals, up, duration), less the 10 s without vitals.
    QCOMPARE(stats.samples, qint64(2 * (100 * 5 - 10 * 3)));
    QVERIFY(out.open(QIODevice::ReadOnly));
    const QByteArray text = out.readAll();
    QVERIFY(text.endsWith("# EOF\n"));
    QVERIFY(text.contains("gotriage_goroutines{service=\"api-1\",tier=\"core\"} 110 1796000010.000\n"));
    QVERIFY(text.contains("gotriage_scrape_up{service=\"batch-1\",tier=\"non-core\"} 0 1796000025.000\n"));
    QVERIFY(!text.contains("NaN"));

    // Prometheus's own tool (Debian's prometheus package, a test dependency) takes it.
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    QVERIFY2(!promtool.isEmpty(), "promtool not found: packaging/install-deps.sh --test installs prometheus");
    QProcess process;
    process.start(promtool,
                  {QStringLiteral("tsdb"), QStringLiteral("create-blocks-from"), QStringLiteral("openmetrics"),
                   out.fileName(), dir.filePath(QStringLiteral("tsdb"))});
    QVERIFY(process.waitForFinished(60000));
    const QByteArray said = process.readAllStandardOutput() + process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, said.constData());
    // Its summary counts what we wrote.
    QVERIFY2(said.contains(" " + QByteArray::number(stats.samples) + " "), said.constData());
}

void TestReplay::exportAsCsv()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("synthetic.gotriage"));
    recordSynthetic(path, 60);
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    record::ExportStats stats;
    QVERIFY2(record::exportCsv(reader, kT0, kT0 + 59'000, buffer, &stats, &error), qPrintable(error));
    const QList<QByteArray> lines = buffer.data().trimmed().split('\n');
    QCOMPARE(stats.samples, qint64(120));
    QCOMPARE(lines.size(), 121);
    const QList<QByteArray> header = lines.front().split(',');
    QCOMPARE(header.mid(0, 3), (QList<QByteArray>{"ts_ms", "service", "cpu"}));
    const auto goroutines = header.indexOf("goroutines");
    const auto up = header.indexOf("scrape_up");
    QVERIFY(goroutines > 0 && up > 0);
    const QList<QByteArray> row12 = lines[1 + 12].split(','); // api-1 at step 12
    QCOMPARE(row12.size(), header.size());
    QCOMPARE(row12[0], QByteArray::number(kT0 + 12'000));
    QCOMPARE(row12[1], QByteArray("api-1"));
    QCOMPARE(row12[goroutines], QByteArray("112"));
    QCOMPARE(row12[header.indexOf("rss")], QByteArray::number(64e6 + 4096.0 * 12, 'f', 0));
    const QList<QByteArray> row25 = lines[1 + 25].split(','); // down: no vitals, up 0
    QCOMPARE(row25[goroutines], QByteArray());
    QCOMPARE(row25[up], QByteArray("0"));
}

void TestReplay::markersStayFewOnAFlappingDay()
{
    // 6000 raises of one finding, one every 10 s (a flapping day): the
    // timeline marks each minute once, and every note still.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("flapping.gotriage"));
    recordSynthetic(path, 10);
    {
        record::RecordingWriter writer;
        QString error;
        QVERIFY2(writer.open(path, &error), qPrintable(error));
        QVERIFY(writer.begin(&error));
        for (int i = 0; i < 6000; ++i) {
            const qint64 t = kT0 + i * 10'000LL;
            QVERIFY(writer.putEvent({t, QString::fromLatin1(record::kFindingEvent), QStringLiteral("api-1"),
                                     QString::fromStdString(analysis::toJson(
                                         leak(QStringLiteral("api-1"), t, analysis::FindingChange::Type::Raised)))},
                                    &error));
        }
        QVERIFY(writer.putEvent(
            {kT0 + 5000, QString::fromLatin1(record::kNoteEvent), {}, QStringLiteral("{\"text\":\"still here\"}")},
            &error));
        QVERIFY(writer.commit(&error));
    }
    auto owned = std::make_unique<record::RecordingSource>(path, 1.0);
    QSignalSpy opened(owned.get(), &record::RecordingSource::opened);
    session::Session session(std::move(owned));
    session.setAdoptUnknownServices(true);
    session.start();
    QTRY_COMPARE(opened.size(), 1);
    const auto info = opened.front().front().value<record::RecordingInfoPtr>();
    const auto findings = std::count_if(info->markers.begin(), info->markers.end(),
                                        [](const auto &m) { return m.kind == record::ReplayMarker::Kind::Finding; });
    // 6000 raises 10 s apart touch 1000 or 1001 clock minutes, by where kT0 falls.
    const qint64 minutes = (kT0 + 5999 * 10'000LL) / 60'000 - kT0 / 60'000 + 1;
    QCOMPARE(static_cast<qint64>(findings), minutes);
    QVERIFY(std::any_of(info->markers.begin(), info->markers.end(),
                        [](const auto &m) { return m.text == QLatin1String("still here"); }));
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
