#include "testdata.h"
#include "testhttpserver.h"

#include "analysis/serviceanalyzer.h"
#include "candidatesmodel.h"
#include "commandpalette.h"
#include "diagnoseview.h"
#include "findingsmodel.h"
#include "fleetoverviewmodel.h"
#include "goroutinegroupsmodel.h"
#include "goroutineview.h"
#include "ingest/livesource.h"
#include "issues/issuesmodel.h"
#include "issuesstyleproxy.h"
#include "mainwindow.h"
#include "record/recorder.h"
#include "record/recordingfile.h"
#include "servicedetailview.h"
#include "session/servicereport.h"
#include "session/session.h"
#include "signals/vitalsderiver.h"
#include "sparklinedelegate.h"
#include "store/seriesstore.h"
#include "timechart.h"
#include "triage/triagesession.h"
#include "triagepanel.h"
#include "vitalformat.h"

#include "qcp.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <algorithm>

using namespace gotriage;

namespace {

// What app/ hands the window: a live session.
std::unique_ptr<session::Session> liveSession()
{
    return std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>());
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void issuesModel();
    void findingsSortWorstFirst();
    void formatting();
    void demoFleetFillsTheCharts();
    void fleetIsPopulatedAfterTheWaitForRatesGaveUp();
    void aServiceDroppedFromTheFleetIsForgotten();
    void chartsDrawALimitWithinReach();
    void memoryChartDrawsTheTrendAFindingRestsOn();
    void chartLegendWrapsOnANarrowChart();
    void deadServiceSortsFirstWithAnIssue();
    void fleetFileIsReloadedWhenItChanges();
    void addServiceByUrl();
    void panningStopsFollowing();
    void chartsGetTwoPointsPerPixelAtMost();
    void filterNarrowsTheFleet();
    void keyboardDrivesTheWindow();
    void sparklinesFollowReportsWithoutTheStore();
    void diagnoseKeepsTheNewestCapturesOnly();
    void screenshotFromTheCommandLine();
    void sparklineKeepsAMinimumSpan();
    void configRemarksAreGrouped();
    void narrowWindowKeepsEveryVitalReadable();
    void emptyChartsSayWhy();
    void helpAndVersionNeedNoDisplay();
    void coloursAndMagicValuesAreNamedOnce();
    void overviewAndAnalysisAgreeOnStaleness_data();
    void overviewAndAnalysisAgreeOnStaleness();
    void cliAndWindowReportTheSameIssues();
    void demoEvidenceOpensWithOneClick();
    void sessionIsRecordedWithoutAsking();
};

void TestMainWindow::issuesModel()
{
    issues::IssuesModel model;
    auto tester
        = std::make_unique<QAbstractItemModelTester>(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // What the Issues view shows; both are checked while the rows change
    // shape (removing a service's rows takes two runs below), but not in the
    // bulk part, which would take minutes under their checks.
    auto styled = std::make_unique<ui::IssuesStyleProxy>();
    styled->setSourceModel(&model);
    auto styledTester = std::make_unique<QAbstractItemModelTester>(
        styled.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    using Severity = issues::IssuesModel::Severity;
    model.report(QStringLiteral("a"), QStringLiteral("scrape"), QStringLiteral("HTTP 503"), Severity::Error, 1000);
    model.report(QStringLiteral("a"), QStringLiteral("scrape"), QStringLiteral("HTTP 503"), Severity::Error, 2000);
    model.report(QStringLiteral("a"), QStringLiteral("scrape"), QStringLiteral("timed out"), Severity::Error, 3000);
    model.report(QStringLiteral("b"), QStringLiteral("scrape"), QStringLiteral("refused"), Severity::Error, 3000);
    QCOMPARE(model.rowCount(), 2);
    const auto &a = model.issues().front();
    QCOMPARE(a.count, quint64(3));
    QCOMPARE(a.sinceMs, qint64(1000));
    QCOMPARE(a.lastSeenMs, qint64(3000));
    QCOMPARE(a.what, QStringLiteral("timed out"));
    // A note is listed, and is news once, but is not an active problem.
    QVERIFY(model.report(QStringLiteral("b"), QStringLiteral("vars-missing"), QStringLiteral("not exposed"),
                         Severity::Info, 3000));
    QVERIFY(!model.report(QStringLiteral("b"), QStringLiteral("vars-missing"), QStringLiteral("not exposed"),
                          Severity::Info, 3500));
    model.resolve(QStringLiteral("a"), QStringLiteral("scrape"));
    QCOMPARE(model.activeCount(), 1);
    QCOMPARE(model.index(0, issues::IssuesModel::StateColumn).data().toString(), QStringLiteral("resolved"));
    model.report(QStringLiteral("a"), QStringLiteral("scrape"), QStringLiteral("again"), Severity::Error, 4000);
    QCOMPARE(model.rowCount(), 4); // a new episode, the resolved one stays as history
    model.removeService(QStringLiteral("a"));
    QCOMPARE(model.rowCount(), 2);
    model.removeService(QStringLiteral("b"));
    styledTester.reset();
    styled.reset();
    tester.reset();
    // Active problems are all listed, however many services have one (a
    // fixed cap on all rows dropped them at 2 000 services), and the history
    // is bounded: old resolved rows make room. The live rows come after
    // resolved ones, so they move up as those go.
    const int liveServices = issues::IssuesModel::kMaxResolved + 500;
    for (int i = 0; i < issues::IssuesModel::kMaxResolved + 10; ++i) {
        model.report(QStringLiteral("s%1").arg(i), QStringLiteral("scrape"), QStringLiteral("x"), Severity::Error, i);
        model.resolve(QStringLiteral("s%1").arg(i), QStringLiteral("scrape"));
        if (i != issues::IssuesModel::kMaxResolved / 2)
            continue;
        for (int live = 0; live < liveServices; ++live) {
            model.report(QStringLiteral("live%1").arg(live), QStringLiteral("scrape"), QStringLiteral("refused"),
                         Severity::Error, i);
        }
    }
    QCOMPARE(model.activeCount(), liveServices);
    const auto resolvedRows = std::count_if(model.issues().begin(), model.issues().end(),
                                            [](const issues::IssuesModel::Issue &i) { return !i.active; });
    QVERIFY(resolvedRows > 0);
    QVERIFY(resolvedRows <= issues::IssuesModel::kMaxResolved);
    QCOMPARE(model.rowCount(), liveServices + int(resolvedRows));
    // A repeat and a resolve still find the service's own row.
    const auto rowOf = [&model](const QString &service) {
        const auto &all = model.issues();
        return std::find_if(all.begin(), all.end(),
                            [&](const issues::IssuesModel::Issue &i) { return i.service == service; });
    };
    QVERIFY(!model.report(QStringLiteral("live7"), QStringLiteral("scrape"), QStringLiteral("refused"), Severity::Error,
                          100000));
    QCOMPARE(rowOf(QStringLiteral("live7"))->count, quint64(2));
    model.resolve(QStringLiteral("live1234"), QStringLiteral("scrape"));
    QVERIFY(!rowOf(QStringLiteral("live1234"))->active);
    QVERIFY(rowOf(QStringLiteral("live1235"))->active);
    QCOMPARE(model.activeCount(), liveServices - 1);
}

void TestMainWindow::findingsSortWorstFirst()
{
    store::SeriesStore store;
    ui::FleetOverviewModel model(&store);
    ui::FleetSortProxy proxy;
    proxy.setSourceModel(&model);
    proxy.setDynamicSortFilter(true);
    proxy.sort(0);
    std::vector<config::ServiceConfig> services(3);
    for (int i = 0; i < 3; ++i) {
        services[static_cast<std::size_t>(i)].name = QStringLiteral("svc-%1").arg(i);
        services[static_cast<std::size_t>(i)].baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(i + 1));
    }
    model.setServices(services);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < 3; ++i) {
        session::ServiceReport report;
        auto scrape = std::make_shared<scraping::ScrapeResult>();
        scrape->service = services[static_cast<std::size_t>(i)].name;
        scrape->up = true;
        scrape->tsMs = now;
        report.scrape = scrape;
        report.health.up = true;
        report.health.lastGoodMs = now;
        if (i == 2) {
            analysis::Finding leak;
            leak.service = scrape->service;
            leak.kind = analysis::FindingKind::GoroutineLeak;
            leak.severity = analysis::Severity::Warning;
            leak.etaSeconds = 5400;
            leak.rate = QStringLiteral("+41/min");
            report.findings = {leak};
        }
        model.applyReport(report);
    }
    model.refresh(now);
    QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("svc-2"));
    QCOMPARE(proxy.index(0, ui::FleetOverviewModel::FindingsColumn).data().toString(),
             QStringLiteral("⚠ goroutine leak ▲ +41/min · limit in 1 h 30 min"));
    QCOMPARE(proxy.index(1, 0).data().toString(), QStringLiteral("svc-0"));
}

