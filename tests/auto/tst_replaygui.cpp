// Replay in the window: a recording opens in the same screens under a
// playhead; at 100× the findings appear as they were recorded, with the
// same "since"; jumps land on a finding's moment; files are opened by
// content from File → Open or a drop, never on the GUI thread.
#include "analysis/findingjson.h"
#include "appearance.h"
#include "commandpalette.h"
#include "diagnoseview.h"
#include "fileopener.h"
#include "findingsmodel.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "playheadbar.h"
#include "record/recorder.h"
#include "record/recordingfile.h"
#include "recordingtesting.h"
#include "session/session.h"
#include "triage/incident.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

using namespace gotriage;

namespace {

void saveShot(QWidget *widget, const QString &name)
{
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(widget->grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/") + name));
}

// The battlefield findings the window lists: key → "since" (ms). (Config
// remarks that several services share are one row; they are left out.)
std::map<QString, qint64> shownFindings(const ui::MainWindow &window)
{
    std::map<QString, qint64> out;
    for (const analysis::Finding &f : window.findingsModel()->findings()) {
        if (analysis::isBattlefield(f.kind))
            out[f.key().toString()] = f.sinceMs;
    }
    return out;
}

// What the recording says was active after `atMs`: key → since.
std::map<QString, qint64> recordedFindings(const QString &path, qint64 atMs)
{
    record::RecordingReader reader;
    QString error;
    if (!reader.open(path, &error))
        qFatal("%s", qPrintable(error));
    std::map<QString, qint64> out;
    for (const record::StoredEvent &e : reader.events(INT64_MIN, atMs, QStringLiteral("finding"))) {
        const auto change = analysis::findingChangeFromJson(e.json.toStdString());
        if (!change)
            continue;
        if (!analysis::isBattlefield(change->finding.kind))
            continue;
        if (change->type == analysis::FindingChange::Type::Cleared)
            out.erase(change->finding.key().toString());
        else
            out[change->finding.key().toString()] = change->finding.sinceMs;
    }
    return out;
}

// The demo recording with a throttle sent and reverted during it.
QString incidentRecording(const QTemporaryDir &dir)
{
    using Type = triage::IncidentEvent::Type;
    const QString throttle = QStringLiteral("throttle"), service = QStringLiteral("image-resizer-1");
    return testing::demoIncidentRecording(dir,
                                          {testing::incidentEvent(Type::ActionSent, 20'000, {}, throttle, service),
                                           testing::incidentEvent(Type::Reverted, 30'000, {}, throttle, service)});
}

} // namespace

class TestReplayGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void replayAt100xShowsTheRecordedFindingsAtTheirMoments();
    void jumpsLandOnTheMomentAndShowIt();
    void filesOpenByContent();
};

void TestReplayGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    ui::Appearance::instance().useScheme(ui::palette::Scheme::Dark);
}

void TestReplayGui::replayAt100xShowsTheRecordedFindingsAtTheirMoments()
{
    QTemporaryDir dir;
    const QString path = incidentRecording(dir);
    ui::MainWindow *window = ui::MainWindow::openReplayWindow(path, 100);
    window->resize(1440, 900);
    QSignalSpy opened(window, &ui::MainWindow::recordingOpened);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 20000); // an ASan build on a loaded CI machine
    QCOMPARE(opened.front().front().toString(), QString());
    QVERIFY(window->isReplay());
    QVERIFY(window->windowTitle().contains(QLatin1String("incident.gotriage")));
    ui::PlayheadBar *bar = window->playheadBar();
    // Every finding the window lists, with the playhead when it first did.
    std::map<QString, qint64> firstShown;
    std::map<QString, qint64> sinceShown;
    const auto look = [&] {
        for (const auto &[key, since] : shownFindings(*window)) {
            firstShown.try_emplace(key, bar->playhead());
            sinceShown[key] = since;
        }
    };
    connect(window->findingsModel(), &QAbstractItemModel::modelReset, this, look);
    connect(window->findingsModel(), &QAbstractItemModel::rowsInserted, this, look);
    record::RecordingReader reader;
    QString error;
    QVERIFY(reader.open(path, &error));
    const auto [first, last] = reader.timeRange();
    QTRY_VERIFY_WITH_TIMEOUT(bar->playhead() >= last, 10000); // 40 s at 100×: under a second
    QTest::qWait(2 * ui::MainWindow::kRefreshIntervalMs);
    look();
    // Every finding raised during the recording was shown, never before its
    // moment, with the "since" that was recorded: the same findings at the
    // same moments as the live session.
    std::map<QString, qint64> everRaised;
    for (const record::StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QStringLiteral("finding"))) {
        const auto change = analysis::findingChangeFromJson(e.json.toStdString());
        QVERIFY(change);
        if (change->type == analysis::FindingChange::Type::Raised && analysis::isBattlefield(change->finding.kind))
            everRaised.try_emplace(change->finding.key().toString(), change->tsMs);
    }
    QVERIFY(!everRaised.empty());
    for (const auto &[key, raisedMs] : everRaised) {
        QVERIFY2(firstShown.count(key), qPrintable(key + QStringLiteral(" never shown")));
        QVERIFY2(firstShown[key] >= raisedMs, qPrintable(key + QStringLiteral(" shown before its moment")));
        QCOMPARE(sinceShown[key], recordedFindings(path, raisedMs).at(key));
    }
    const std::map<QString, qint64> atEnd = recordedFindings(path, last);
    QCOMPARE(shownFindings(*window), atEnd);
    // Every raised finding (remarks too) and the throttle sent and reverted are marked on the timeline.
    QVERIFY(bar->markers().size() >= everRaised.size() + 2);
    QCOMPARE(std::count_if(bar->markers().begin(), bar->markers().end(),
                           [](const record::ReplayMarker &m) { return m.kind == record::ReplayMarker::Kind::Action; }),
             2);
    window->close();
}

void TestReplayGui::jumpsLandOnTheMomentAndShowIt()
{
    QTemporaryDir dir;
    const QString path = incidentRecording(dir);
    ui::MainWindow *window = ui::MainWindow::openReplayWindow(path, 1);
    window->resize(1440, 900);
    QSignalSpy opened(window, &ui::MainWindow::recordingOpened);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 20000); // an ASan build on a loaded CI machine
    ui::PlayheadBar *bar = window->playheadBar();
    // The transport's keys are the window's commands: listed under "Replay"
    // for the palette and the sheet, and Space pauses.
    const QList<ui::Command> commands = ui::windowCommands(window);
    const auto playPause = std::find_if(commands.begin(), commands.end(),
                                        [](const ui::Command &c) { return c.text == QLatin1String("Play or pause"); });
    QVERIFY(playPause != commands.end());
    QCOMPARE(playPause->where, QStringLiteral("Replay"));
    QCOMPARE(playPause->keys, QKeySequence(Qt::Key_Space).toString(QKeySequence::NativeText));
    QVERIFY(bar->playing());
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    QTest::keyClick(window, Qt::Key_Space); // pause
    QTRY_VERIFY(!bar->playing());
    // The critical finding: jump from the start to it, marker by marker.
    const auto markers = bar->markers();
    const auto critical = std::find_if(markers.begin(), markers.end(), [](const record::ReplayMarker &m) {
        return m.kind == record::ReplayMarker::Kind::Finding && m.text == QLatin1String("gc frenzy");
    });
    QVERIFY(critical != markers.end());
    bar->seek(markers.front().tsMs - 5000);
    while (bar->playhead() < critical->tsMs)
        QVERIFY(bar->jumpToMarker(+1));
    QCOMPARE(bar->playhead(), critical->tsMs);
    const std::map<QString, qint64> expected = recordedFindings(path, critical->tsMs);
    QTRY_COMPARE(shownFindings(*window), expected); // paused, yet the moment is shown
    // Back one: before the critical finding it is not shown.
    QVERIFY(bar->jumpToMarker(-1));
    QVERIFY(bar->playhead() < critical->tsMs);
    QTRY_COMPARE(shownFindings(*window), recordedFindings(path, bar->playhead()));

