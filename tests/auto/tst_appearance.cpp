// How the window looks and what it remembers: themes, the clock, the war
// room and its rotation, chart export, recent files and the layout.
#include "analysis/serviceanalyzer.h"
#include "appearance.h"
#include "fleetoverviewmodel.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "palette.h"
#include "servicedetailview.h"
#include "session/session.h"
#include "taskindicator.h"
#include "timechart.h"
#include "warroombanner.h"

#include "qcp.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;

namespace {

std::unique_ptr<session::Session> liveSession()
{
    return std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>());
}

QAction *actionNamed(QWidget &window, const char *name)
{
    return window.findChild<QAction *>(QLatin1String(name));
}

} // namespace

class TestAppearance : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void themesAreSwitchedAndRemembered();
    void clockShowsUtcOrLocal();
    void warRoomReadsFromAcrossTheRoom();
    void chartsExportAndCopy();
    void recentFilesAreRemembered();
    void layoutIsRemembered();
    void longTasksShowProgressAndCancel();
};

void TestAppearance::initTestCase()
{
    // QSettings and the data folder go to a test location, emptied first.
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    ui::Appearance::instance().useScheme(ui::palette::Scheme::Dark);
}

void TestAppearance::themesAreSwitchedAndRemembered()
{
    ui::MainWindow window(liveSession());
    window.show();
    ui::TimeChart *chart = window.detailView()->chart(ui::ServiceDetailView::CpuChart);
    const QColor darkBackground = ui::palette::coloursOf(ui::palette::Scheme::Dark).chartBackground;
    QCOMPARE(chart->plot()->axisRect()->backgroundBrush().color(), darkBackground);

    actionNamed(window, "theme-light")->trigger();
    const ui::palette::Colours light = ui::palette::coloursOf(ui::palette::Scheme::Light);
    QCOMPARE(ui::palette::scheme(), ui::palette::Scheme::Light);
    QCOMPARE(QApplication::palette().color(QPalette::Window), light.window);
    // Every widget, not only the application's default (Qt posts the change).
    QCoreApplication::processEvents();
    QCOMPARE(window.palette().color(QPalette::Window), light.window);
    QCOMPARE(window.overviewView()->palette().color(QPalette::Base), light.chartBackground);
    QCOMPARE(window.menuBar()->palette().color(QPalette::Window), light.window);
    // What was drawn before the switch follows it: the chart and its series.
    QCOMPARE(chart->plot()->axisRect()->backgroundBrush().color(), light.chartBackground);
    QCOMPARE(chart->plot()->graph(0)->pen().color(), light.seriesBlue);
    QCOMPARE(chart->plot()->xAxis->tickLabelColor(), light.muted);
    QVERIFY(actionNamed(window, "theme-light")->isChecked());
    QVERIFY(!actionNamed(window, "theme-dark")->isChecked());
    QCOMPARE(QSettings().value(QStringLiteral("appearance/scheme")).toString(), QStringLiteral("light"));

    // The next start reads it back.
    ui::Appearance::instance().useScheme(ui::palette::Scheme::Dark);
    ui::Appearance::instance().restore();
    QCOMPARE(ui::palette::scheme(), ui::palette::Scheme::Light);
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    window.resize(1280, 800);
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/theme-light.png")));

    actionNamed(window, "theme-dark")->trigger();
    QCOMPARE(chart->plot()->graph(0)->pen().color(), ui::palette::coloursOf(ui::palette::Scheme::Dark).seriesBlue);
    QCOMPARE(QSettings().value(QStringLiteral("appearance/scheme")).toString(), QStringLiteral("dark"));
}

void TestAppearance::clockShowsUtcOrLocal()
{
    ui::MainWindow window(liveSession());
    QAction *utc = actionNamed(window, "clockUtc");
    QVERIFY(utc);
    // 1 Jan 2026 12:34:56 UTC.
    const qint64 ms = 1767270896000;
    utc->setChecked(true);
    QCOMPARE(ui::Appearance::instance().clockText(ms), QStringLiteral("12:34:56"));
    QCOMPARE(ui::Appearance::instance().clockText(ms, true), QStringLiteral("2026-01-01 12:34:56"));
    QCOMPARE(ui::Appearance::instance().zoneName(), QStringLiteral("UTC"));
    QVERIFY(QSettings().value(QStringLiteral("appearance/utc")).toBool());
    // The chart's hover text says the same time.
    ui::TimeChart *chart = window.detailView()->chart(ui::ServiceDetailView::CpuChart);
    QVERIFY2(chart->hoverText(static_cast<double>(ms) / 1000).contains(QStringLiteral("12:34:56")),
             qPrintable(chart->hoverText(static_cast<double>(ms) / 1000)));
    utc->setChecked(false);
    QCOMPARE(ui::Appearance::instance().clockText(ms),
             QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime).toString(QStringLiteral("HH:mm:ss")));
    QVERIFY(!QSettings().value(QStringLiteral("appearance/utc")).toBool());
}

