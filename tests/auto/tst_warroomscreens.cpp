// The war room on three screens: each gets a window and a role (the fleet,
// the service shown, triage), and leaving the war room gathers them back
// into one window. Qt's offscreen platform is given three 1080p screens
// side by side (its configfile option) before the application starts.
#include "analysis/serviceanalyzer.h"
#include "appearance.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "servicedetailview.h"
#include "session/session.h"
#include "triagepanel.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QScreen>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

using namespace gotriage;

class TestWarRoomScreens : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void eachScreenGetsARole();
};

void TestWarRoomScreens::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCOMPARE(QGuiApplication::screens().size(), 3);
}

void TestWarRoomScreens::eachScreenGetsARole()
{
    ui::MainWindow window(std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>()));
    window.setAnalysisSettings(analysis::AnalysisSettings::fast());
    window.show();
    QString error;
    QVERIFY2(window.startDemo(3, &error), qPrintable(error));
    QScreen *home = window.screen();

    window.setWarRoom(true);
    QWidget *detailWindow = window.detailTabs()->window();
    QWidget *triageWindow = window.triagePanel()->window();
    QCOMPARE(detailWindow->objectName(), QStringLiteral("detailScreen"));
    QCOMPARE(triageWindow->objectName(), QStringLiteral("triageScreen"));
    QVERIFY(detailWindow->isVisible() && triageWindow->isVisible());
    // Three windows on three screens.
    QCOMPARE(QSet<QScreen *>({home, detailWindow->screen(), triageWindow->screen()}).size(), 3);
    QCOMPARE(detailWindow->geometry().size(), detailWindow->screen()->geometry().size());
    // The charts still follow the service chosen in the fleet.
    window.selectService(QStringLiteral("search-api-1"));
    QTRY_COMPARE(window.detailView()->service(), QStringLiteral("search-api-1"));
    QCOMPARE(window.detailTabs()->indexOf(window.triagePanel()), -1);
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QTest::qWait(1500);
    QVERIFY(detailWindow->grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/war-room-screen-2.png")));

    window.setWarRoom(false);
    QCOMPARE(window.detailTabs()->window(), &window);
    QCOMPARE(window.triagePanel()->window(), &window);
    QCOMPARE(window.detailTabs()->indexOf(window.triagePanel()), 2);
    QTRY_VERIFY(!qApp->topLevelWidgets().contains(detailWindow));

    // The window closed while the war room is spread (quitting) takes its
    // screens with it: ASan sees every widget freed once.
    window.setWarRoom(true);
    QVERIFY(window.detailTabs()->window() != &window);
}

int main(int argc, char **argv)
{
    // Three 1080p screens side by side, for Qt's offscreen platform.
    const QString config = QDir::temp().filePath(
        QStringLiteral("gotriage-three-screens-%1.json").arg(QCoreApplication::applicationPid()));
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly))
        return 1;
    file.write(R"({"screens": [
        {"name": "left", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1},
        {"name": "middle", "x": 1920, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1},
        {"name": "right", "x": 3840, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1}]})");
    file.close();
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + config.toLocal8Bit());
    int status = 0;
    {
        QApplication app(argc, argv);
        TestWarRoomScreens test;
        status = QTest::qExec(&test, argc, argv);
    }
    QFile::remove(config);
    return status;
}

#include "tst_warroomscreens.moc"
