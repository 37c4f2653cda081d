// The triage panel on the demo fleet, driven like an operator: from the
// suggested incident to a throttle previewed, confirmed, sent and verified
// in three interactions, then reverted and the incident closed. The demo
// fleet's /admin/throttle is real HTTP on loopback, and so is every check
// of what the service holds.
#include "demothrottle.h"

#include "actiondialog.h"
#include "analysis/serviceanalyzer.h"
#include "appearance.h"
#include "auditlogdialog.h"
#include "candidatesmodel.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "servicedetailview.h"
#include "session/session.h"
#include "triage/auditlog.h"
#include "triage/triagesession.h"
#include "triagepanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace gotriage;

namespace {

std::unique_ptr<session::Session> liveSession()
{
    return std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>());
}

using testing::throttleOf;

const config::ServiceConfig *serviceNamed(const ui::MainWindow &window, const QString &name)
{
    return window.triageSession()->service(name);
}

void saveShot(QWidget *widget, const QString &name)
{
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(widget->grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/") + name));
}

// The window on the demo fleet with fast analysis, a finding raised and
// suggested.
struct DemoWindow {
    ui::MainWindow window{liveSession()};

    bool start()
    {
        window.setAnalysisSettings(analysis::AnalysisSettings::fast());
        window.resize(1440, 900);
        window.show();
        QString error;
        if (!window.startDemo(12, &error)) {
            qWarning() << error;
            return false;
        }
        return true;
    }
    ui::TriagePanel *panel() const { return window.triagePanel(); }
    triage::TriageSession *triage() const { return window.triageSession(); }
};

} // namespace

class TestTriageGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void walkthroughFromFindingToVerifiedThrottle();
    void rankingInSlicesCoversTheFleet();
    void coreTargetNeedsItsNameAndKeepsIt();
    void keyboardDrivesEveryStep();
    void severalTargetsReportEachResult();
    void auditLogIsReadableAndExportable();
};

void TestTriageGui::initTestCase()
{
    // The audit log and incidents go to a test folder, emptied first.
    QStandardPaths::setTestModeEnabled(true);
    ui::Appearance::instance().useScheme(ui::palette::Scheme::Dark); // the screenshots show what the operator sees
    QDir(ui::MainWindow::defaultDataDir()).removeRecursively();
}

