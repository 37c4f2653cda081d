// The window on the Go incident lab (real Go services, tests/lab): a
// leaking service gets its finding, then its two goroutine dumps with no
// click; one click opens the goroutine diff, which ranks the leaking stack
// first. Then the profiles: a CPU profile as a flame graph, a heap profile
// against a healthy peer, and an export that go tool pprof opens.
// Screenshots go to the build folder's screenshots/ to be looked at.
#include "actiondialog.h"
#include "analysis/serviceanalyzer.h"
#include "appearance.h"
#include "candidatesmodel.h"
#include "config/actioncatalog.h"
#include "config/fleetconfig.h"
#include "diagnoseview.h"
#include "findingsmodel.h"
#include "flamegraphwidget.h"
#include "formats/profile.h"
#include "goroutinegroupsmodel.h"
#include "goroutineview.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "profiletablemodel.h"
#include "profileview.h"
#include "servicedetailview.h"
#include "session/session.h"
#include "store/seriesstore.h"
#include "timechart.h"
#include "triage/triagesession.h"
#include "triagepanel.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;

class TestLabGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void leakEvidenceWaitsForTheOperator();
    void profilesFromTheWindow();
    void cpuChartSplitsUserAndSystem();
    void triageThrottlesTheLeakAndReverts();

private:
    const config::ServiceConfig &service(const QString &name) const;
    void screenshot(QWidget *window, const QString &name);

    std::vector<config::ServiceConfig> m_services;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestLabGui::initTestCase()
{
    const QString dir = qEnvironmentVariable("GOTRIAGE_LAB_DIR");
    QVERIFY2(!dir.isEmpty(), "GOTRIAGE_LAB_DIR is not set: run through CTest, which starts the lab");
    const config::FleetConfig fleet = config::loadFleetConfig(dir + QStringLiteral("/fleet.json"));
    QVERIFY(fleet.problems.empty());
    m_services = fleet.services;
    ui::Appearance::instance().useScheme(ui::palette::Scheme::Dark); // the screenshots show what the operator sees
    QStandardPaths::setTestModeEnabled(true); // the audit log and incidents stay out of the user's folder
    m_window
        = std::make_unique<ui::MainWindow>(std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>()));
    m_window->setAnalysisSettings(analysis::AnalysisSettings::fast()); // dumps 5 s apart, not a minute
    m_window->resize(1600, 1000);
    m_window->show();
    m_window->watchServices({service(QStringLiteral("leak-1")), service(QStringLiteral("healthy-1"))});
}

const config::ServiceConfig &TestLabGui::service(const QString &name) const
{
    for (const config::ServiceConfig &s : m_services) {
        if (s.name == name)
            return s;
    }
    qFatal("no lab service %s", qPrintable(name));
}

void TestLabGui::screenshot(QWidget *window, const QString &name)
{
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    const QString path = QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/") + name;
    QVERIFY(window->grab().save(path));
    qInfo("screenshot: %s", qPrintable(path));
}

