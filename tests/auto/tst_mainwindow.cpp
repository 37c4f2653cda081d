#include "testdata.h"

#include "fleetlistmodel.h"
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDockWidget>
#include <QImage>
#include <QListWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void modelIsConsistent();
    void opensEmpty();
    void loadsFleetOffTheGuiThread();
    void showsConfigProblems();
    void screenshotFromTheCommandLine();
};

void TestMainWindow::modelIsConsistent()
{
    ui::FleetListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto fleet = config::loadFleetConfig(testDataPath(QStringLiteral("fleet/good.json")));
    model.setServices(fleet.services);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ui::FleetListModel::NameColumn).data().toString(), QStringLiteral("api-1"));
    QCOMPARE(model.index(0, ui::FleetListModel::LabelsColumn).data().toString(), QStringLiteral("az=a, team=payments"));
    QCOMPARE(model.index(1, ui::FleetListModel::IntervalColumn).data().toString(), QStringLiteral("0.5 s"));
    model.setServices({});
    QCOMPARE(model.rowCount(), 0);
}

void TestMainWindow::opensEmpty()
{
    ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.fleetModel()->rowCount(), 0);
    QVERIFY(window.findChild<QTableView *>()->isHidden());
}

void TestMainWindow::loadsFleetOffTheGuiThread()
{
    ui::MainWindow window;
    window.show();
    QSignalSpy loaded(&window, &ui::MainWindow::fleetLoaded);
    window.openFleetFile(testDataPath(QStringLiteral("fleet/good.json")));
    QCOMPARE(loaded.count(), 0); // asynchronous: nothing has happened yet
    QVERIFY(loaded.wait(10000));
    QCOMPARE(window.fleetModel()->rowCount(), 2);
    QVERIFY(window.findChild<QTableView *>()->isVisible());
    QVERIFY(window.windowTitle().contains(QStringLiteral("good.json")));
}

void TestMainWindow::showsConfigProblems()
{
    ui::MainWindow window;
    window.show();
    QSignalSpy loaded(&window, &ui::MainWindow::fleetLoaded);
    window.openFleetFile(testDataPath(QStringLiteral("fleet/broken.json")));
    QVERIFY(loaded.wait(10000));
    QCOMPARE(window.fleetModel()->rowCount(), 2);
    auto *problems = window.findChild<QListWidget *>();
    QCOMPARE(problems->count(), 8);
    QVERIFY(problems->item(0)->text().contains(QStringLiteral("$.services[1].url")));
    QVERIFY(window.findChild<QDockWidget *>()->isVisible());
}

void TestMainWindow::screenshotFromTheCommandLine()
{
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("shot.png"));
    QProcess gui;
    gui.start(QStringLiteral(GOTRIAGE_GUI),
              {QStringLiteral("--config"), testDataPath(QStringLiteral("fleet/good.json")),
               QStringLiteral("--screenshot"), png});
    QVERIFY(gui.waitForFinished(60000));
    QCOMPARE(gui.exitCode(), 0);
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800 && image.height() >= 600);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