void TestAppearance::warRoomReadsFromAcrossTheRoom()
{
    // The demo fleet with fast analysis: its leak and its creep are found
    // within seconds, so the banner and the rotation have sick services.
    ui::MainWindow window(liveSession());
    window.setAnalysisSettings(analysis::AnalysisSettings::fast());
    window.resize(1440, 900);
    window.show();
    QString error;
    QVERIFY2(window.startDemo(6, &error), qPrintable(error));
    const double normalPoints = QApplication::font().pointSizeF();
    // Chart text is drawn at the size it is measured at: every attribute set.
    ui::TimeChart *chart = window.detailView()->chart(ui::ServiceDetailView::CpuChart);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));

    QTest::keyClick(&window, Qt::Key_F11);
    QVERIFY(window.isWarRoom());
    QVERIFY(window.isFullScreen());
    QCOMPARE(ui::palette::scheme(), ui::palette::Scheme::WarRoom);
    QVERIFY2(QApplication::font().pointSizeF() >= 1.5 * normalPoints,
             qPrintable(QString::number(QApplication::font().pointSizeF())));
    QCOMPARE(chart->plot()->yAxis->labelFont().pointSizeF(), QApplication::font().pointSizeF());
    QVERIFY(chart->plot()->yAxis->labelFont().resolveMask() & QFont::SizeResolved);
    // Rows grow with the type.
    QVERIFY(window.overviewView()->verticalHeader()->defaultSectionSize()
            >= window.overviewView()->fontMetrics().height() + 12);
    // The docks' room goes to the charts, and comes back after.
    const auto docksShown = [&window] {
        int shown = 0;
        for (QDockWidget *dock : window.findChildren<QDockWidget *>())
            shown += dock->isVisible() ? 1 : 0;
        return shown;
    };
    QCOMPARE(docksShown(), 0);
    auto *banner = window.findChild<ui::WarRoomBanner *>();
    QVERIFY(banner && banner->isVisible());
    // Severity by shape and word, not colour alone.
    QTRY_VERIFY_WITH_TIMEOUT(banner->countsText().contains(QStringLiteral("⚠"))
                                 || banner->countsText().contains(QStringLiteral("✖")),
                             30000);
    QVERIFY(banner->countsText().contains(QStringLiteral("● 6 of 6 up")));
    QVERIFY(banner->incidentText().contains(QStringLiteral("No incident open")));
    // The war room is a mode, never remembered as the theme.
    QCOMPARE(QSettings().value(QStringLiteral("appearance/scheme"), QStringLiteral("dark")).toString(),
             QStringLiteral("dark"));

    // Rotation walks the sickest services, worst first, and comes back round.
    QTableView *table = window.overviewView();
    const auto shown = [table] {
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        return rows.isEmpty() ? QString() : rows.constFirst().data().toString();
    };
    QStringList sick;
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        if (!table->model()->index(row, ui::FleetOverviewModel::FindingsColumn).data().toString().isEmpty())
            sick << table->model()->index(row, 0).data().toString();
    }
    QVERIFY(!sick.isEmpty());
    table->selectionModel()->clearSelection();
    actionNamed(window, "rotate")->setChecked(true);
    QCOMPARE(shown(), sick.first());
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    window.showNormal(); // offscreen has one small screen: the screenshot is taken at 1080p
    window.resize(1920, 1080);
    QTest::qWait(1500);
    QVERIFY(window.grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/war-room.png")));

    QTest::keyClick(&window, Qt::Key_F11);
    QVERIFY(!window.isWarRoom());
    QVERIFY(!actionNamed(window, "rotate")->isChecked());
    QCOMPARE(ui::palette::scheme(), ui::palette::Scheme::Dark);
    QCOMPARE(QApplication::font().pointSizeF(), normalPoints);
    QVERIFY(!banner->isVisible());
    QCOMPARE(docksShown(), 2);
}

void TestAppearance::chartsExportAndCopy()
{
    ui::TimeChart chart(QStringLiteral("Goroutines"), QStringLiteral("goroutines"));
    chart.resize(600, 300);
    chart.show();
    const int series = chart.addSeries(QStringLiteral("goroutines"), &ui::palette::Colours::seriesBlue);
    chart.setSeriesData(series, {{1'700'000'000'000, 10}, {1'700'000'060'000, 40}});
    chart.setTimeRange(1'700'000'000, 1'700'000'060);
    chart.replot();
    QVERIFY(chart.render(QStringLiteral("png")).startsWith("\x89PNG"));
    const QByteArray svg = chart.render(QStringLiteral("svg"));
    QVERIFY(svg.contains("<svg"));
    QVERIFY(svg.contains("Goroutines"));
    QVERIFY(chart.render(QStringLiteral("pdf")).startsWith("%PDF"));
    QVERIFY(chart.render(QStringLiteral("bmp")).isEmpty());
    QVERIFY(!chart.toImage().isNull());

    QTemporaryDir dir;
    QSignalSpy exported(&chart, &ui::TimeChart::exported);
    for (const char *name : {"chart.png", "chart.svg", "chart.pdf"}) {
        const QString path = dir.filePath(QLatin1String(name));
        chart.exportTo(path);
        QVERIFY(exported.wait(5000));
        QCOMPARE(exported.last().at(0).toString(), path);
        QCOMPARE(exported.last().at(1).toString(), QString());
        QVERIFY(QFileInfo(path).size() > 100);
    }
    // Errors name the file, and nothing is left behind.
    const QString unwritable = dir.filePath(QStringLiteral("missing/folder/chart.png"));
    chart.exportTo(unwritable);
    QVERIFY(exported.wait(5000));
    QVERIFY2(exported.last().at(1).toString().startsWith(unwritable), qPrintable(exported.last().at(1).toString()));
    chart.exportTo(dir.filePath(QStringLiteral("chart.bmp")));
    QVERIFY(exported.last().at(1).toString().contains(QStringLiteral(".png, .svg or .pdf")));
}