void TestTriageGui::walkthroughFromFindingToVerifiedThrottle()
{
    DemoWindow demo;
    QVERIFY(demo.start());
    ui::TriagePanel *panel = demo.panel();
    // Waiting for the fleet to get sick is not the operator's time.
    QTRY_VERIFY_WITH_TIMEOUT(panel->suggestionBar()->isVisible(), 120000);
    QVERIFY(panel->suggestion());
    saveShot(&demo.window, QStringLiteral("triage-1-suggested.png"));

    QElapsedTimer operatorTime;
    operatorTime.start();
    int interactions = 0;

    // 1: accept the suggested incident.
    QTest::mouseClick(panel->suggestionButton(), Qt::LeftButton);
    ++interactions;
    QVERIFY(demo.triage()->incident().isOpen());
    QCOMPARE(demo.window.detailTabs()->currentWidget(), panel);
    QVERIFY(!panel->suggestionBar()->isVisible());
    QVERIFY(demo.window.statusBar()->findChild<QLabel *>(QStringLiteral("incidentStatus")) != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->actionButtons().isEmpty() && panel->actionButtons().front()->isEnabled(), 5000);
    const triage::Candidate top = panel->candidatesModel()->candidates().front();
    QCOMPARE(top.tier, config::Tier::NonCore); // non-core is shed first
    QVERIFY(top.actions.contains(QStringLiteral("throttle")));
    saveShot(&demo.window, QStringLiteral("triage-2-incident-open.png"));

    // 2: the top candidate's throttle: the preview opens.
    QSignalSpy opened(panel, &ui::TriagePanel::actionDialogOpened);
    QTest::mouseClick(panel->actionButtons().front(), Qt::LeftButton);
    ++interactions;
    QCOMPARE(opened.count(), 1);
    auto *dialog = opened.at(0).at(0).value<ui::ActionDialog *>();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->previewsDone() >= 1, 10000);
    // The preview: the rendered request, the value now and the value after.
    QVERIFY2(dialog->previewText().contains(QStringLiteral("POST http://127.0.0.1:")),
             qPrintable(dialog->previewText()));
    QVERIFY2(dialog->previewText().contains(QStringLiteral("%1: 0 now → rps 20").arg(top.service)),
             qPrintable(dialog->previewText()));
    QVERIFY(dialog->sendButton()->isEnabled()); // non-core: no name to type
    saveShot(dialog, QStringLiteral("triage-3-preview.png"));

    // 3: send.
    QSignalSpy finished(demo.triage(), &triage::TriageSession::actionFinished);
    QTest::mouseClick(dialog->sendButton(), Qt::LeftButton);
    ++interactions;
    QTRY_VERIFY_WITH_TIMEOUT(!demo.triage()->actions().empty(), 10000);
    const triage::ActionState *sent = &demo.triage()->actions().front();
    QVERIFY2(sent->run->ok(), qPrintable(sent->run->error));
    QCOMPARE(sent->run->service, top.service);
    QCOMPARE(throttleOf(*serviceNamed(demo.window, top.service)), 20.0);
    const QString runId = sent->run->id;
    // Verified without another click.
    QTRY_VERIFY_WITH_TIMEOUT(demo.triage()->action(runId)->verdict.decided, 30000);
    const qint64 elapsed = operatorTime.elapsed();
    QVERIFY2(demo.triage()->action(runId)->verdict.effective,
             qPrintable(demo.triage()->action(runId)->verdict.summary()));
    qInfo().noquote() << QStringLiteral("walkthrough: %1 interactions, %2 s from the suggested incident to a verified "
                                        "throttle of %3 (%4)")
                             .arg(interactions)
                             .arg(static_cast<double>(elapsed) / 1000.0, 0, 'f', 1)
                             .arg(top.service, demo.triage()->action(runId)->verdict.summary());
    QVERIFY(interactions <= 3);
    QVERIFY2(elapsed < 15000, qPrintable(QStringLiteral("%1 ms").arg(elapsed)));

    // It shows: in the actions list with its countdown, on every chart, in
    // the timeline, the checklist and the status bar.
    QTreeWidget *actions = panel->actionsView();
    QCOMPARE(actions->topLevelItemCount(), 1);
    QVERIFY(actions->topLevelItem(0)->text(3).startsWith(QStringLiteral("effective")));
    QVERIFY(actions->topLevelItem(0)->text(4).startsWith(QStringLiteral("in ")));
    demo.window.selectService(top.service);
    QTRY_VERIFY(!demo.window.detailView()->chart(ui::ServiceDetailView::CpuChart)->markers().empty());
    QVERIFY(demo.window.detailView()
                ->chart(ui::ServiceDetailView::MemoryChart)
                ->markers()
                .front()
                .label.contains(top.service));
    QTRY_VERIFY(panel->checklistView()->count() >= 4 && panel->checklistView()->item(2)->checkState() == Qt::Checked);
    QTRY_VERIFY(demo.window.statusBar()
                    ->findChild<QLabel *>(QStringLiteral("incidentStatus"))
                    ->text()
                    .startsWith(QStringLiteral("INCIDENT")));
    saveShot(&demo.window, QStringLiteral("triage-4-verified.png"));
    demo.window.detailTabs()->setCurrentIndex(0);
    saveShot(&demo.window, QStringLiteral("triage-5-chart-markers.png"));
    demo.window.detailTabs()->setCurrentWidget(panel);

    // Revert in one click: the service holds its old value again.
    auto *revert = qobject_cast<QPushButton *>(actions->itemWidget(actions->topLevelItem(0), 5));
    QVERIFY(revert);
    QTest::mouseClick(revert, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(demo.triage()->action(runId)->revertedMs > 0, 10000);
    QCOMPARE(throttleOf(*serviceNamed(demo.window, top.service)), 0.0);
    QTRY_VERIFY(actions->topLevelItemCount() == 1
                && actions->topLevelItem(0)->text(2).startsWith(QStringLiteral("reverted")));

    // A note, then close: the summary is shown and saved.
    auto *note = panel->findChild<QLineEdit *>(QStringLiteral("note"));
    QTest::keyClicks(note, QStringLiteral("image pipeline shed; root cause in diagnose"));
    QTest::keyClick(note, Qt::Key_Return);
    QSignalSpy summary(panel, &ui::TriagePanel::summaryShown);
    panel->closeIncident();
    QCOMPARE(summary.count(), 1);
    const QString text = summary.at(0).at(0).toString();
    QVERIFY2(text.contains(QStringLiteral("throttle on ") + top.service) && text.contains(QStringLiteral("effective")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Impact")), qPrintable(text));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(demo.triage()->summaryPath()), 5000);
    saveShot(panel->findChild<QDialog *>(QStringLiteral("summaryDialog")), QStringLiteral("triage-6-closed.png"));

    // The incident file holds every event; the audit log the send and the
    // revert, its chain intact.
    QTRY_VERIFY_WITH_TIMEOUT(triage::IncidentFile::load(demo.triage()->incidentPath()).incident.isClosed(), 5000);
    const triage::IncidentFile::Loaded loaded = triage::IncidentFile::load(demo.triage()->incidentPath());
    QVERIFY(loaded.problems.isEmpty());
    QCOMPARE(loaded.incident.timeline().size(), demo.triage()->incident().timeline().size());
    const triage::AuditLog audit(demo.triage()->auditPath());
    const triage::AuditLog::Verification chain = audit.verify();
    QVERIFY2(chain.ok, qPrintable(chain.problems.join(u'\n')));
    QStringList kinds;
    for (const triage::AuditLog::Entry &e : audit.read())
        kinds << e.kind;
    QVERIFY(kinds.contains(QStringLiteral("action_sent")));
    QVERIFY(kinds.contains(QStringLiteral("action_reverted")));
}

void TestTriageGui::rankingInSlicesCoversTheFleet()
{
    // Five services a turn: the 12-service demo fleet in three slices, as
    // 10 000 targets are ranked a thousand at a time.
    DemoWindow demo;
    QVERIFY(demo.start());
    ui::TriagePanel *panel = demo.panel();
    panel->setRankSlice(5);
    // The fleet's first ranking is made at once, before any data; the
    // suggestion comes from a later round, made in slices.
    QTRY_VERIFY_WITH_TIMEOUT(panel->suggestionBar()->isVisible(), 120000);
    QVERIFY(panel->suggestion());
    const std::vector<triage::Candidate> ranked = panel->candidatesModel()->candidates();
    QCOMPARE(ranked.size(), std::size_t(12));
    QSet<QString> seen;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        seen.insert(ranked[i].service);
        if (i > 0) {
            const triage::Candidate &a = ranked[i - 1], &b = ranked[i];
            QVERIFY2(
                a.score > b.score || (a.score == b.score && a.service < b.service),
                qPrintable(
                    QStringLiteral("%1 (%2) before %3 (%4)").arg(a.service).arg(a.score).arg(b.service).arg(b.score)));
        }
    }
    QCOMPARE(seen.size(), 12); // each service once
    // The suggested service is among the candidates, with its battlefield.
    const auto sick = std::find_if(ranked.begin(), ranked.end(), [&](const triage::Candidate &c) {
        return c.service == panel->suggestion()->service;
    });
    QVERIFY(sick != ranked.end());
    QVERIFY(!sick->battlefields.empty());
}

void TestTriageGui::coreTargetNeedsItsNameAndKeepsIt()
{
    DemoWindow demo;
    QVERIFY(demo.start());
    QTRY_VERIFY_WITH_TIMEOUT(demo.triage()->service(QStringLiteral("checkout-api-1")), 10000);
    ui::ActionDialog *dialog
        = demo.panel()->openActionDialog(QStringLiteral("throttle"), QStringLiteral("checkout-api-1"));
    QVERIFY(dialog);
    QCOMPARE(dialog->coreTargets(), QStringList{QStringLiteral("checkout-api-1")});
    QVERIFY(!dialog->sendButton()->isEnabled());
    QVERIFY(dialog->confirmEdit()->isVisible());
    QVERIFY(QTest::qWaitForWindowActive(dialog));
    QVERIFY(dialog->confirmEdit()->hasFocus());
    QTest::keyClicks(dialog->confirmEdit(), QStringLiteral("checkout-ap"));
    QVERIFY(!dialog->sendButton()->isEnabled());
    // Refreshes of the preview and of the window go by; the typing stays.
    const int before = dialog->previewsDone();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->previewsDone() >= before + 2, 20000);
    QCOMPARE(dialog->confirmEdit()->text(), QStringLiteral("checkout-ap"));
    QVERIFY(dialog->confirmEdit()->hasFocus());
    QTest::keyClicks(dialog->confirmEdit(), QStringLiteral("i-1"));
    QVERIFY(dialog->sendButton()->isEnabled());
    saveShot(dialog, QStringLiteral("triage-core-confirm.png"));
    // A dry run needs no name and changes nothing.
    dialog->dryRunBox()->setChecked(true);
    QVERIFY(!dialog->confirmEdit()->isVisible());
    QTest::keyClick(dialog->sendButton(), Qt::Key_Space);
    QTest::qWait(1500);
    QVERIFY(demo.triage()->actions().empty());
    QCOMPARE(throttleOf(*serviceNamed(demo.window, QStringLiteral("checkout-api-1"))), 0.0);
}

