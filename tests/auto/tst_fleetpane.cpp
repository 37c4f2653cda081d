// The fleet pane at scale: groups by label, the exact-value filter a group
// sets, the strip of services that need attention, and the window wiring
// them to the table on the demo fleet.
#include "fleetgroupsmodel.h"
#include "fleetoverviewmodel.h"
#include "ingest/livesource.h"
#include "mainwindow.h"
#include "session/servicereport.h"
#include "session/session.h"
#include "store/seriesstore.h"
#include "topservicesstrip.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace gotriage;

namespace {

config::ServiceConfig serviceOf(const QString &name, const QString &team, config::Tier tier = config::Tier::NonCore)
{
    config::ServiceConfig service;
    service.name = name;
    service.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    service.tier = tier;
    if (!team.isEmpty())
        service.labels = {{QStringLiteral("team"), team}};
    return service;
}

// payments-1 is down, payments-2 leaks, payments-3 and the rest are fine;
// payments-eu-1 is of another team whose name starts the same.
struct Fleet {
    store::SeriesStore store;
    ui::FleetOverviewModel model{&store};
    ui::FleetSortProxy proxy;

    Fleet()
    {
        proxy.setSourceModel(&model);
        proxy.setDynamicSortFilter(true);
        proxy.sort(0);
        model.setServices({serviceOf(QStringLiteral("payments-1"), QStringLiteral("payments"), config::Tier::Core),
                           serviceOf(QStringLiteral("payments-2"), QStringLiteral("payments"), config::Tier::Core),
                           serviceOf(QStringLiteral("payments-3"), QStringLiteral("payments")),
                           serviceOf(QStringLiteral("payments-eu-1"), QStringLiteral("payments-eu")),
                           serviceOf(QStringLiteral("search-1"), QStringLiteral("search")),
                           serviceOf(QStringLiteral("search-2"), QStringLiteral("search")),
                           serviceOf(QStringLiteral("lonely"), QString())});
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int row = 0; row < model.rowCount(); ++row) {
            const QString name = model.service(row)->name;
            session::ServiceReport report;
            auto scrape = std::make_shared<scraping::ScrapeResult>();
            scrape->service = name;
            scrape->tsMs = now;
            scrape->up = name != QLatin1String("payments-1");
            report.scrape = scrape;
            report.health.up = scrape->up;
            report.vitals.tsMs = now;
            report.vitals[vitals::Vital::Goroutines] = 10 + row;
            if (scrape->up)
                report.health.lastGoodMs = now;
            else
                report.health.consecutiveFailures = 3;
            if (name == QLatin1String("payments-2")) {
                analysis::Finding leak;
                leak.service = name;
                leak.kind = analysis::FindingKind::GoroutineLeak;
                leak.severity = analysis::Severity::Critical;
                leak.signal = vitals::Vital::Goroutines;
                leak.rate = QStringLiteral("+41/min");
                report.findings = {leak};
            }
            model.applyReport(report);
        }
        model.refresh(now);
    }
};

} // namespace

class TestFleetPane : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void groupsCountTheirServicesWorstFirst();
    void groupFilterMatchesTheWholeValue();
    void stripShowsWhatNeedsAttentionWorstFirst();
    void windowGroupsTheDemoFleet();
};

void TestFleetPane::initTestCase()
{
    // The window's audit log and incidents go to a test folder.
    QStandardPaths::setTestModeEnabled(true);
}