void TestAppearance::recentFilesAreRemembered()
{
    QTemporaryDir dir;
    QStringList paths;
    for (int i = 0; i < 12; ++i) {
        paths << dir.filePath(QStringLiteral("fleet-%1.json").arg(i));
        QFile file(paths.last());
        QVERIFY(file.open(QIODevice::WriteOnly));
        ui::MainWindow::rememberRecentFile(paths.last());
    }
    QStringList recent = ui::MainWindow::recentFiles();
    QCOMPARE(recent.size(), 10); // the ten newest, newest first
    QCOMPARE(recent.first(), paths.last());
    QVERIFY(!recent.contains(paths.first()));
    ui::MainWindow::rememberRecentFile(paths[5]); // opened again: back on top, once
    recent = ui::MainWindow::recentFiles();
    QCOMPARE(recent.first(), paths[5]);
    QCOMPARE(recent.count(paths[5]), 1);
    QFile::remove(paths[11]); // gone since: not offered
    QVERIFY(!ui::MainWindow::recentFiles().contains(paths[11]));

    ui::MainWindow window(liveSession());
    auto *menu = window.findChild<QMenu *>(QStringLiteral("recentMenu"));
    QVERIFY(menu);
    QMetaObject::invokeMethod(menu, "aboutToShow");
    QVERIFY(menu->actions().size() >= 9);
    QVERIFY(menu->actions().constFirst()->text().contains(QFileInfo(paths[5]).fileName()));
}

void TestAppearance::layoutIsRemembered()
{
    {
        ui::MainWindow window(liveSession());
        window.restoreLayout();
        window.show();
        window.resize(1100, 720);
        QTest::qWait(50);
        window.close();
    }
    // Within a few pixels: the platform may round the frame it adds.
    const auto near
        = [](QSize size) { return std::abs(size.width() - 1100) <= 8 && std::abs(size.height() - 720) <= 8; };
    ui::MainWindow again(liveSession());
    again.restoreLayout();
    QVERIFY2(near(again.size()), qPrintable(QStringLiteral("%1x%2").arg(again.width()).arg(again.height())));
    // A window that does not remember (a replay, a test) leaves it alone.
    {
        ui::MainWindow other(liveSession());
        other.show();
        other.resize(900, 600);
        other.close();
    }
    ui::MainWindow third(liveSession());
    third.restoreLayout();
    QVERIFY2(near(third.size()), qPrintable(QStringLiteral("%1x%2").arg(third.width()).arg(third.height())));
}

void TestAppearance::longTasksShowProgressAndCancel()
{
    ui::MainWindow window(liveSession());
    window.show();
    ui::TaskIndicator *task = window.taskIndicator();
    QVERIFY(!task->isVisible());
    const std::shared_ptr<std::atomic<bool>> cancel = task->start(QStringLiteral("Writing the report…"));
    QVERIFY(task->isVisible());
    QCOMPARE(task->bar()->maximum(), 0); // busy until told how far
    task->setProgress(2, 5);
    QCOMPARE(task->bar()->maximum(), 5);
    QCOMPARE(task->bar()->value(), 2);
    window.resize(1280, 800);
    QCoreApplication::processEvents();
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(window.grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/task-indicator.png")));
    QTest::mouseClick(task->cancelButton(), Qt::LeftButton);
    QVERIFY(cancel->load());
    QVERIFY(!task->cancelButton()->isEnabled());
    QVERIFY(task->text().contains(QStringLiteral("stopping")));
    task->finish();
    QVERIFY(!task->isVisible());

    // A report with nothing recorded says so, and the indicator is gone.
    QSignalSpy written(&window, &ui::MainWindow::reportWritten);
    window.writeReport(QDir::temp().filePath(QStringLiteral("gotriage-no-report")));
    QCOMPARE(written.count(), 1);
    QVERIFY(!written.at(0).at(1).toString().isEmpty());
    QVERIFY(!task->isVisible());
}

QTEST_MAIN(TestAppearance)
#include "tst_appearance.moc"
