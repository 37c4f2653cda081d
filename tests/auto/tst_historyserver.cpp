// The fleet file's "prometheus": the server that scrapes the fleet's
// services, their past read from it (kept apart from tst_fleetconfig, whose
// raw strings moc's tokenizer cannot follow once these tests are beside them).
#include "config/fleetconfig.h"
#include "fleetconfigtesting.h"

#include <QTest>

#include <algorithm>
#include <string>

using namespace gotriage::config;

namespace {

// JSON written with backquotes for its quotes, to read plainly in C++.
std::string json(const char *text)
{
    std::string out(text);
    std::replace(out.begin(), out.end(), '`', '"');
    return out;
}

} // namespace

class TestHistoryServer : public QObject
{
    Q_OBJECT

private slots:
    void parsedFromTheFleetFile();
};

// "prometheus" names the server that scrapes the services, their past read
// from it: a URL alone (2 hours of it), or with how much; a wrong one is an
// error that names the place, and the services are watched all the same.
void TestHistoryServer::parsedFromTheFleetFile()
{
    const FleetConfig plain
        = parseFleetConfig(json("{`prometheus`:`http://prom:9090`,`services`:[{`name`:`a`,`url`:`http://h:1`}]}"),
                           QStringLiteral("f.json"));
    QVERIFY(plain.problems.empty());
    QVERIFY(plain.historyServer);
    QCOMPARE(plain.historyServer->url, QUrl(QStringLiteral("http://prom:9090")));
    QCOMPARE(plain.historyServer->backfill, std::chrono::milliseconds(std::chrono::hours(2)));

    const FleetConfig longer = parseFleetConfig(
        json("{`prometheus`:{`url`:`https://thanos.example/prom`,`backfill_s`:21600},`services`:[]}"),
        QStringLiteral("f.json"));
    QVERIFY(longer.problems.empty());
    QCOMPARE(longer.historyServer->url.path(), QStringLiteral("/prom"));
    QCOMPARE(longer.historyServer->backfill, std::chrono::milliseconds(std::chrono::hours(6)));
    const FleetConfig none = parseFleetConfig(
        json("{`prometheus`:{`url`:`http://p:9090`,`backfill_s`:0},`services`:[]}"), QStringLiteral("f.json"));
    QVERIFY(none.problems.empty());
    QCOMPARE(none.historyServer->backfill, std::chrono::milliseconds(0));

    const auto expectError = [](const char *text, const char *path, const char *words) {
        const FleetConfig fleet = parseFleetConfig(json(text), QStringLiteral("f.json"));
        const ConfigProblem *problem = findProblem(fleet, QString::fromLatin1(path));
        return problem && problem->isError && problem->toString().contains(QLatin1String(words)) && !fleet.historyServer
            && fleet.services.size() == 1;
    };
    const char *const service = "`services`:[{`name`:`a`,`url`:`http://h:1`}]}";
    const auto withService
        = [service](const char *prometheus) { return std::string("{`prometheus`:") + prometheus + ',' + service; };
    const bool notAUrl = expectError(withService("`prom:9090`").c_str(), "$.prometheus", "expected an absolute");
    const bool noUrl = expectError(withService("{`backfill_s`:60}").c_str(), "$.prometheus.url", "missing");
    const bool negative
        = expectError(withService("{`url`:`http://p:9090`,`backfill_s`:-3}").c_str(), "$.prometheus.backfill_s", "");
    const bool tooLong = expectError(withService("{`url`:`http://p:9090`,`backfill_s`:9999999}").c_str(),
                                     "$.prometheus.backfill_s", "");
    const bool notAnObject = expectError(withService("9090").c_str(), "$.prometheus", "expected the server");
    QVERIFY(notAUrl);
    QVERIFY(noUrl);
    QVERIFY(negative);
    QVERIFY(tooLong);
    QVERIFY(notAnObject);
    // A misspelt key is named, with the right one.
    const FleetConfig typo = parseFleetConfig(
        json("{`prometheus`:{`url`:`http://p:9090`,`backfil_s`:60},`services`:[]}"), QStringLiteral("f.json"));
    const ConfigProblem *problem = findProblem(typo, QStringLiteral("$.prometheus.backfil_s"));
    QVERIFY(problem && !problem->isError);
    QVERIFY2(problem->message.contains(QLatin1String("backfill_s")), qPrintable(problem->message));
}

QTEST_GUILESS_MAIN(TestHistoryServer)
#include "tst_historyserver.moc"
