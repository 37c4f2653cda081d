// An incident, from the keyboard, the way the operator's guide tells it
// (docs/guide.md): the demo fleet opens; j and k move to a service; the
// suggested incident opens with Ctrl+I; P previews a throttle of the service
// shown and Enter sends it; Ctrl+Shift+Z reverts it; G captures its
// goroutines; F11 puts it on the wall; and the recording of it all opens
// for replay. Every step is checked against what the demo fleet's real HTTP
// endpoints hold, and every screen is saved: into GOTRIAGE_WALKTHROUGH_DIR
// when set (docs/screenshots/refresh.sh sets it, at 1080p and at 4K scale),
// else into the build's screenshots/walkthrough.
#include "demothrottle.h"

#include "actiondialog.h"
#include "analysis/serviceanalyzer.h"
#include "appearance.h"
#include "candidatesmodel.h"
#include "diagnoseview.h"
#include "findingsmodel.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "playheadbar.h"
#include "record/recorder.h"
#include "servicedetailview.h"
#include "session/session.h"
#include "triage/triagesession.h"
#include "triagepanel.h"

#include <QApplication>
#include <QDir>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;

namespace {

QString shotDir()
{
    const QString fromEnvironment = qEnvironmentVariable("GOTRIAGE_WALKTHROUGH_DIR");
    return fromEnvironment.isEmpty() ? QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/walkthrough") : fromEnvironment;
}

bool saveShot(QWidget *widget, const QString &name)
{
    QCoreApplication::processEvents(); // the last repaint before the picture
    QDir().mkpath(shotDir());
    return widget->grab().save(shotDir() + QLatin1Char('/') + name);
}

QString shownService(const ui::MainWindow &window)
{
    const QModelIndexList rows = window.overviewView()->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.constFirst().data().toString();
}

} // namespace

class TestWalkthrough : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void incidentFromTheKeyboard();
};

void TestWalkthrough::initTestCase()
{
    // The audit log, incidents and settings go to a test folder, emptied first.
    QStandardPaths::setTestModeEnabled(true);
    QDir(ui::MainWindow::defaultDataDir()).removeRecursively();
    ui::Appearance::instance().useScheme(ui::palette::Scheme::Dark);
}