void TestFleetPane::groupsCountTheirServicesWorstFirst()
{
    Fleet fleet;
    ui::FleetGroupsModel groups(&fleet.model);
    QAbstractItemModelTester tester(&groups, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(groups.rowCount(), 0); // no key, no groups
    QCOMPARE(groups.keys(), (QStringList{QStringLiteral("team"), QStringLiteral("tier")}));
    groups.setKey(QStringLiteral("team"));
    QCOMPARE(groups.rowCount(), 4);
    // The team with a service down first; the others by name, the unlabelled one first.
    using G = ui::FleetGroupsModel;
    QCOMPARE(groups.index(0, G::GroupColumn).data().toString(), QStringLiteral("payments"));
    QCOMPARE(groups.index(0, G::ServicesColumn).data().toInt(), 3);
    QCOMPARE(groups.index(0, G::DownColumn).data().toString(), QStringLiteral("1"));
    QCOMPARE(groups.index(0, G::FindingsColumn).data().toString(), QStringLiteral("1"));
    QCOMPARE(groups.index(1, G::GroupColumn).data().toString(), QStringLiteral("(no team)"));
    QCOMPARE(groups.index(2, G::GroupColumn).data().toString(), QStringLiteral("payments-eu"));
    QCOMPARE(groups.index(3, G::GroupColumn).data().toString(), QStringLiteral("search"));
    QCOMPARE(groups.index(3, G::ServicesColumn).data().toInt(), 2);
    QVERIFY(groups.index(3, G::DownColumn).data().toString().isEmpty()); // nothing to count
    QCOMPARE(groups.filterFor(0), QStringLiteral("team==payments"));
    QCOMPARE(groups.filterFor(1), QStringLiteral("-team="));
    QCOMPARE(groups.rowOfFilter(QStringLiteral(" team==search ")), 3);
    QCOMPARE(groups.rowOfFilter(QStringLiteral("team=search")), -1);
    // By tier: core holds the down and the leaking service.
    groups.setKey(QStringLiteral("tier"));
    QCOMPARE(groups.rowCount(), 2);
    QCOMPARE(groups.index(0, G::GroupColumn).data().toString(), QStringLiteral("core"));
    QCOMPARE(groups.filterFor(0), QStringLiteral("tier==core"));
    groups.setKey({});
    QCOMPARE(groups.rowCount(), 0);
}

void TestFleetPane::groupFilterMatchesTheWholeValue()
{
    Fleet fleet;
    ui::FleetGroupsModel groups(&fleet.model);
    groups.setKey(QStringLiteral("team"));
    const auto shown = [&](const QString &filter) {
        fleet.proxy.setFilterWords(filter);
        QStringList names;
        for (int row = 0; row < fleet.proxy.rowCount(); ++row)
            names << fleet.proxy.index(row, 0).data(ui::FleetOverviewModel::ServiceNameRole).toString();
        names.sort();
        return names;
    };
    QCOMPARE(shown(groups.filterFor(0)),
             (QStringList{QStringLiteral("payments-1"), QStringLiteral("payments-2"), QStringLiteral("payments-3")}));
    QCOMPARE(shown(QStringLiteral("team=payments")).size(), 4); // a part of the value: payments-eu too
    QCOMPARE(shown(groups.filterFor(1)), QStringList{QStringLiteral("lonely")});
    QVERIFY(shown(QStringLiteral("team==pay")).isEmpty());
    groups.setKey(QStringLiteral("tier"));
    QCOMPARE(shown(groups.filterFor(0)).size(), 2);
}

void TestFleetPane::stripShowsWhatNeedsAttentionWorstFirst()
{
    Fleet fleet;
    ui::TopServicesStrip strip(&fleet.model, &fleet.proxy);
    strip.resize(1600, strip.sizeHint().height());
    strip.show();
    strip.refresh();
    // Down first, then the critical leak; healthy services get no card.
    QCOMPARE(strip.services(), (QStringList{QStringLiteral("payments-1"), QStringLiteral("payments-2")}));
    QVERIFY(strip.isVisible());
    QSignalSpy clicked(&strip, &ui::TopServicesStrip::serviceClicked);
    const int cardWidth = (1600 - 6) / (1600 / (ui::TopServicesStrip::kMinCardWidth + 6));
    QTest::mouseClick(&strip, Qt::LeftButton, {}, QPoint(cardWidth + cardWidth / 2, strip.height() / 2));
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.front().front().toString(), QStringLiteral("payments-2"));
    // The table's filter narrows the strip; with nothing to show it hides.
    fleet.proxy.setFilterWords(QStringLiteral("team==search"));
    strip.refresh();
    QVERIFY(strip.services().isEmpty());
    QVERIFY(!strip.isVisible());
    // Painting a full strip (more candidates than cards) does not fail.
    fleet.proxy.setFilterWords({});
    strip.refresh();
    QVERIFY(!strip.grab().isNull());
}

void TestFleetPane::windowGroupsTheDemoFleet()
{
    ui::MainWindow window(std::make_unique<session::Session>(std::make_unique<ingest::LiveSource>()));
    window.resize(1600, 1000);
    window.show();
    QSignalSpy firstData(&window, &ui::MainWindow::firstDataAvailable);
    QString error;
    QVERIFY2(window.startDemo(12, &error), qPrintable(error));
    QVERIFY(firstData.wait(30000));
    auto *groupBy = window.findChild<QComboBox *>(QStringLiteral("groupBy"));
    QVERIFY(groupBy);
    QVERIFY(groupBy->findData(QStringLiteral("team")) > 0); // the demo fleet's teams
    QVERIFY(!window.groupsView()->isVisible());
    groupBy->setCurrentIndex(groupBy->findData(QStringLiteral("team")));
    emit groupBy->activated(groupBy->currentIndex());
    QVERIFY(window.groupsView()->isVisible());
    QTRY_COMPARE(window.groupsModel()->rowCount(), 5);
    // A click on a group shows its services only; a second click, all again.
    const int row = window.groupsModel()->rowOfFilter(QStringLiteral("team==commerce"));
    QVERIFY(row >= 0);
    const QRect cell = window.groupsView()->visualRect(window.groupsModel()->index(row, 0));
    QTest::mouseClick(window.groupsView()->viewport(), Qt::LeftButton, {}, cell.center());
    auto *filter = window.findChild<QLineEdit *>(QStringLiteral("fleetFilter"));
    QCOMPARE(filter->text(), QStringLiteral("team==commerce"));
    QCOMPARE(window.overviewView()->model()->rowCount(), 3); // checkout, pricing, cart
    QTest::mouseClick(window.groupsView()->viewport(), Qt::LeftButton, {}, cell.center());
    QVERIFY(filter->text().isEmpty());
    QCOMPARE(window.overviewView()->model()->rowCount(), 12);
    // No grouping: the list goes, and a group's filter with it.
    filter->setText(QStringLiteral("team==commerce"));
    window.setGroupKey({});
    QVERIFY(!window.groupsView()->isVisible());
    QVERIFY(filter->text().isEmpty());
    QCOMPARE(groupBy->currentIndex(), 0);
}

QTEST_MAIN(TestFleetPane)
#include "tst_fleetpane.moc"