void TestMainWindow::formatting()
{
    using vitals::Vital;
    QCOMPARE(ui::formatVital(Vital::Rss, 512.0 * 1024 * 1024), QStringLiteral("512 MiB"));
    QCOMPARE(ui::formatVital(Vital::Cpu, 1.25), QStringLiteral("1.25 cores"));
    QCOMPARE(ui::formatVital(Vital::GcPause, 0.00025), QStringLiteral("250 µs"));
    QCOMPARE(ui::formatVital(Vital::ReqRate, 3.2), QStringLiteral("3.20/s"));
    QCOMPARE(ui::formatVital(Vital::Goroutines, 1234.0), QStringLiteral("1234"));
    QCOMPARE(ui::formatVital(Vital::Cpu, vitals::kUnknown), QStringLiteral("—")); // unknown is not zero
    QCOMPARE(ui::formatAge(-1), QStringLiteral("never"));
    QCOMPARE(ui::formatAge(0.4), QStringLiteral("0.4 s ago"));
    QCOMPARE(ui::formatAge(180), QStringLiteral("3 min ago"));
    // A rare collector reads as an interval, not as "0.03/s".
    QCOMPARE(ui::formatVital(Vital::GcRate, 1.0 / 40), QStringLiteral("1 per 40 s"));
    QCOMPARE(ui::formatVital(Vital::GcRate, 1.0 / 300), QStringLiteral("1 per 5 min"));
    QCOMPARE(ui::formatVital(Vital::GcRate, 2.0), QStringLiteral("2.00/s"));
    // In the table the header carries the unit.
    QCOMPARE(ui::formatVitalCompact(Vital::Cpu, 0.02), QStringLiteral("0.02"));
    QCOMPARE(ui::formatVitalCompact(Vital::Rss, 1024.0 * 1024), QStringLiteral("1.00 MiB"));
    QCOMPARE(ui::formatVital(Vital::ErrRatio, 0.125), QStringLiteral("12.5 %"));
}

void TestMainWindow::fleetIsPopulatedAfterTheWaitForRatesGaveUp()
{
    // At 10 000 targets through a server the first round takes longer than
    // the wait for rates: the moment every row is filled must still come,
    // and a service that is down fills its row with why.
    TestHttpServer ready;
    TestHttpServer silent;
    silent.mode = TestHttpServer::Mode::Silent;
    QVERIFY(ready.listen());
    QVERIFY(silent.listen());
    std::vector<config::ServiceConfig> services(2);
    services[0].name = QStringLiteral("ready");
    services[0].baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(ready.port()));
    services[0].interval = std::chrono::milliseconds(300);
    services[1].name = QStringLiteral("silent");
    services[1].baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.port()));
    services[1].interval = std::chrono::milliseconds(5000);
    services[1].timeout = std::chrono::milliseconds(3000);
    ui::MainWindow window(liveSession());
    window.setFirstDataTimeout(200);
    QSignalSpy firstData(&window, &ui::MainWindow::firstDataAvailable);
    QSignalSpy populated(&window, &ui::MainWindow::fleetPopulated);
    window.watchServices(services);
    QVERIFY(firstData.wait(10000));
    QCOMPARE(populated.count(), 0);
    QTRY_VERIFY(window.startupGapSummary().startsWith(QStringLiteral("1 of 2 services")));
    QVERIFY(window.startupGapSummary().endsWith(QStringLiteral(": silent")));
    QVERIFY(populated.wait(15000));
    QVERIFY2(window.lastToPopulate().startsWith(QStringLiteral("silent, down: ")), qPrintable(window.lastToPopulate()));
    QCOMPARE(window.downAtFirstReport(), 1);
}