void TestLabGui::leakEvidenceWaitsForTheOperator()
{
    ui::FindingsModel *findings = m_window->findingsModel();
    const auto leakRow = [&] {
        for (int row = 0; row < findings->rowCount(); ++row) {
            const analysis::FindingKey key = findings->keyOf(row);
            if (key.service == QLatin1String("leak-1") && key.kind == analysis::FindingKind::GoroutineLeak)
                return row;
        }
        return -1;
    };
    // The finding, then both dumps (5 s apart), with no click.
    QTRY_VERIFY_WITH_TIMEOUT(leakRow() >= 0, 180000);
    QTRY_VERIFY_WITH_TIMEOUT(findings->captureReady(leakRow()), 60000);
    const int row = leakRow();
    const QString cell = findings->data(findings->index(row, ui::FindingsModel::CapturedColumn)).toString();
    QVERIFY2(cell.startsWith(QLatin1String("ready")), qPrintable(cell));
    const session::EvidencePtr evidence = m_window->diagnoseView()->evidence(findings->keyOf(row));
    QVERIFY(evidence && evidence->captures.size() == 2);
    QVERIFY(evidence->captures[1]->startedMs - evidence->captures[0]->startedMs >= 5000);
    QCOMPARE(evidence->kind, ingest::CaptureKind::GoroutineText);

    // One click on "ready" opens the diff of the two dumps.
    QSignalSpy shown(m_window->diagnoseView(), &ui::DiagnoseView::shown);
    QTableView *view = m_window->findingsView();
    const QRect rect = view->visualRect(view->model()->index(row, ui::FindingsModel::CapturedColumn));
    QVERIFY(rect.isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QVERIFY(shown.wait(30000));
    QCOMPARE(m_window->detailTabs()->currentWidget(), m_window->diagnoseView());
    ui::GoroutineView *goroutines = m_window->diagnoseView()->goroutineView();
    QVERIFY(goroutines->model()->isCompared());
    const QModelIndex first = goroutines->proxy()->index(0, 0);
    const diagnose::GoroutineGroup *top = goroutines->model()->group(goroutines->proxy()->mapToSource(first).row());
    QVERIFY(top);
    QVERIFY2(top->growth >= 50, qPrintable(QString::number(top->growth))); // 50/s for 5 s at least
    QCOMPARE(top->state, std::string("chan receive"));
    QVERIFY(top->leakState);
    // Tracebacks hide the runtime's own frames: the leak's line is the top one.
    QCOMPARE(top->frames.front().function, std::string("main.(*faults).run.func1.1"));
    QVERIFY(top->frames.front().file.find("faults.go") != std::string::npos);
    QVERIFY(goroutines->selectedStack().contains(QLatin1String("faults.go")));
    screenshot(m_window.get(), QStringLiteral("diagnose-goroutine-diff.png"));
}

void TestLabGui::profilesFromTheWindow()
{
    ui::DiagnoseView *diagnose = m_window->diagnoseView();
    m_window->selectService(QStringLiteral("leak-1"));
    QSignalSpy shown(diagnose, &ui::DiagnoseView::shown);
    QSignalSpy finished(diagnose, &ui::DiagnoseView::captureFinished);
    ui::ProfileView *profile = diagnose->profileView();
    QSignalSpy computed(profile, &ui::ProfileView::computed);

    // A 2-second CPU profile by hand: it counts down and arrives (a quiet
    // service's may hold no sample at all, so its rows are not counted).
    diagnose->captureNow(ingest::CaptureKind::Cpu, 2);
    QVERIFY(finished.wait(40000));
    QVERIFY2(finished.last().at(1).toString().isEmpty(), qPrintable(finished.last().at(1).toString()));
    QVERIFY(shown.wait(20000) || !shown.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!computed.isEmpty(), 20000);
    // An allocs profile (never empty: it counts since the start): the table
    // and the flame graph.
    computed.clear();
    diagnose->captureNow(ingest::CaptureKind::Allocs, 0);
    QVERIFY(finished.wait(40000));
    QVERIFY2(finished.last().at(1).toString().isEmpty(), qPrintable(finished.last().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(!computed.isEmpty(), 20000);
    QVERIFY(profile->tableModel()->rowCount() > 0);
    QVERIFY(!profile->tableModel()->isDiff());
    profile->showTab(ui::ProfileView::FlameTab);
    QTest::qWait(200);
    ui::FlameGraphWidget *flame = profile->flameGraph();
    QVERIFY(flame->tree() && flame->tree()->total() > 0);
    QVERIFY(flame->drawnBoxes() > 3);
    // Hovering names a box; clicking it zooms, and the root zooms back out.
    int target = -1;
    for (std::size_t i = 1; i < flame->tree()->nodes.size(); ++i) {
        if (!flame->rectOf(static_cast<int>(i)).isEmpty() && flame->rectOf(static_cast<int>(i)).width() > 20) {
            target = static_cast<int>(i);
            break;
        }
    }
    QVERIFY(target > 0);
    QCOMPARE(flame->nodeAt(flame->rectOf(target).center()), target);
    QTest::mouseMove(flame, flame->rectOf(target).center());
    QTRY_COMPARE(flame->hovered(), target);
    QTest::mouseClick(flame, Qt::LeftButton, {}, flame->rectOf(target).center());
    QCOMPARE(flame->zoom(), target);
    QCOMPARE(flame->rectOf(target).width(), flame->width()); // the zoomed box spans the width
    screenshot(m_window.get(), QStringLiteral("diagnose-allocs-flame.png"));
    QTest::mouseClick(flame, Qt::LeftButton, {}, flame->rectOf(0).center());
    QCOMPARE(flame->zoom(), 0);
    // Search for a function the profile has (a 2 s profile of a quiet
    // service holds few): its share is found and is a share.
    const QString present = QString::fromStdString(flame->tree()->nodes[static_cast<std::size_t>(target)].name);
    profile->flameSearch()->setText(present);
    QVERIFY(!flame->searchResult().matches.empty());
    QVERIFY(flame->searchResult().share > 0 && flame->searchResult().share <= 1.0);

    // A heap profile against the healthy peer the view picks.
    shown.clear();
    computed.clear();
    diagnose->captureNow(ingest::CaptureKind::Heap, 0);
    QVERIFY(finished.wait(40000));
    QTRY_VERIFY_WITH_TIMEOUT(!computed.isEmpty(), 20000);
    computed.clear();
    diagnose->compareWithPeer();
    QVERIFY2(diagnose->status().contains(QLatin1String("healthy-1")), qPrintable(diagnose->status()));
    QTRY_VERIFY_WITH_TIMEOUT(!computed.isEmpty(), 40000);
    QVERIFY(profile->tableModel()->isDiff());
    QVERIFY(profile->tableModel()->rowCount() > 0);
    QVERIFY(profile->flameGraph()->tree()->isDiff());
    profile->showTab(ui::ProfileView::TopTab);
    QTest::qWait(200);
    screenshot(m_window.get(), QStringLiteral("diagnose-heap-vs-peer.png"));
    // The table copies as text, one line per visible row and a header.
    profile->tableFilter()->setText(QStringLiteral("^main\\."));
    QVERIFY(profile->tableProxy()->rowCount() < profile->tableModel()->rowCount());
    QCOMPARE(profile->tableAsText().count(u'\n'), profile->tableProxy()->rowCount() + 1);

    // Export what the service served; go tool pprof opens it.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("heap.pb.gz"));
    QSignalSpy exported(diagnose, &ui::DiagnoseView::exported);
    diagnose->exportSelected(path);
    QVERIFY(exported.wait(10000));
    QVERIFY2(exported.first().at(1).toString().isEmpty(), qPrintable(exported.first().at(1).toString()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(formats::parseProfile(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()))).profile);
    QProcess pprof;
    pprof.start(QStringLiteral(GOTRIAGE_GO_PATH),
                {QStringLiteral("tool"), QStringLiteral("pprof"), QStringLiteral("-top"), path});
    QVERIFY(pprof.waitForFinished(120000));
    QVERIFY2(pprof.exitCode() == 0, pprof.readAllStandardError().constData());
    QVERIFY(pprof.readAllStandardOutput().contains("flat%"));
}

void TestLabGui::cpuChartSplitsUserAndSystem()
{
    // The lab's services run on this machine: the CPU chart shows user and
    // system CPU from /proc, and says where they come from.
    m_window->selectService(QStringLiteral("leak-1"));
    m_window->detailTabs()->setCurrentWidget(m_window->detailView());
    ui::TimeChart *cpu = m_window->detailView()->chart(ui::ServiceDetailView::CpuChart);
    QTRY_VERIFY_WITH_TIMEOUT(cpu->pointCount(1) > 2 && cpu->pointCount(2) > 2, 20000); // user, system
    QVERIFY2(cpu->title().contains(QLatin1String("user / system from /proc/")), qPrintable(cpu->title()));
    QTest::qWait(1500);
    screenshot(m_window.get(), QStringLiteral("charts-cpu-split.png"));
}

void TestLabGui::triageThrottlesTheLeakAndReverts()
{
    // The walkthrough on real Go services: the leak's suggested incident,
    // its throttle (the lab's /admin/throttle, a token bucket answering 429)
    // previewed, sent and verified; the admitted rate falls to the limit,
    // and recovers after the revert.
    const QByteArray actions = R"({"actions": [{"name": "throttle", "method": "POST", "path": "/admin/throttle",
        "body": "{\"rps\": ${rps}}", "read_path": "/admin/throttle", "read_field": "rps", "revert": "restore",
        "variables": {"rps": {"default": 5, "min": 1, "max": 1000}},
        "expect_vital": "admitted_rate", "expect_at_most": "${rps}"}]})";
    const config::ActionCatalog catalog = config::parseActionCatalog(
        std::string_view(actions.constData(), std::size_t(actions.size())), QStringLiteral("lab-actions.json"));
    QVERIFY(catalog.problems.empty());
    m_window->watchServices({service(QStringLiteral("leak-1")), service(QStringLiteral("healthy-1"))}, &catalog);
    ui::TriagePanel *panel = m_window->triagePanel();
    triage::TriageSession *triage = m_window->triageSession();
    QTRY_VERIFY_WITH_TIMEOUT(panel->suggestionBar()->isVisible(), 120000);
    QCOMPARE(panel->suggestion()->service, QStringLiteral("leak-1"));

    QElapsedTimer operatorTime;
    operatorTime.start();
    QTest::mouseClick(panel->suggestionButton(), Qt::LeftButton); // 1
    QTRY_VERIFY_WITH_TIMEOUT(!panel->actionButtons().isEmpty(), 5000);
    QCOMPARE(panel->candidatesModel()->candidates().front().service, QStringLiteral("leak-1"));
    QSignalSpy opened(panel, &ui::TriagePanel::actionDialogOpened);
    QTest::mouseClick(panel->actionButtons().front(), Qt::LeftButton); // 2
    QCOMPARE(opened.count(), 1);
    auto *dialog = opened.at(0).at(0).value<ui::ActionDialog *>();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->previewsDone() >= 1, 10000);
    QVERIFY2(dialog->previewText().contains(QStringLiteral("leak-1: 0 now → rps 5")),
             qPrintable(dialog->previewText()));
    QTest::mouseClick(dialog->sendButton(), Qt::LeftButton); // 3
    QTRY_VERIFY_WITH_TIMEOUT(!triage->actions().empty(), 10000);
    const QString id = triage->actions().back().run->id;
    QVERIFY2(triage->action(id)->run->ok(), qPrintable(triage->action(id)->run->error));
    QTRY_VERIFY_WITH_TIMEOUT(triage->action(id)->verdict.decided, 40000);
    const qint64 elapsed = operatorTime.elapsed();
    QVERIFY2(triage->action(id)->verdict.effective, qPrintable(triage->action(id)->verdict.summary()));
    qInfo().noquote() << QStringLiteral("lab walkthrough: 3 interactions, %1 s to a verified throttle of leak-1 (%2)")
                             .arg(double(elapsed) / 1000.0, 0, 'f', 1)
                             .arg(triage->action(id)->verdict.summary());
    screenshot(m_window.get(), QStringLiteral("lab-triage-verified.png"));

    // What leak-1 admitted over the last 5 s (req_rate less its 429s).
    const auto admittedNow = [this] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        double sum = 0;
        int n = 0;
        for (const vitals::VitalsSample &v :
             m_window->historyStore().snapshot(QStringLiteral("leak-1"), now - 5000, now).samples) {
            if (!vitals::isKnown(v[vitals::Vital::ReqRate]))
                continue;
            const double shed = v[vitals::Vital::ShedRate];
            sum += v[vitals::Vital::ReqRate] - (vitals::isKnown(shed) ? shed : 0.0);
            ++n;
        }
        return n > 0 ? sum / n : -1.0;
    };
    // Down from its load of 20/s towards the limit (a token bucket lets a burst through now and then).
    QVERIFY2(admittedNow() < 10, qPrintable(QString::number(admittedNow())));
    QVERIFY(triage->revertAction(id));
    QTRY_VERIFY_WITH_TIMEOUT(triage->action(id)->revertedMs > 0, 10000);
    QVERIFY(triage->action(id)->revertError.isEmpty());
    // Its load is 20 requests/s: back above 15 once the rate window has passed.
    QTRY_VERIFY2_WITH_TIMEOUT(admittedNow() >= 15, qPrintable(QString::number(admittedNow())), 30000);
    triage->closeIncident();
}

QTEST_MAIN(TestLabGui)
#include "tst_labgui.moc"