    // Mid-incident, just after the throttle: its line on the charts, the frenzy listed.
    const auto action = std::find_if(markers.begin(), markers.end(), [](const record::ReplayMarker &m) {
        return m.kind == record::ReplayMarker::Kind::Action;
    });
    QVERIFY(action != markers.end());
    bar->seek(action->tsMs + 5000);
    window->selectService(critical->service);
    QTRY_COMPARE(shownFindings(*window), recordedFindings(path, action->tsMs + 5000));
    QTest::qWait(2 * ui::MainWindow::kRefreshIntervalMs);
    saveShot(window, QStringLiteral("replay-playhead.png"));

    // The report of what is replayed, from the window (File → Write report).
    QSignalSpy written(window, &ui::MainWindow::reportWritten);
    window->writeReport(dir.filePath(QStringLiteral("report")));
    QTRY_COMPARE_WITH_TIMEOUT(written.size(), 1, 10000);
    QCOMPARE(written.front().at(1).toString(), QString());
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("report/report.html"))));
    QVERIFY(QFile(dir.filePath(QStringLiteral("report/report.md"))).size() > 1000);
    window->close();
}

void TestReplayGui::filesOpenByContent()
{
    QTemporaryDir dir;
    const QString recording = incidentRecording(dir);
    ui::MainWindow live(std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>()));
    live.show();
    QSignalSpy fileOpened(&live, &ui::MainWindow::fileOpened);

    // A profile opens in the Diagnose tab, whatever its name.
    const QString profile = dir.filePath(QStringLiteral("no-extension"));
    QVERIFY(QFile::copy(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/heap_memcreep.pb.gz"), profile));
    live.openFile(profile);
    QTRY_COMPARE(fileOpened.size(), 1);
    QCOMPARE(fileOpened.front().at(1).toString(), QString());
    QCOMPARE(live.detailTabs()->currentWidget(), static_cast<QWidget *>(live.diagnoseView()));
    // What it measures is read from the profile itself: a heap profile, not its allocs twin.
    const ui::OpenedFile read = ui::readFileForOpening(profile);
    QCOMPARE(read.kind, record::FileKind::Profile);
    QCOMPARE(read.capture->request.kind, ingest::CaptureKind::Heap);

    // Garbage is refused with the file named, and the window goes on.
    const QString garbage = dir.filePath(QStringLiteral("garbage.bin"));
    QFile g(garbage);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(QByteArray("\x00\x01\x02\x03garbage", 11));
    g.close();
    live.openFile(garbage);
    QTRY_COMPARE(fileOpened.size(), 2);
    QVERIFY2(fileOpened.at(1).at(1).toString().startsWith(garbage), qPrintable(fileOpened.at(1).at(1).toString()));

    // A recording dropped on the live window opens in a replay window of its own.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(recording)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&live, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&live, &drop);
    QTRY_COMPARE(fileOpened.size(), 3);
    ui::MainWindow *replay = nullptr;
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (auto *m = qobject_cast<ui::MainWindow *>(w); m && m->isReplay())
            replay = m;
    }
    QVERIFY(replay);
    QVERIFY(!live.isReplay());
    QSignalSpy opened(replay, &ui::MainWindow::recordingOpened);
    QTRY_VERIFY(replay->windowTitle().contains(QLatin1String("incident.gotriage")));
    replay->close();
}

QTEST_MAIN(TestReplayGui)
#include "tst_replaygui.moc"