// A fleet reload (or a server's targets changing) that drops a service
// makes the triage panel forget it: when it comes back, it comes back
// without the findings it had before.
void TestMainWindow::aServiceDroppedFromTheFleetIsForgotten()
{
    TestHttpServer silent; // no report comes while the test runs: the panel sees only what it is given
    silent.mode = TestHttpServer::Mode::Silent;
    QVERIFY(silent.listen());
    std::vector<config::ServiceConfig> services(2);
    services[0].name = QStringLiteral("stays");
    services[1].name = QStringLiteral("dropped");
    for (config::ServiceConfig &service : services) {
        service.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.port()));
        service.interval = std::chrono::seconds(60);
        service.timeout = std::chrono::seconds(50);
    }
    ui::MainWindow window(liveSession());
    window.watchServices(services);
    session::ServiceReport report;
    auto scrape = std::make_shared<scraping::ScrapeResult>();
    scrape->service = services[1].name;
    scrape->up = true;
    scrape->tsMs = QDateTime::currentMSecsSinceEpoch();
    report.scrape = scrape;
    report.health.up = true;
    analysis::Finding leak;
    leak.service = scrape->service;
    leak.kind = analysis::FindingKind::GoroutineLeak;
    leak.severity = analysis::Severity::Critical;
    report.findings = {leak};
    window.triagePanel()->applyReport(report);
    const auto battlefieldsOf = [&window](const QString &service) {
        for (const triage::Candidate &c : window.triagePanel()->candidatesModel()->candidates()) {
            if (c.service == service)
                return static_cast<int>(c.battlefields.size());
        }
        return -1; // not ranked
    };
    QTRY_COMPARE_WITH_TIMEOUT(battlefieldsOf(QStringLiteral("dropped")), 1, 15'000);
    window.watchServices({services[0]});
    QTRY_COMPARE_WITH_TIMEOUT(battlefieldsOf(QStringLiteral("dropped")), -1, 15'000);
    window.watchServices(services);
    // Its first ranking back, before any report of it could say otherwise.
    QTRY_VERIFY_WITH_TIMEOUT(battlefieldsOf(QStringLiteral("dropped")) != -1, 15'000);
    QCOMPARE(battlefieldsOf(QStringLiteral("dropped")), 0);
}

void TestMainWindow::chartsDrawALimitWithinReach()
{
    store::SeriesStore store;
    ui::ServiceDetailView detail(&store);
    detail.setService(QStringLiteral("api"), {});
    QCustomPlot *plot = detail.chart(ui::ServiceDetailView::GoroutinesChart)->plot();
    const int limitSeries = plot->graphCount() - 1; // the budget is the chart's last series
    const int trendSeries = limitSeries - 1; // the trend just before it

    analysis::Projection p;
    p.vital = vitals::Vital::Goroutines;
    p.trend.valid = p.trend.significant = true;
    p.trend.evaluatedMs = 1'000'000;
    p.trend.spanSeconds = 240;
    p.trend.level = 1200;
    p.trend.slopePerSecond = 8; // 800 more in 100 s
    p.limit = 2000;
    p.etaSeconds = 100;
    detail.setProjections({p});
    // Within 3× the level: the budget is drawn, and the projection runs on to
    // it (100 s is within half the 5-minute default window).
    QCOMPARE(plot->graph(limitSeries)->dataCount(), 2);
    QCOMPARE(plot->graph(limitSeries)->data()->at(0)->value, 2000.0);
    const auto last = plot->graph(trendSeries)->data()->at(plot->graph(trendSeries)->dataCount() - 1);
    QCOMPARE(last->value, 2000.0);
    QCOMPARE(last->key, 1'000.0 + 100.0);

    // A budget far above (the default 100 000) would flatten the chart: not drawn.
    p.limit = 100'000;
    p.etaSeconds = 12'350;
    detail.setProjections({p});
    QCOMPARE(plot->graph(limitSeries)->dataCount(), 0);
    QVERIFY(plot->graph(trendSeries)->dataCount() >= 2);
    QVERIFY(plot->graph(trendSeries)->data()->at(plot->graph(trendSeries)->dataCount() - 1)->value < 2000);
}

void TestMainWindow::memoryChartDrawsTheTrendAFindingRestsOn()
{
    store::SeriesStore store;
    ui::ServiceDetailView detail(&store);
    detail.setService(QStringLiteral("api"), {});
    QCustomPlot *plot = detail.chart(ui::ServiceDetailView::MemoryChart)->plot();
    const int trendSeries = plot->graphCount() - 2; // the trend, then the limit, come last

    auto projection = [](vitals::Vital vital, double level, bool material) {
        analysis::Projection p;
        p.vital = vital;
        p.trend.valid = p.trend.significant = true;
        p.trend.evaluatedMs = 1'000'000;
        p.trend.spanSeconds = 120;
        p.trend.level = level;
        p.trend.slopePerSecond = 1000;
        p.material = material;
        return p;
    };
    // RSS grows (cgo, say) under a heap whose slight drift is significant
    // but not material: the chart shows the RSS trend.
    detail.setProjections(
        {projection(vitals::Vital::HeapLive, 40e6, false), projection(vitals::Vital::Rss, 90e6, true)});
    QCOMPARE(plot->graph(trendSeries)->name(), QStringLiteral("RSS trend"));
    QVERIFY(plot->graph(trendSeries)->dataCount() >= 2);
    QCOMPARE(plot->graph(trendSeries)->data()->at(1)->value, 90e6 / (1024.0 * 1024.0)); // the chart is in MiB

    // When the heap after GC is what grows, its trend comes first.
    detail.setProjections(
        {projection(vitals::Vital::HeapLive, 40e6, true), projection(vitals::Vital::Rss, 90e6, true)});
    QCOMPARE(plot->graph(trendSeries)->name(), QStringLiteral("heap after GC trend"));

    // Nothing material: the significant heap trend is still drawn, without a time to limit.
    detail.setProjections({projection(vitals::Vital::HeapLive, 40e6, false)});
    QCOMPARE(plot->graph(trendSeries)->name(), QStringLiteral("heap after GC trend"));
    QVERIFY(plot->graph(trendSeries)->dataCount() >= 2);
}

void TestMainWindow::chartLegendWrapsOnANarrowChart()
{
    // The legend is a line above the plot; on a narrow chart its entries
    // wrap onto more lines instead of being cut off.
    ui::TimeChart chart(QStringLiteral("Memory"), QStringLiteral("MiB"));
    for (const char *name : {"RSS", "heap in use", "heap goal", "heap after GC trend: limit in 1 h 36 min"}) {
        const int series = chart.addSeries(QString::fromLatin1(name), Qt::white);
        chart.setSeriesData(series, {{1000, 1.0}, {2000, 2.0}});
    }
    // A series without points (a service without expvar has no pause) is
    // not listed.
    const int empty = chart.addSeries(QStringLiteral("max since last read"), Qt::white);
    chart.setSeriesData(empty, {});
    QCOMPARE(chart.plot()->legend->itemCount(), 4);
    chart.show();
    chart.resize(1200, 200);
    QCOMPARE(chart.plot()->legend->wrap(), 0); // one line
    chart.resize(380, 200);
    QVERIFY(chart.plot()->legend->wrap() > 0);
    QVERIFY(chart.plot()->legend->rowCount() >= 2);
    chart.resize(1200, 200);
    QCOMPARE(chart.plot()->legend->wrap(), 0);
    QCOMPARE(chart.plot()->legend->rowCount(), 1);
}

void TestMainWindow::demoFleetFillsTheCharts()
{
    ui::MainWindow window(liveSession());
    QAbstractItemModelTester tester(window.overviewModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The sort proxy the overview's view shows, worst first.
    QAbstractItemModelTester sortedTester(window.overviewView()->model(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    QSignalSpy firstData(&window, &ui::MainWindow::firstDataAvailable);
    QString error;
    QVERIFY2(window.startDemo(6, &error), qPrintable(error));
    QVERIFY(firstData.wait(20000));
    QCOMPARE(window.overviewModel()->rowCount(), 6);
    // Generous: a CI machine running other suites beside this one is slow.
    QTRY_VERIFY_WITH_TIMEOUT(window.detailView()->chart(ui::ServiceDetailView::CpuChart)->pointCount(0) >= 1, 20000);
    ui::ServiceDetailView *detail = window.detailView();
    QVERIFY(!detail->service().isEmpty());
    QVERIFY(detail->chart(ui::ServiceDetailView::MemoryChart)->pointCount(0) >= 2); // RSS
    QVERIFY(detail->chart(ui::ServiceDetailView::MemoryChart)->pointCount(2) >= 2); // heap goal
    QVERIFY(detail->chart(ui::ServiceDetailView::GoroutinesChart)->pointCount(0) >= 2);
    QVERIFY(detail->chart(ui::ServiceDetailView::GcChart)->pointCount(1) >= 1); // pauses
    // Hovering names the values under the cursor.
    const auto [from, to] = detail->chart(ui::ServiceDetailView::CpuChart)->timeRange();
    QVERIFY(detail->chart(ui::ServiceDetailView::CpuChart)->hoverText(to).contains(QStringLiteral("CPU: ")));
    QVERIFY(to - from >= 60);
    // Every row shows live values.
    for (int row = 0; row < 6; ++row) {
        QCOMPARE(window.overviewModel()->index(row, ui::FleetOverviewModel::HealthColumn).data().toString(),
                 QStringLiteral("● up"));
        QVERIFY(window.overviewModel()
                    ->index(row, ui::FleetOverviewModel::RssColumn)
                    .data()
                    .toString()
                    .endsWith(QStringLiteral("MiB")));
    }
}

void TestMainWindow::deadServiceSortsFirstWithAnIssue()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    ui::MainWindow window(liveSession());
    window.show();
    QString error;
    QVERIFY(window.startDemo(3, &error));
    config::ServiceConfig dead;
    dead.name = QStringLiteral("zz-dead");
    dead.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    window.addServiceByUrl(dead.baseUrl);
    const QString deadName = QStringLiteral("127.0.0.1:%1").arg(port);
    QTRY_VERIFY_WITH_TIMEOUT(window.issuesModel()->activeCount() >= 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window.overviewView()->model()->index(0, 0).data().toString(), deadName, 5000);
    QCOMPARE(window.overviewView()->model()->index(0, ui::FleetOverviewModel::HealthColumn).data().toString(),
             QStringLiteral("✖ down"));
    const auto &issue = window.issuesModel()->issues().front();
    QCOMPARE(issue.service, deadName);
    QVERIFY2(issue.what.contains(dead.baseUrl.toString() + QStringLiteral("/metrics")), qPrintable(issue.what));
}

void TestMainWindow::fleetFileIsReloadedWhenItChanges()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("fleet.json"));
    auto write = [&](const QByteArray &content) {
        QFile file(path + QStringLiteral(".tmp"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        QFile::remove(path);
        QVERIFY(QFile::rename(path + QStringLiteral(".tmp"), path)); // replaced, as editors do
    };
    write(R"({"services":[{"name":"a","url":"http://127.0.0.1:1"}]})");
    ui::MainWindow window(liveSession());
    QSignalSpy loaded(&window, &ui::MainWindow::fleetLoaded);
    window.openFleetFile(path);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(window.overviewModel()->rowCount(), 1);
    write(R"({"services":[{"name":"a","url":"http://127.0.0.1:1"},{"name":"b","url":"http://127.0.0.1:2"}]})");
    QVERIFY(loaded.wait(5000));
    QCOMPARE(window.overviewModel()->rowCount(), 2);
    // A broken edit is reported and the fleet keeps being watched.
    write(R"({"services":[{"name":"a","url":)");
    auto configIssue = [&window] {
        for (const auto &issue : window.issuesModel()->issues()) {
            if (issue.active && issue.what.contains(QStringLiteral("fleet.json:1:")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(configIssue(), 5000);
    QCOMPARE(window.overviewModel()->rowCount(), 2);
}

void TestMainWindow::addServiceByUrl()
{
    ui::MainWindow window(liveSession());
    window.addServiceByUrl(QUrl(QStringLiteral("http://127.0.0.1:9/some/path")));
    QCOMPARE(window.overviewModel()->rowCount(), 1);
    const config::ServiceConfig *service = window.overviewModel()->service(0);
    QCOMPARE(service->name, QStringLiteral("127.0.0.1:9"));
    QCOMPARE(service->endpointUrl(service->paths.metrics).toString(), QStringLiteral("http://127.0.0.1:9/metrics"));
}

void TestMainWindow::panningStopsFollowing()
{
    ui::MainWindow window(liveSession());
    window.show();
    QString error;
    QVERIFY(window.startDemo(1, &error));
    QSignalSpy firstData(&window, &ui::MainWindow::firstDataAvailable);
    QVERIFY(firstData.wait(20000));
    ui::ServiceDetailView *detail = window.detailView();
    QVERIFY(detail->isFollowing());
    ui::TimeChart *cpu = detail->chart(ui::ServiceDetailView::CpuChart);
    const auto [from, to] = cpu->timeRange();
    cpu->plot()->xAxis->setRange(from - 30, to - 30); // what a drag does
    QVERIFY(!detail->isFollowing());
    QCOMPARE(detail->chart(ui::ServiceDetailView::MemoryChart)->timeRange().first, from - 30); // charts move together
    QTest::qWait(1200);
    QCOMPARE(cpu->timeRange().second, to - 30); // no longer dragged along by new data
    detail->setFollowing(true);
    detail->refresh(QDateTime::currentMSecsSinceEpoch());
    QVERIFY(cpu->timeRange().second > to);
}

void TestMainWindow::chartsGetTwoPointsPerPixelAtMost()
{
    // Six hours at 1 s (21 600 samples) in the store: the charts get each
    // pixel column's extremes, never the whole history, while following and
    // after a pan.
    store::SeriesStore history;
    const qint64 start = 1'790'000'000'000;
    const qint64 hours = 6;
    for (qint64 i = 0; i < hours * 3600; ++i) {
        vitals::VitalsSample sample;
        sample.tsMs = start + i * 1000;
        sample[vitals::Vital::Goroutines] = 100 + static_cast<double>(i % 11);
        history.append(QStringLiteral("svc"), sample);
    }
    const qint64 now = start + hours * 3600 * 1000;
    ui::ServiceDetailView detail(&history);
    detail.resize(1200, 800);
    detail.show();
    QVERIFY(QTest::qWaitForWindowExposed(&detail));
    auto *window = detail.findChild<QComboBox *>();
    QVERIFY(window);
    window->setCurrentIndex(window->count() - 1); // "Last 6 hours"
    detail.setService(QStringLiteral("svc"), {});
    detail.refresh(now);
    ui::TimeChart *chart = detail.chart(ui::ServiceDetailView::GoroutinesChart);
    const int width = chart->plotWidthPixels();
    QVERIFY2(chart->pointCount(0) <= 2 * width + 2,
             qPrintable(QStringLiteral("%1 points on %2 pixels").arg(chart->pointCount(0)).arg(width)));
    QVERIFY(chart->pointCount(0) >= width / 2); // the whole window is drawn

    // Pan to the first hour: its data arrives with the next turn of the event loop.
    const double first = static_cast<double>(start) / 1000.0;
    chart->plot()->xAxis->setRange(first, first + 3600);
    QVERIFY(!detail.isFollowing());
    // Before: the six hours; after: the hour and half an hour beyond it.
    const QCPGraph *graph = chart->plot()->graph(0);
    QTRY_VERIFY(!graph->data()->isEmpty() && (graph->data()->constEnd() - 1)->key <= first + 3600 + 1800 + 1);
    QVERIFY(graph->data()->constBegin()->key <= first + 60);
    QVERIFY(chart->pointCount(0) <= 2 * width + 2);
}

void TestMainWindow::filterNarrowsTheFleet()
{
    ui::MainWindow window(liveSession());
    window.show();
    QString error;
    QVERIFY2(window.startDemo(14, &error), qPrintable(error));
    QTRY_COMPARE(window.overviewModel()->rowCount(), 14);
    QAbstractItemModel *shown = window.overviewView()->model();
    QAbstractItemModelTester tester(shown, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto *filter = window.findChild<QLineEdit *>(QStringLiteral("fleetFilter"));
    QVERIFY(filter);
    // What the demo fleet is made of, counted from its configuration.
    int gcFrenzy = 0, core = 0, healthy = 0, sickCore = 0;
    for (int row = 0; row < 14; ++row) {
        const config::ServiceConfig *service = window.overviewModel()->service(row);
        bool isHealthy = false;
        for (const auto &[key, value] : service->labels) {
            gcFrenzy += value == QLatin1String("gc-frenzy");
            isHealthy |= value == QLatin1String("healthy");
        }
        healthy += isHealthy;
        core += service->tier == config::Tier::Core;
        sickCore += service->tier == config::Tier::Core && !isHealthy;
    }
    QVERIFY(gcFrenzy >= 1 && core >= 1 && healthy >= 1 && sickCore >= 1);
    const auto rowsFor = [&](const QString &text) {
        filter->setText(text);
        return shown->rowCount();
    };
    QCOMPARE(rowsFor(QStringLiteral("gc-frenzy")), gcFrenzy);
    QCOMPARE(rowsFor(QStringLiteral("demo=GC")), gcFrenzy); // a label, by part of its value
    QCOMPARE(rowsFor(QStringLiteral("tier=core")), core);
    QCOMPARE(rowsFor(QStringLiteral("-healthy")), 14 - healthy);
    QCOMPARE(rowsFor(QStringLiteral("tier=core -healthy")), sickCore); // every word must match
    QCOMPARE(rowsFor(QStringLiteral("no-such-service")), 0);
    // The toolbar says how many are shown, and Escape brings them all back.
    rowsFor(QStringLiteral("gc-frenzy"));
    QVERIFY(window.findChildren<QLabel *>().size() > 0);
    bool counted = false;
    for (const QLabel *label : window.findChildren<QLabel *>())
        counted |= label->text() == QStringLiteral("%1 of 14 services").arg(gcFrenzy);
    QVERIFY(counted);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier); // Ctrl+F: to the filter
    QVERIFY(filter->hasFocus());
    QTest::keyClick(filter, Qt::Key_Escape);
    QCOMPARE(filter->text(), QString());
    QCOMPARE(shown->rowCount(), 14);
}

void TestMainWindow::keyboardDrivesTheWindow()
{
    ui::MainWindow window(liveSession());
    window.resize(1440, 900);
    window.show();
    QString error;
    QVERIFY2(window.startDemo(6, &error), qPrintable(error));
    QTRY_COMPARE(window.overviewModel()->rowCount(), 6);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTableView *fleet = window.overviewView();
    const auto currentRow = [fleet] { return fleet->selectionModel()->currentIndex().row(); };

    // j and k walk the fleet as it is shown, and open the service.
    fleet->clearSelection();
    QTest::keyClick(&window, Qt::Key_J);
    QCOMPARE(currentRow(), 0);
    QTest::keyClick(&window, Qt::Key_J);
    QTest::keyClick(&window, Qt::Key_J);
    QTest::keyClick(&window, Qt::Key_K);
    QCOMPARE(currentRow(), 1);
    QTRY_COMPARE(window.detailView()->service(), fleet->model()->index(1, 0).data().toString());
    for (int i = 0; i < 10; ++i)
        QTest::keyClick(&window, Qt::Key_J);
    QCOMPARE(currentRow(), 5); // stops at the last
    // Typed into the filter, j is a letter, not a move.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    auto *filter = window.findChild<QLineEdit *>(QStringLiteral("fleetFilter"));
    QTest::keyClick(filter, Qt::Key_J);
    QCOMPARE(filter->text(), QStringLiteral("j"));
    QTest::keyClick(filter, Qt::Key_Escape);
    fleet->setFocus();

    // Ctrl+K: every command, narrowed by words; Enter runs the first.
    QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
    QPointer<ui::CommandPalette> palette = window.findChild<ui::CommandPalette *>();
    QVERIFY(palette);
    QVERIFY2(palette->shownCount() >= 15, qPrintable(QString::number(palette->shownCount())));
    QTest::keyClicks(palette->input(), QStringLiteral("show triage"));
    QCOMPARE(palette->shownCount(), 1);
    QCOMPARE(palette->list()->topLevelItem(0)->text(1), QStringLiteral("Triage"));
    QCOMPARE(palette->list()->topLevelItem(0)->text(2),
             QKeySequence(Qt::CTRL | Qt::Key_3).toString(QKeySequence::NativeText) + QStringLiteral(", T"));
    window.detailTabs()->setCurrentIndex(0);
    QVERIFY(window.detailTabs()->currentWidget() != window.triagePanel());
    QTest::keyClick(palette->input(), Qt::Key_Return);
    QTRY_COMPARE(window.detailTabs()->currentWidget(), static_cast<QWidget *>(window.triagePanel()));
    QTRY_VERIFY(!palette); // closed and gone
    // The arrows choose among the matches; words matching nothing run nothing.
    window.showCommandPalette();
    palette = window.findChild<ui::CommandPalette *>();
    QTest::keyClicks(palette->input(), QStringLiteral("service"));
    QVERIFY(palette->shownCount() >= 3); // next, previous, add, filter
    QTest::keyClick(palette->input(), Qt::Key_Down);
    QCOMPARE(palette->list()->indexOfTopLevelItem(palette->list()->currentItem()), 1);
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(palette->grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/command-palette.png")));
    palette->input()->clear();
    QTest::keyClicks(palette->input(), QStringLiteral("no such command"));
    QCOMPARE(palette->shownCount(), 0);
    QTest::keyClick(palette->input(), Qt::Key_Return);
    QTest::keyClick(palette->input(), Qt::Key_Escape);
    QTRY_VERIFY(!palette);

    // ?: every key, grouped where its command lives.
    QVERIFY(QTest::qWaitForWindowActive(&window)); // the palette gave the keys back
    QTest::keyClick(&window, Qt::Key_Question);
    QPointer<ui::ShortcutSheet> sheet = window.findChild<ui::ShortcutSheet *>();
    QVERIFY(sheet);
    QStringList lines;
    for (int g = 0; g < sheet->list()->topLevelItemCount(); ++g) {
        const QTreeWidgetItem *group = sheet->list()->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i)
            lines << group->text(0) + u'|' + group->child(i)->text(0) + u'|' + group->child(i)->text(1);
    }
    const auto native = [](const QKeySequence &keys) { return keys.toString(QKeySequence::NativeText); };
    QVERIFY2(lines.contains(QStringLiteral("View|%1|Command palette").arg(native(QKeySequence(Qt::CTRL | Qt::Key_K)))),
             qPrintable(lines.join(u'\n')));
    QVERIFY(lines.contains(QStringLiteral("View|J|Next service")));
    QVERIFY2(lines.contains(QStringLiteral("Triage|%1, T|Show triage").arg(native(QKeySequence(Qt::CTRL | Qt::Key_3)))),
             qPrintable(lines.join(u'\n')));
    // The single keys on the service shown.
    QVERIFY(lines.contains(QStringLiteral("Service|G|Capture goroutines (every stack, with wait times)")));
    QVERIFY(lines.contains(QStringLiteral("Service|P|Throttle this service")));
    QVERIFY(lines.contains(
        QStringLiteral("Anywhere in the window|%1|Filter services").arg(native(QKeySequence(QKeySequence::Find)))));
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(sheet->grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/shortcut-sheet.png")));
    sheet->close();
}

void TestMainWindow::sparklinesFollowReportsWithoutTheStore()
{
    // Ten minutes at 1 s, goroutines = seconds since the start: the
    // sparkline holds the last five minutes as 60 means of 5 s.
    store::SeriesStore store;
    ui::FleetOverviewModel model(&store);
    config::ServiceConfig service;
    service.name = QStringLiteral("svc");
    model.setServices({service});
    const qint64 start = 1'790'000'000'000; // a multiple of 5 s
    const auto report = [&](qint64 second) {
        vitals::VitalsSample sample;
        sample.tsMs = start + second * 1000;
        sample[vitals::Vital::Goroutines] = static_cast<double>(second);
        store.append(service.name, sample); // as the hub does, before it reports
        session::ServiceReport r;
        auto scrape = std::make_shared<scraping::ScrapeResult>();
        scrape->service = service.name;
        scrape->tsMs = sample.tsMs;
        scrape->up = true;
        r.scrape = scrape;
        r.vitals = sample;
        model.applyReport(r);
    };
    const auto line = [&] {
        return model.index(0, ui::FleetOverviewModel::GoroutinesColumn)
            .data(ui::FleetOverviewModel::SparklineRole)
            .value<QList<double>>();
    };
    for (qint64 second = 0; second < 600; ++second)
        report(second);
    model.refresh(start + 600 * 1000);
    QList<double> points = line();
    QCOMPARE(points.size(), ui::FleetOverviewModel::kSparklinePoints);
    QCOMPARE(points.last(), (595 + 596 + 597 + 598 + 599) / 5.0);
    QCOMPARE(points.first(), (300 + 301 + 302 + 303 + 304) / 5.0);

    // The clock goes back (a replay seeked): the line is rebuilt from what
    // the store holds up to that moment.
    store.retain({});
    for (qint64 second = 0; second < 100; ++second) {
        vitals::VitalsSample sample;
        sample.tsMs = start + second * 1000;
        sample[vitals::Vital::Goroutines] = 1000;
        store.append(service.name, sample);
    }
    report(100);
    model.refresh(start + 100 * 1000);
    points = line();
    QCOMPARE(points.size(), 21); // 0–99 s in 20 buckets, and the new one at 100 s
    QCOMPARE(points.first(), 1000.0);
    QCOMPARE(points.last(), 100.0);
}

void TestMainWindow::diagnoseKeepsTheNewestCapturesOnly()
{
    // A long incident: evidence keeps arriving. The Diagnose tab keeps the
    // newest hundred or so captures in memory, and the one on screen.
    ui::MainWindow window(liveSession());
    ui::DiagnoseView *diagnose = window.diagnoseView();
    const QByteArray dump = QByteArray::fromStdString(readTestData(QStringLiteral("lab/goroutine_leak_debug2.txt")));
    QVERIFY(!dump.isEmpty());
    const auto capture = [&](int i) {
        auto c = std::make_shared<ingest::CaptureResult>();
        c->request.service = QStringLiteral("svc");
        c->request.kind = ingest::CaptureKind::GoroutineText;
        c->body = dump;
        c->startedMs = 1'790'000'000'000 + i * 60'000;
        return ingest::CaptureResultPtr(c);
    };
    diagnose->setService(QStringLiteral("svc"));
    std::vector<std::weak_ptr<const ingest::CaptureResult>> added;
    for (int i = 0; i < 300; ++i) {
        const ingest::CaptureResultPtr c = capture(i);
        added.push_back(c);
        diagnose->addRecordedCapture(c); // each is shown as it comes: the service's newest
    }
    QVERIFY2(diagnose->captureCount() <= 120, qPrintable(QString::number(diagnose->captureCount())));
    QVERIFY(diagnose->captureCount() >= 100);
    // Those dropped are freed once the views opening them in the background
    // are done: nothing else holds them.
    const auto alive
        = [&] { return std::count_if(added.cbegin(), added.cend(), [](const auto &w) { return !w.expired(); }); };
    QTRY_COMPARE_WITH_TIMEOUT(alive(), static_cast<long>(diagnose->captureCount()), 60000);
    QVERIFY(added.front().expired());
    QVERIFY(!added.back().expired());
}

void TestMainWindow::screenshotFromTheCommandLine()
{
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("shot.png"));
    QProcess gui;
    gui.start(QStringLiteral(GOTRIAGE_GUI),
              {QStringLiteral("--demo"), QStringLiteral("--demo-services"), QStringLiteral("4"),
               QStringLiteral("--screenshot"), png});
    QVERIFY(gui.waitForFinished(60000));
    QCOMPARE(gui.exitCode(), 0);
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 1200 && image.height() >= 800);
}

void TestMainWindow::sparklineKeepsAMinimumSpan()
{
    // 45 -> 46 goroutines is a 2 % wiggle: drawn within a span of a fifth
    // of the level, not stretched over the whole cell.
    const auto [low, high] = ui::SparklineDelegate::verticalRange({45, 46, 45, 46});
    QVERIFY(high - low >= 0.2 * 46 - 1e-9);
    QCOMPARE((low + high) / 2, 45.5);
    // A real rise still fills the cell.
    const auto [riseLow, riseHigh] = ui::SparklineDelegate::verticalRange({10, 20, 40});
    QCOMPARE(riseLow, 10.0);
    QCOMPARE(riseHigh, 40.0);
    // Hundredths of a core get the absolute floor the CPU column asks for.
    const auto [cpuLow, cpuHigh] = ui::SparklineDelegate::verticalRange({0.01, 0.03}, 0.05);
    QVERIFY(std::fabs(cpuHigh - cpuLow - 0.05) < 1e-12);
}

void TestMainWindow::configRemarksAreGrouped()
{
    // Three services with the same remark and one with a warning: the
    // warning first, the remark once, naming all three.
    ui::FindingsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    analysis::Finding remark;
    remark.kind = analysis::FindingKind::Config;
    remark.severity = analysis::Severity::Info;
    remark.evidence = QStringLiteral("built with go1.19.8, which no longer gets security fixes");
    remark.nextStep = QStringLiteral("rebuild with a supported Go release");
    for (const char *name : {"etcd", "prometheus", "node-exporter"}) {
        remark.service = QString::fromLatin1(name);
        remark.sinceMs = 1000;
        model.setServiceFindings(remark.service, {remark});
    }
    analysis::Finding leak;
    leak.service = QStringLiteral("api");
    leak.kind = analysis::FindingKind::GoroutineLeak;
    leak.severity = analysis::Severity::Warning;
    model.setServiceFindings(leak.service, {leak});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.findings()[0].kind, analysis::FindingKind::GoroutineLeak);
    QCOMPARE(model.index(1, ui::FindingsModel::ServiceColumn).data().toString(),
             QStringLiteral("etcd, node-exporter, prometheus"));
    QCOMPARE(model.services(1),
             (QStringList{QStringLiteral("etcd"), QStringLiteral("node-exporter"), QStringLiteral("prometheus")}));
    model.removeService(QStringLiteral("prometheus"));
    QCOMPARE(model.index(1, ui::FindingsModel::ServiceColumn).data().toString(), QStringLiteral("etcd, node-exporter"));
    QCOMPARE(model.servicesWithFindings().size(), 3);
}

void TestMainWindow::narrowWindowKeepsEveryVitalReadable()
{
    // At 1000 px every vital column keeps room for its number and a
    // sparkline, and every header is whole.
    ui::MainWindow window(liveSession());
    window.resize(1000, 760);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    QVERIFY2(window.startDemo(3, &error), qPrintable(error));
    QSignalSpy data(&window, &ui::MainWindow::firstDataAvailable);
    QVERIFY(data.wait(30000));
    QTest::qWait(200);
    const QHeaderView *header = window.overviewView()->horizontalHeader();
    const QFontMetrics metrics(header->font());
    for (int column = 0; column < ui::FleetOverviewModel::ColumnCount; ++column) {
        const QString title = window.overviewModel()->headerData(column, Qt::Horizontal).toString();
        QVERIFY2(header->sectionSize(column) >= metrics.horizontalAdvance(title) + 8,
                 qPrintable(QStringLiteral("%1: %2 px").arg(title).arg(header->sectionSize(column))));
        if (column >= ui::FleetOverviewModel::CpuColumn)
            QVERIFY2(header->sectionSize(column) >= 85, qPrintable(title));
    }
    const int contentWidth = header->length();
    QVERIFY2(contentWidth <= window.overviewView()->viewport()->width() + 1,
             qPrintable(QStringLiteral("%1 px of columns in %2")
                            .arg(contentWidth)
                            .arg(window.overviewView()->viewport()->width())));
    // A small fleet: the table shows all of it, the charts get the rest.
    QVERIFY(window.overviewView()->viewport()->height()
            >= 3 * window.overviewView()->verticalHeader()->defaultSectionSize());
    QVERIFY(window.detailView()->height() > window.overviewView()->height());
}

void TestMainWindow::emptyChartsSayWhy()
{
    store::SeriesStore store;
    ui::ServiceDetailView detail(&store);
    detail.setService(QStringLiteral("api"), {});
    vitals::DerivedSources none;
    detail.setSignalSources(none);
    QCOMPARE(detail.chart(ui::ServiceDetailView::RequestsChart)->shownEmptyText(),
             QStringLiteral("No request counter found in the metrics.\nName one with \"request_counter\" in the fleet "
                            "file."));
    QCOMPARE(detail.chart(ui::ServiceDetailView::LatencyChart)->shownEmptyText(),
             QStringLiteral("No request-duration histogram found.\nName one with \"latency_histogram\" in the fleet "
                            "file."));
    vitals::DerivedSources found;
    found.requestCounter = QStringLiteral("grpc_server_handled_total");
    found.latencyHistogram = QStringLiteral("grpc_server_handling_seconds");
    detail.setSignalSources(found);
    QCOMPARE(detail.chart(ui::ServiceDetailView::LatencyChart)->shownEmptyText(),
             QStringLiteral("No requests timed yet."));
    // Once there are points, the chart draws them instead.
    detail.chart(ui::ServiceDetailView::LatencyChart)->setSeriesData(0, {{1000, 0.01}, {2000, 0.02}});
    QVERIFY(detail.chart(ui::ServiceDetailView::LatencyChart)->shownEmptyText().isEmpty());
}

void TestMainWindow::helpAndVersionNeedNoDisplay()
{
    // No display at all, and no platform plugin forced: --help and
    // --version must still answer (QApplication would abort).
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    for (const char *option : {"--help", "--version"}) {
        QProcess gui;
        gui.setProcessEnvironment(environment);
        gui.start(QStringLiteral(GOTRIAGE_GUI), {QString::fromLatin1(option)});
        QVERIFY(gui.waitForFinished(20000));
        QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
        QCOMPARE(gui.exitCode(), 0);
        const QByteArray out = gui.readAllStandardOutput();
        QVERIFY2(out.contains(qstrcmp(option, "--help") == 0 ? "--config <FILE>" : "gotriage "), out.constData());
    }
}

void TestMainWindow::coloursAndMagicValuesAreNamedOnce()
{
    // Colours live in ui/palette.cpp, GOMEMLIMIT's "unset" in signals/runtimeinfo.h:
    // a second spelling drifts from the first.
    const QDir source(QStringLiteral(GOTRIAGE_TEST_DATA "/../.."));
    const QRegularExpression colour(
        QStringLiteral("\\(0x[0-9a-fA-F]{2}, 0x|\\{0x[0-9a-fA-F]{2}, 0x|#[0-9a-fA-F]{6}\\b"));
    const QRegularExpression memoryLimit(QStringLiteral("\\b9e18\\b"));
    QStringList offenders;
    for (const QString &folder : {QStringLiteral("ui"), QStringLiteral("core"), QStringLiteral("app")}) {
        QDirIterator it(source.filePath(folder), {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(file.readAll());
            if (!path.endsWith(QLatin1String("ui/palette.cpp")) && text.contains(colour))
                offenders << path + QStringLiteral(": a colour");
            if (!path.endsWith(QLatin1String("signals/runtimeinfo.h")) && text.contains(memoryLimit))
                offenders << path + QStringLiteral(": 9e18");
        }
    }
    QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(u'\n')));
}

void TestMainWindow::overviewAndAnalysisAgreeOnStaleness_data()
{
    QTest::addColumn<double>("intervalsOld");
    QTest::addColumn<bool>("stale");
    QTest::newRow("fresh") << 1.0 << false;
    QTest::newRow("at the threshold") << 3.0 << false;
    QTest::newRow("past it") << 3.2 << true;
    QTest::newRow("long gone") << 30.0 << true;
}

void TestMainWindow::overviewAndAnalysisAgreeOnStaleness()
{
    // One rule (ServiceHealth::isStale), one clock: the overview's "stale"
    // and the analysis' `stale` finding never disagree.
    QFETCH(double, intervalsOld);
    QFETCH(bool, stale);
    config::ServiceConfig service;
    service.name = QStringLiteral("api");
    service.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    service.interval = std::chrono::milliseconds(2000);
    const qint64 now = 1'800'000'000'000;
    scraping::ServiceHealth health;
    health.up = true;
    health.lastGoodMs = now - static_cast<qint64>(intervalsOld * 2000);

    analysis::ServiceAnalyzer analyzer(service);
    scraping::ScrapeResult scrape;
    scrape.tsMs = now;
    scrape.up = true;
    vitals::VitalsSample v;
    v.tsMs = now;
    analyzer.update(scrape.tsMs, v, health, false, {});
    const auto findings = analyzer.findings();
    const bool analysisStale = std::any_of(findings.begin(), findings.end(), [](const analysis::Finding &f) {
        return f.kind == analysis::FindingKind::Stale;
    });

    store::SeriesStore store;
    ui::FleetOverviewModel model(&store);
    model.setServices({service});
    session::ServiceReport report;
    auto result = std::make_shared<scraping::ScrapeResult>(scrape);
    result->service = service.name;
    report.scrape = result;
    report.health = health;
    model.applyReport(report);
    model.refresh(now);
    const bool overviewStale
        = model.index(0, ui::FleetOverviewModel::HealthColumn).data().toString() == QStringLiteral("⌛ stale");
    QCOMPARE(analysisStale, stale);
    QCOMPARE(overviewStale, stale);
}

void TestMainWindow::cliAndWindowReportTheSameIssues()
{
    // A hostile fleet (real misbehaving HTTP servers and a closed port),
    // watched for a few seconds by `gotriage-cli scrape` and by the window:
    // both say the same problems, in the same words, because one mapping
    // in core makes them.
    std::vector<std::unique_ptr<TestHttpServer>> servers;
    const std::vector<std::pair<QString, TestHttpServer::Mode>> modes = {
        {QStringLiteral("e503"), TestHttpServer::Mode::Status503},
        {QStringLiteral("login-page"), TestHttpServer::Mode::Html},
        {QStringLiteral("bad-gzip"), TestHttpServer::Mode::GzipCorrupt},
        {QStringLiteral("reset"), TestHttpServer::Mode::CutReset},
        {QStringLiteral("no-last-chunk"), TestHttpServer::Mode::ChunkedNoEnd},
        {QStringLiteral("no-expvar"), TestHttpServer::Mode::VarsMissing},
    };
    QStringList entries;
    for (const auto &[name, mode] : modes) {
        servers.push_back(std::make_unique<TestHttpServer>());
        servers.back()->mode = mode;
        QVERIFY(servers.back()->listen());
        entries << QStringLiteral("{\"name\":\"%1\",\"url\":\"http://127.0.0.1:%2\",\"interval_s\":0.5}")
                       .arg(name)
                       .arg(servers.back()->port());
    }
    TestHttpServer closed;
    QVERIFY(closed.listen());
    const quint16 closedPort = closed.port();
    closed.close();
    entries << QStringLiteral("{\"name\":\"dead\",\"url\":\"http://127.0.0.1:%1\",\"interval_s\":0.5}").arg(closedPort);
    QTemporaryDir dir;
    const QString fleetPath = dir.filePath(QStringLiteral("hostile.json"));
    QFile fleetFile(fleetPath);
    QVERIFY(fleetFile.open(QIODevice::WriteOnly));
    fleetFile.write(QStringLiteral("{\"services\":[%1]}").arg(entries.join(u',')).toUtf8());
    fleetFile.close();
    const config::FleetConfig fleet = config::loadFleetConfig(fleetPath);
    QVERIFY(fleet.problems.empty());
    QCOMPARE(fleet.services.size(), modes.size() + 1);

    // The servers answer from this thread: wait without blocking it.
    QProcess cli;
    cli.start(QStringLiteral(GOTRIAGE_CLI),
              {QStringLiteral("scrape"), QStringLiteral("--config"), fleetPath, QStringLiteral("--duration"),
               QStringLiteral("5")});
    ui::MainWindow window(liveSession());
    window.watchServices(fleet.services);
    QVERIFY(QTest::qWaitFor([&] { return cli.state() == QProcess::NotRunning; }, 60000));
    QTest::qWait(1000); // the window started a moment after the CLI
    QCOMPARE(cli.exitCode(), 0);

    QSet<QString> fromCli;
    for (const QString &line : QString::fromUtf8(cli.readAllStandardError()).split(u'\n', Qt::SkipEmptyParts)) {
        if (std::any_of(fleet.services.begin(), fleet.services.end(),
                        [&](const config::ServiceConfig &s) { return line.startsWith(s.name + QStringLiteral(": ")); }))
            fromCli.insert(line);
    }
    QSet<QString> fromWindow;
    for (const issues::IssuesModel::Issue &issue : window.issuesModel()->issues())
        fromWindow.insert(issue.service + QStringLiteral(": ") + issue.what);
    QVERIFY2(fromCli.size() >= 7, qPrintable(QStringList(fromCli.begin(), fromCli.end()).join(u'\n')));
    QCOMPARE(fromWindow, fromCli);
}

void TestMainWindow::demoEvidenceOpensWithOneClick()
{
    // What the README's first command shows: the demo fleet's leak gets its
    // finding, its two goroutine dumps are taken with no click, and one
    // click on "ready" shows the leaking stack first.
    ui::MainWindow window(liveSession());
    window.setAnalysisSettings(analysis::AnalysisSettings::fast());
    window.resize(1440, 900);
    window.show();
    QString error;
    QVERIFY2(window.startDemo(3, &error), qPrintable(error));
    ui::FindingsModel *findings = window.findingsModel();
    const auto leakRow = [&] {
        for (int row = 0; row < findings->rowCount(); ++row) {
            if (findings->keyOf(row).kind == analysis::FindingKind::GoroutineLeak)
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(leakRow() >= 0 && findings->captureReady(leakRow()), 120000);
    QSignalSpy shown(window.diagnoseView(), &ui::DiagnoseView::shown);
    const QRect cell = window.findingsView()->visualRect(
        window.findingsView()->model()->index(leakRow(), ui::FindingsModel::CapturedColumn));
    QTest::mouseClick(window.findingsView()->viewport(), Qt::LeftButton, {}, cell.center());
    QVERIFY(shown.wait(20000));
    QCOMPARE(window.detailTabs()->currentWidget(), window.diagnoseView());
    ui::GoroutineView *goroutines = window.diagnoseView()->goroutineView();
    QVERIFY(goroutines->model()->isCompared());
    const diagnose::GoroutineGroup *top
        = goroutines->model()->group(goroutines->proxy()->mapToSource(goroutines->proxy()->index(0, 0)).row());
    QCOMPARE(top->frames.front().function, std::string("shop/cart.(*Cart).watchInventory.func1"));
    QVERIFY(top->growth > 0);
    QDir().mkpath(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR));
    QVERIFY(window.grab().save(QStringLiteral(GOTRIAGE_SCREENSHOT_DIR "/demo-goroutine-diff.png")));
}

void TestMainWindow::sessionIsRecordedWithoutAsking()
{
    // The black box: the window records what it watches, and an incident's
    // events land in the same file.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("box/session.gotriage"));
    QStandardPaths::setTestModeEnabled(true);
    {
        ui::MainWindow window(liveSession());
        window.setAnalysisSettings(analysis::AnalysisSettings::fast());
        window.startRecording(path, 3600 * 1000);
        QVERIFY(window.recorder());
        QSignalSpy started(window.recorder(), &record::Recorder::started);
        QString error;
        QVERIFY2(window.startDemo(3, &error), qPrintable(error));
        QVERIFY(started.count() == 1 || started.wait(10000));
        QCOMPARE(started.at(0).at(0).toString(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(window.recorder()->stats().samplesWritten >= 9, 20000);
        QVERIFY(window.triageSession()->openIncident(QStringLiteral("a drill")));
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()
                                     ->findChild<QLabel *>(QStringLiteral("statusText"))
                                     ->text()
                                     .contains(QLatin1String("recording")),
                                 5000);
    } // closing the window writes what is queued
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.services().size(), qsizetype(3));
    const auto [first, last] = reader.timeRange();
    QVERIFY(last > first);
    const record::SampleBlock samples = reader.samples(reader.services().front(), first, last);
    QVERIFY(samples.sampleCount() >= 3);
    bool drill = false;
    for (const record::StoredEvent &e : reader.events(0, std::numeric_limits<qint64>::max()))
        drill = drill || (e.kind == QLatin1String("triage") && e.json.contains(QLatin1String("a drill")));
    QVERIFY(drill);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