void TestTriageGui::keyboardDrivesEveryStep()
{
    DemoWindow demo;
    QVERIFY(demo.start());
    ui::TriagePanel *panel = demo.panel();
    QTRY_VERIFY_WITH_TIMEOUT(panel->suggestionBar()->isVisible(), 120000);
    QVERIFY(QTest::qWaitForWindowActive(&demo.window));
    QTest::keyClick(&demo.window, Qt::Key_I, Qt::ControlModifier);
    QVERIFY(demo.triage()->incident().isOpen());
    QSignalSpy opened(panel, &ui::TriagePanel::actionDialogOpened);
    QTest::keyClick(&demo.window, Qt::Key_T, Qt::ControlModifier);
    QCOMPARE(opened.count(), 1);
    auto *dialog = opened.at(0).at(0).value<ui::ActionDialog *>();
    // QTest's key click hands the activation back to the window it was
    // sent to; a window manager gives it to the new dialog.
    dialog->activateWindow();
    QTRY_COMPARE(QApplication::focusWidget(), dialog->sendButton()); // Enter sends
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!demo.triage()->actions().empty(), 10000);
    QVERIFY(demo.triage()->actions().front().run->ok());
    // Alt+2: the Diagnose step; its checklist asks for evidence.
    demo.window.activateWindow();
    QTRY_VERIFY(demo.window.isActiveWindow());
    QTest::keyClick(&demo.window, Qt::Key_2, Qt::AltModifier);
    QCOMPARE(demo.triage()->incident().step(), triage::Step::Diagnose);
    QTRY_VERIFY(panel->checklistView()->count() > 0);
    QTest::keyClick(&demo.window, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("leak in the cart watcher"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(demo.triage()->incident().notes(triage::Step::Diagnose),
             QStringList{QStringLiteral("leak in the cart watcher")});
    QTest::keyClick(&demo.window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY_WITH_TIMEOUT(demo.triage()->actions().front().revertedMs > 0, 10000);
}

void TestTriageGui::severalTargetsReportEachResult()
{
    // One Send to two targets, one of which refuses connections: each gets
    // its own row, the dead one says why, and only the live one is audited
    // as sent.
    DemoWindow demo;
    QVERIFY(demo.start());
    QTRY_VERIFY_WITH_TIMEOUT(demo.triage()->service(QStringLiteral("image-resizer-1")), 10000);
    std::vector<config::ServiceConfig> services = demo.triage()->services();
    config::ServiceConfig ghost;
    ghost.name = QStringLiteral("ghost-1");
    ghost.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1")); // nothing listens on port 1
    services.push_back(ghost);
    const config::ActionCatalog catalog = demo.triage()->catalog();
    demo.window.watchServices(services, &catalog);
    ui::ActionDialog *dialog
        = demo.panel()->openActionDialog(QStringLiteral("throttle"), QStringLiteral("image-resizer-1"));
    QVERIFY(dialog);
    QListWidget *targets = dialog->findChild<QListWidget *>();
    QVERIFY(targets);
    bool found = false;
    for (int i = 0; i < targets->count(); ++i) {
        if (targets->item(i)->data(Qt::UserRole).toString() == QLatin1String("ghost-1")) {
            targets->item(i)->setCheckState(Qt::Checked);
            found = true;
        }
    }
    QVERIFY(found);
    QCOMPARE(dialog->checkedTargets().size(), 2);
    // The preview says the dead one cannot be read, the live one what changes.
    QTRY_VERIFY_WITH_TIMEOUT(dialog->previewText().contains(QStringLiteral("ghost-1: cannot preview")), 15000);
    QTest::mouseClick(dialog->sendButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(demo.triage()->actions().size() == 2, 15000);
    QTreeWidget *rows = demo.panel()->actionsView();
    QTRY_COMPARE(rows->topLevelItemCount(), 2);
    QStringList results;
    for (int i = 0; i < rows->topLevelItemCount(); ++i)
        results << rows->topLevelItem(i)->text(1) + QStringLiteral(": ") + rows->topLevelItem(i)->text(2)
                + QStringLiteral(" | ") + rows->topLevelItem(i)->text(3);
    results.sort();
    QVERIFY2(results[0].startsWith(QStringLiteral("ghost-1: FAILED | reading the value before:")),
             qPrintable(results.join(u'\n')));
    QVERIFY2(results[1].startsWith(QStringLiteral("image-resizer-1: 0 → 20")), qPrintable(results.join(u'\n')));
    demo.window.detailTabs()->setCurrentWidget(demo.panel());
    QTest::qWait(1500); // a refresh or two of the window
    saveShot(&demo.window, QStringLiteral("triage-one-target-failed.png"));
    const triage::AuditLog audit(demo.triage()->auditPath());
    QStringList audited;
    for (const triage::AuditLog::Entry &e : audit.read()) {
        if (e.details.value(QStringLiteral("service")).toString() == QLatin1String("ghost-1"))
            audited << e.kind;
    }
    QCOMPARE(audited, QStringList{QStringLiteral("action_failed")});
    QVERIFY(demo.triage()->revertAction(demo.triage()->actions().front().run->service == QLatin1String("ghost-1")
                                            ? demo.triage()->actions().back().run->id
                                            : demo.triage()->actions().front().run->id));
}

void TestTriageGui::auditLogIsReadableAndExportable()
{
    // What the walkthroughs above wrote: shown entry by entry, the chain
    // checked, exported as it is; a tampered copy is called broken.
    const QString path = ui::MainWindow::defaultDataDir() + QStringLiteral("/audit.log");
    QVERIFY(QFile::exists(path));
    ui::AuditLogDialog dialog(path);
    QSignalSpy loaded(&dialog, &ui::AuditLogDialog::loaded);
    QVERIFY(loaded.wait(10000));
    QVERIFY2(dialog.verdict().contains(QLatin1String("intact")), qPrintable(dialog.verdict()));
    QTreeWidget *entries = dialog.entriesView();
    QVERIFY(entries->topLevelItemCount() >= 5); // sends, reverts, a failure
    QStringList kinds;
    for (int i = 0; i < entries->topLevelItemCount(); ++i)
        kinds << entries->topLevelItem(i)->text(4);
    QVERIFY(kinds.contains(QStringLiteral("action_sent")));
    QVERIFY(kinds.contains(QStringLiteral("action_reverted")));
    QVERIFY(entries->topLevelItem(0)->text(3).startsWith(QStringLiteral("throttle on ")));
    saveShot(&dialog, QStringLiteral("triage-audit-log.png"));

    QTemporaryDir dir;
    const QString exported = dir.filePath(QStringLiteral("audit-copy.log"));
    QSignalSpy done(&dialog, &ui::AuditLogDialog::exported);
    dialog.exportTo(exported);
    QVERIFY(done.wait(10000));
    QCOMPARE(done.at(0).at(0).toString(), QString());
    QFile copy(exported);
    QVERIFY(copy.open(QIODevice::ReadWrite));
    QByteArray text = copy.readAll();
    QFile original(path);
    QVERIFY(original.open(QIODevice::ReadOnly));
    QCOMPARE(text, original.readAll());
    // Change one value in the copy: the chain names the line.
    text.replace("\"action_sent\"", "\"action_faked\"");
    copy.resize(0);
    copy.write(text);
    copy.close();
    ui::AuditLogDialog tampered(exported);
    QSignalSpy loadedTampered(&tampered, &ui::AuditLogDialog::loaded);
    QVERIFY(loadedTampered.wait(10000));
    QVERIFY2(tampered.verdict().contains(QLatin1String("BROKEN")), qPrintable(tampered.verdict()));
    QVERIFY2(tampered.verdict().contains(QLatin1String("audit-copy.log:")), qPrintable(tampered.verdict()));
}

QTEST_MAIN(TestTriageGui)
#include "tst_triagegui.moc"