void TestWalkthrough::incidentFromTheKeyboard()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString recording = dir.filePath(QStringLiteral("walkthrough.gotriage"));
    ui::MainWindow window(std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>()));
    window.setAnalysisSettings(analysis::AnalysisSettings::fast());
    window.resize(1920, 1080);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.startRecording(recording, 0);
    QString error;
    QVERIFY2(window.startDemo(12, &error), qPrintable(error));
    QSignalSpy populated(&window, &ui::MainWindow::fleetPopulated);
    QVERIFY(populated.wait(30000));

    // 1. The fleet, worst first.
    QTRY_VERIFY_WITH_TIMEOUT(window.overviewView()->model()->rowCount() == 12, 10000);
    QVERIFY(saveShot(&window, QStringLiteral("1-fleet.png")));

    // 2. j moves down the fleet and k back up; the service shown gets the charts.
    const auto shownRow = [&window] {
        const QModelIndexList rows = window.overviewView()->selectionModel()->selectedRows();
        return rows.isEmpty() ? -1 : rows.constFirst().row();
    };
    // The fleet's first service is shown at first, wherever worst-first put
    // it (at the bottom in one CI run): k as often as there are rows goes to
    // the top, and stops there.
    for (int i = 0; i < 12; ++i)
        QTest::keyClick(&window, Qt::Key_K);
    QCOMPARE(shownRow(), 0);
    QTest::keyClick(&window, Qt::Key_J);
    QCOMPARE(shownRow(), 1);
    const QString second = shownService(window);
    QTest::keyClick(&window, Qt::Key_J);
    QCOMPARE(shownRow(), 2);
    QTest::keyClick(&window, Qt::Key_K);
    QCOMPARE(shownService(window), second);
    QTRY_COMPARE(window.detailView()->service(), second);

    // 3. The fleet gets sick; Ctrl+I opens the suggested incident.
    ui::TriagePanel *panel = window.triagePanel();
    QTRY_VERIFY_WITH_TIMEOUT(panel->suggestionBar()->isVisible(), 120000);
    QVERIFY(saveShot(&window, QStringLiteral("2-suggested.png")));
    QTest::keyClick(&window, Qt::Key_I, Qt::ControlModifier);
    QVERIFY(window.triageSession()->incident().isOpen());
    QCOMPARE(window.detailTabs()->currentWidget(), panel);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->actionButtons().isEmpty() && !panel->candidatesModel()->candidates().empty(),
                             5000);
    QVERIFY(saveShot(&window, QStringLiteral("3-incident.png")));

    // 4. The sickest non-core service is shown and P previews its throttle;
    // nothing is sent until Enter on Send.
    const QString target = panel->candidatesModel()->candidates().front().service;
    window.selectService(target);
    QTRY_COMPARE(window.detailView()->service(), target);
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    QSignalSpy opened(panel, &ui::TriagePanel::actionDialogOpened);
    QTest::keyClick(&window, Qt::Key_P);
    QCOMPARE(opened.count(), 1);
    auto *dialog = opened.at(0).at(0).value<ui::ActionDialog *>();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->previewsDone() >= 1, 10000);
    QVERIFY2(dialog->previewText().contains(target), qPrintable(dialog->previewText()));
    const config::ServiceConfig *service = window.triageSession()->service(target);
    QVERIFY(service);
    QCOMPARE(testing::throttleOf(*service), 0.0); // the preview sent nothing
    QVERIFY(saveShot(dialog, QStringLiteral("4-preview.png")));
    dialog->activateWindow();
    QTRY_COMPARE(QApplication::focusWidget(), dialog->sendButton());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!window.triageSession()->actions().empty(), 10000);
    QVERIFY2(window.triageSession()->actions().front().run->ok(),
             qPrintable(window.triageSession()->actions().front().run->error));
    QVERIFY(testing::throttleOf(*service) > 0);
    const QString runId = window.triageSession()->actions().front().run->id;
    const qint64 sentMs = window.triageSession()->actions().front().run->sentMs;
    QTRY_VERIFY_WITH_TIMEOUT(window.triageSession()->action(runId)->verdict.decided, 30000);
    QVERIFY(saveShot(&window, QStringLiteral("5-throttled.png")));

    // 5. Ctrl+Shift+Z: the service holds its old value again.
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY_WITH_TIMEOUT(window.triageSession()->action(runId)->revertedMs > 0, 10000);
    QCOMPARE(testing::throttleOf(*service), 0.0);

    // 6. The leak's service; G captures its goroutines into Diagnose.
    window.selectService(QStringLiteral("checkout-api-1"));
    QTRY_COMPARE(window.detailView()->service(), QStringLiteral("checkout-api-1"));
    QSignalSpy captured(window.diagnoseView(), &ui::DiagnoseView::captureFinished);
    QTest::keyClick(&window, Qt::Key_G);
    QCOMPARE(window.detailTabs()->currentWidget(), window.diagnoseView());
    QVERIFY(captured.wait(20000));
    QCOMPARE(captured.at(0).at(0).toString(), QStringLiteral("checkout-api-1"));
    QCOMPARE(captured.at(0).at(1).toString(), QString());
    QTRY_VERIFY(window.diagnoseView()->captureCount() >= 1);
    QVERIFY(saveShot(&window, QStringLiteral("6-goroutines.png")));

    // 7. F11: the wall screen (kept at 1080p here: offscreen has one small screen).
    QTest::keyClick(&window, Qt::Key_T);
    QCOMPARE(window.detailTabs()->currentWidget(), panel);
    QTest::keyClick(&window, Qt::Key_F11);
    QVERIFY(window.isWarRoom());
    window.showNormal();
    window.resize(1920, 1080);
    QTest::qWait(1200); // a refresh tick at the new size
    QVERIFY(saveShot(&window, QStringLiteral("7-war-room.png")));
    QTest::keyClick(&window, Qt::Key_F11);
    QVERIFY(!window.isWarRoom());

    // 8. The recording of all this opens for replay, findings and the action included.
    QTRY_VERIFY_WITH_TIMEOUT(window.recorder()->stats().samplesWritten > 100, 10000);
    ui::MainWindow *replay = ui::MainWindow::openReplayWindow(recording, 10.0);
    QSignalSpy replayOpened(replay, &ui::MainWindow::recordingOpened);
    QVERIFY(replayOpened.wait(20000));
    QCOMPARE(replayOpened.at(0).at(0).toString(), QString());
    replay->resize(1920, 1080);
    QTRY_VERIFY_WITH_TIMEOUT(replay->overviewView()->model()->rowCount() == 12, 20000);
    // To the moment the throttle was sent, on its service: the findings of
    // that moment, and the action's marker on the charts.
    if (replay->playheadBar()->playing())
        replay->playheadBar()->togglePlay();
    replay->playheadBar()->seek(sentMs + 5000);
    replay->selectService(target);
    QTRY_VERIFY_WITH_TIMEOUT(replay->findingsModel()->rowCount() >= 2, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!replay->detailView()->chart(ui::ServiceDetailView::CpuChart)->markers().empty(), 10000);
    QCOMPARE(replay->detailView()->chart(ui::ServiceDetailView::CpuChart)->markers().front().label,
             QStringLiteral("▶ throttle ") + target); // as the live window labels it
    QTest::qWait(1200); // the charts' refresh tick
    QVERIFY(saveShot(replay, QStringLiteral("8-replay.png")));
    replay->close();
}

QTEST_MAIN(TestWalkthrough)
#include "tst_walkthrough.moc"
