// The incident document and the audit log: typed events saved as they
// happen (a crash loses nothing, a cut line is named), and a hash chain that
// finds a changed, removed or cut line. Secrets are masked before they are
// written.
#include "store/seriesstore.h"
#include "triage/actionrunner.h"
#include "triage/auditlog.h"
#include "triage/candidates.h"
#include "triage/checklist.h"
#include "triage/impact.h"
#include "triage/incident.h"
#include "triage/verification.h"

#include <QFile>

#include <functional>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;
using namespace gotriage::triage;

namespace {

AuditLog::Entry entry(qint64 tsMs, const QString &kind, QJsonObject details = {})
{
    return {0, tsMs, AuditLog::currentUser(), AuditLog::currentHost(), kind, std::move(details)};
}

IncidentEvent makeEvent(IncidentEvent::Type type, qint64 tsMs, const QString &text = {},
                        Step step = Step::StopTheBleeding)
{
    IncidentEvent e;
    e.type = type;
    e.tsMs = tsMs;
    e.text = text;
    e.step = step;
    return e;
}

QList<QByteArray> lines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().split('\n');
}

void rewrite(const QString &path, const QList<QByteArray> &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot rewrite %s", qPrintable(path));
    file.write(content.join('\n'));
}

config::ServiceConfig serviceNamed(const QString &name, config::Tier tier)
{
    config::ServiceConfig s;
    s.name = name;
    s.tier = tier;
    s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    return s;
}

// One sample a second from `fromMs` for `seconds`, each vital from `f(t)`.
void feed(store::SeriesStore &store, const QString &service, qint64 fromMs, int seconds,
          const std::function<void(vitals::VitalsSample &, int)> &f)
{
    for (int t = 0; t < seconds; ++t) {
        vitals::VitalsSample s;
        s.tsMs = fromMs + t * 1000LL;
        f(s, t);
        store.append(service, s);
    }
}

} // namespace

class TestTriage : public QObject
{
    Q_OBJECT

private slots:
    void auditChainVerifies();
    void auditFindsAChangedLine();
    void auditFindsARemovedLine();
    void auditFindsACutLine();
    void auditMasksSecrets();
    void incidentFollowsItsEvents();
    void incidentRefusesWhatDoesNotFit();
    void incidentSurvivesACrash();
    void impactOfTheCoreServices();
    void candidatesNonCoreFirstThenPressure();
    void suggestedIncidentIsTheWorstOldestBattlefield();
    void verificationByTheExpectation();
    void verificationOfTheAdmittedRate();
    void verificationWithoutAnExpectation();
    void seedFilesAreWhole();
};

void TestTriage::auditChainVerifies()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.log")));
    QVERIFY(log.verify().ok); // no file yet: an empty, valid log
    QString error;
    QVERIFY2(log.append(entry(1000, QStringLiteral("incident_opened")), &error), qPrintable(error));
    QVERIFY(log.append(entry(2000, QStringLiteral("action_sent"), {{QStringLiteral("rps"), 25}}), &error));
    // A second writer (the next run of gotriage) continues the chain.
    AuditLog again(log.path());
    QVERIFY(again.append(entry(3000, QStringLiteral("action_reverted")), &error));
    const AuditLog::Verification v = again.verify();
    QVERIFY2(v.ok, qPrintable(v.problems.join(u'\n')));
    QCOMPARE(v.entries, 3);
    const std::vector<AuditLog::Entry> read = again.read();
    QCOMPARE(read.size(), std::size_t(3));
    QCOMPARE(read[1].seq, 2);
    QCOMPARE(read[1].kind, QStringLiteral("action_sent"));
    QCOMPARE(read[1].details.value(QStringLiteral("rps")).toInt(), 25);
    QCOMPARE(read[2].user, AuditLog::currentUser());
}

void TestTriage::auditFindsAChangedLine()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.log")));
    QString error;
    for (int i = 1; i <= 3; ++i)
        QVERIFY(log.append(entry(i * 1000, QStringLiteral("action_sent"), {{QStringLiteral("rps"), 10 * i}}), &error));
    QList<QByteArray> content = lines(log.path());
    content[1].replace("\"rps\":20", "\"rps\":99"); // someone edits what was done
    rewrite(log.path(), content);
    const AuditLog::Verification v = log.verify();
    QVERIFY(!v.ok);
    QVERIFY2(v.problems.value(0).contains(QStringLiteral("audit.log:2: the hash does not match")),
             qPrintable(v.problems.value(0)));
    // Nothing more is chained onto a broken log.
    AuditLog fresh(log.path());
    QVERIFY(!fresh.append(entry(9000, QStringLiteral("note")), &error));
    QVERIFY2(error.contains(QLatin1String("broken")), qPrintable(error));
}

void TestTriage::auditFindsARemovedLine()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.log")));
    QString error;
    for (int i = 1; i <= 3; ++i)
        QVERIFY(log.append(entry(i * 1000, QStringLiteral("action_sent")), &error));
    QList<QByteArray> content = lines(log.path());
    content.removeAt(1);
    rewrite(log.path(), content);
    const AuditLog::Verification v = log.verify();
    QVERIFY(!v.ok);
    QVERIFY2(v.problems.value(0).contains(QStringLiteral(":2: does not follow")), qPrintable(v.problems.value(0)));
}

void TestTriage::auditFindsACutLine()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.log")));
    QString error;
    for (int i = 1; i <= 2; ++i)
        QVERIFY(log.append(entry(i * 1000, QStringLiteral("action_sent")), &error));
    QFile file(log.path());
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.resize(file.size() - 20));
    file.close();
    const AuditLog::Verification v = log.verify();
    QVERIFY(!v.ok);
    QVERIFY2(v.problems.value(0).contains(QStringLiteral(":2: the last line has no end")),
             qPrintable(v.problems.value(0)));
    QCOMPARE(v.entries, 1);
}

void TestTriage::auditMasksSecrets()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.log")));
    const QString token = QStringLiteral("s3cr3t-t0ken-value");
    const QJsonObject request{
        {QStringLiteral("url"), QStringLiteral("https://etcd:2379/v3/kv/put?auth=%1").arg(token)},
        {QStringLiteral("headers"),
         QJsonObject{{QStringLiteral("Authorization"), QStringLiteral("Bearer ") + token},
                     {QStringLiteral("Content-Type"), QStringLiteral("application/json")}}},
        {QStringLiteral("body"), QJsonObject{{QStringLiteral("rps"), 25}, {QStringLiteral("password"), token}}},
    };
    const QJsonObject masked = maskSecrets(request, {token});
    QCOMPARE(masked.value(QStringLiteral("headers")).toObject().value(QStringLiteral("Authorization")).toString(),
             QStringLiteral("***"));
    QCOMPARE(masked.value(QStringLiteral("headers")).toObject().value(QStringLiteral("Content-Type")).toString(),
             QStringLiteral("application/json"));
    QCOMPARE(masked.value(QStringLiteral("body")).toObject().value(QStringLiteral("rps")).toInt(), 25);
    QVERIFY(masked.value(QStringLiteral("url")).toString().endsWith(QLatin1String("auth=***")));
    QString error;
    QVERIFY(log.append(entry(1000, QStringLiteral("action_sent"), masked), &error));
    QFile file(log.path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(token.toUtf8()));
}

void TestTriage::incidentFollowsItsEvents()
{
    Incident incident;
    QVERIFY(incident.apply(makeEvent(IncidentEvent::Type::Opened, 1000, QStringLiteral("checkout errors"))));
    QVERIFY(incident.isOpen());
    QCOMPARE(incident.title(), QStringLiteral("checkout errors"));
    QCOMPARE(incident.step(), Step::StopTheBleeding);
    QVERIFY(incident.apply(makeEvent(IncidentEvent::Type::Note, 2000, QStringLiteral("core error ratio 12 %"))));
    IncidentEvent sent = makeEvent(IncidentEvent::Type::ActionSent, 3000);
    sent.actionId = QStringLiteral("a1");
    sent.service = QStringLiteral("batch-1");
    QVERIFY(incident.apply(sent));
    QCOMPARE(incident.activeActions(), QStringList{QStringLiteral("a1")});
    QVERIFY(incident.apply(makeEvent(IncidentEvent::Type::StepChanged, 4000, {}, Step::Diagnose)));
    QCOMPARE(incident.step(), Step::Diagnose);
    QVERIFY(incident.apply(
        makeEvent(IncidentEvent::Type::Note, 5000, QStringLiteral("leak in watchInventory"), Step::Diagnose)));
    IncidentEvent reverted = makeEvent(IncidentEvent::Type::Reverted, 6000);
    reverted.actionId = QStringLiteral("a1");
    QVERIFY(incident.apply(reverted));
    QVERIFY(incident.activeActions().isEmpty());
    QCOMPARE(incident.notes(Step::Diagnose), QStringList{QStringLiteral("leak in watchInventory")});
    QCOMPARE(incident.notes().size(), 2);
    QVERIFY(incident.apply(makeEvent(IncidentEvent::Type::Closed, 7000, QStringLiteral("summary"))));
    QVERIFY(incident.isClosed());
    QCOMPARE(incident.closedMs(), 7000);
    QCOMPARE(incident.timeline().size(), std::size_t(7));
}

void TestTriage::incidentRefusesWhatDoesNotFit()
{
    Incident incident;
    QString why;
    QVERIFY(!incident.apply(makeEvent(IncidentEvent::Type::Note, 1000, QStringLiteral("early")), &why));
    QVERIFY(why.contains(QLatin1String("not been opened")));
    QVERIFY(incident.apply(makeEvent(IncidentEvent::Type::Opened, 1000, QStringLiteral("t"))));
    QVERIFY(!incident.apply(makeEvent(IncidentEvent::Type::Opened, 1500, QStringLiteral("again")), &why));
    QVERIFY(!incident.apply(makeEvent(IncidentEvent::Type::Note, 500, QStringLiteral("back in time")), &why));
    QVERIFY(incident.apply(makeEvent(IncidentEvent::Type::Closed, 2000)));
    QVERIFY(!incident.apply(makeEvent(IncidentEvent::Type::Note, 3000, QStringLiteral("late")), &why));
    QVERIFY(why.contains(QLatin1String("closed")));
    QCOMPARE(incident.timeline().size(), std::size_t(2));
}

void TestTriage::incidentSurvivesACrash()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("incident.jsonl"));
    IncidentFile file(path);
    Incident incident;
    QString error;
    QVERIFY2(
        file.record(incident, makeEvent(IncidentEvent::Type::Opened, 1000, QStringLiteral("checkout errors")), &error),
        qPrintable(error));
    QVERIFY(file.record(incident, makeEvent(IncidentEvent::Type::Note, 2000, QStringLiteral("throttling batch-1")),
                        &error));
    QVERIFY(!file.record(incident, makeEvent(IncidentEvent::Type::Opened, 2500, QStringLiteral("twice")), &error));
    QCOMPARE(incident.timeline().size(), std::size_t(2)); // the refused event changed nothing
    // What is on disk is the incident, whole.
    IncidentFile::Loaded loaded = IncidentFile::load(path);
    QVERIFY2(loaded.problems.isEmpty(), qPrintable(loaded.problems.join(u'\n')));
    QCOMPARE(loaded.incident.timeline().size(), std::size_t(2));
    QCOMPARE(loaded.incident.title(), QStringLiteral("checkout errors"));
    QCOMPARE(loaded.incident.notes(), QStringList{QStringLiteral("throttling batch-1")});
    // A crash in the middle of a write: the cut line is named, the rest kept.
    QFile raw(path);
    QVERIFY(raw.open(QIODevice::Append));
    raw.write(R"({"type":"note","ts_ms":3000,"step":"stop_the_bl)");
    raw.close();
    loaded = IncidentFile::load(path);
    QCOMPARE(loaded.incident.timeline().size(), std::size_t(2));
    QCOMPARE(loaded.problems.size(), 1);
    QVERIFY2(loaded.problems.front().startsWith(path + QStringLiteral(":3: the last line has no end")),
             qPrintable(loaded.problems.front()));
    // A foreign file is named line by line, not a crash.
    const QString foreign = dir.filePath(QStringLiteral("foreign.jsonl"));
    QFile f(foreign);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("hello\n{\"type\":\"bogus\",\"ts_ms\":1,\"step\":\"cure\"}\n");
    f.close();
    loaded = IncidentFile::load(foreign);
    QCOMPARE(loaded.problems.size(), 2);
    QVERIFY(loaded.problems[0].contains(QStringLiteral("foreign.jsonl:1: not a JSON object")));
    QVERIFY(loaded.problems[1].contains(QStringLiteral("foreign.jsonl:2: unknown event type \"bogus\"")));
    QVERIFY(!loaded.incident.isOpen());
}

void TestTriage::impactOfTheCoreServices()
{
    store::SeriesStore store;
    const qint64 t0 = 1'700'000'000'000;
    const std::vector<config::ServiceConfig> fleet = {serviceNamed(QStringLiteral("api"), config::Tier::Core),
                                                      serviceNamed(QStringLiteral("web"), config::Tier::Core),
                                                      serviceNamed(QStringLiteral("batch"), config::Tier::NonCore)};
    // Ten minutes: errors rise from 1 % to 12 % on api; web stays clean; batch is not core.
    feed(store, QStringLiteral("api"), t0, 600, [](vitals::VitalsSample &s, int t) {
        s[vitals::Vital::ReqRate] = 100;
        s[vitals::Vital::ErrRate] = t < 300 ? 1 : 12;
    });
    feed(store, QStringLiteral("web"), t0, 600, [](vitals::VitalsSample &s, int) {
        s[vitals::Vital::ReqRate] = 100;
        s[vitals::Vital::ErrRate] = 0;
    });
    feed(store, QStringLiteral("batch"), t0, 600, [](vitals::VitalsSample &s, int) {
        s[vitals::Vital::ReqRate] = 1000;
        s[vitals::Vital::ErrRate] = 500;
    });
    const triage::Impact impact = triage::computeImpact(store, fleet, t0 + 599'000);
    QCOMPARE(impact.coreServices, 2);
    QCOMPARE(impact.reporting, 2);
    QVERIFY(qFuzzyCompare(impact.requestRate, 200.0));
    QVERIFY(qFuzzyCompare(impact.errorRate, 12.0));
    QVERIFY(qFuzzyCompare(impact.errorRatio, 0.06));
    QVERIFY(qFuzzyCompare(impact.errorRatioBefore, 0.005));
    QCOMPARE(impact.trend(), QStringLiteral("rising"));
    QCOMPARE(impact.summary(), QStringLiteral("core error ratio 6.0 % and rising (12 errors/s of 200 requests/s)"));
    // No core services: it says how to name them.
    QVERIFY(triage::computeImpact(store, {fleet[2]}, t0 + 599'000).summary().contains(QLatin1String("\"tier\"")));
}

void TestTriage::candidatesNonCoreFirstThenPressure()
{
    config::ServiceConfig api = serviceNamed(QStringLiteral("api"), config::Tier::Core);
    config::ServiceConfig batch = serviceNamed(QStringLiteral("batch"), config::Tier::NonCore);
    config::ServiceConfig report = serviceNamed(QStringLiteral("report"), config::Tier::NonCore);
    api.limits.cpuCores = batch.limits.cpuCores = report.limits.cpuCores = 2;
    triage::LatestVitals latest;
    latest[QStringLiteral("api")][vitals::Vital::Cpu] = 1.9; // the hottest, but core
    latest[QStringLiteral("batch")][vitals::Vital::Cpu] = 0.4;
    latest[QStringLiteral("report")][vitals::Vital::Cpu] = 1.8;
    triage::FindingsByService findings;
    analysis::Finding leak;
    leak.kind = analysis::FindingKind::GoroutineLeak;
    leak.severity = analysis::Severity::Critical;
    findings[QStringLiteral("batch")] = {leak};
    const config::ActionCatalog catalog = config::parseActionCatalog(
        R"({"services": [], "actions": [{"name": "throttle", "applies_to": {"tier": "non-core"}, "path": "/t",
            "body": "${rps}", "revert": "none", "variables": {"rps": {"default": 1}}}]})",
        QStringLiteral("f.json"));
    const auto ranked = triage::rankCandidates({api, batch, report}, latest, findings, catalog);
    QCOMPARE(ranked.size(), std::size_t(3));
    QCOMPARE(ranked[0].service, QStringLiteral("batch")); // non-core, with a critical leak
    QCOMPARE(ranked[1].service, QStringLiteral("report")); // non-core, hot
    QCOMPARE(ranked[2].service, QStringLiteral("api")); // core last, however hot
    QVERIFY(ranked[0].reasons().join(u' ').contains(QLatin1String("goroutine_leak (critical)")));
    QVERIFY(ranked[1].reasons().join(u' ').contains(QLatin1String("CPU at 90 % of its 2 cores")));
    QCOMPARE(ranked[0].actions, QStringList{QStringLiteral("throttle")});
    QVERIFY(ranked[2].actions.isEmpty());
    QVERIFY(ranked[2].reasons().join(u' ').contains(QLatin1String("no action")));
}

void TestTriage::suggestedIncidentIsTheWorstOldestBattlefield()
{
    const auto finding
        = [](const QString &service, analysis::FindingKind kind, analysis::Severity severity, qint64 sinceMs) {
              analysis::Finding f;
              f.service = service;
              f.kind = kind;
              f.severity = severity;
              f.sinceMs = sinceMs;
              return f;
          };
    triage::FindingsByService findings;
    QVERIFY(!triage::suggestIncident(findings));
    findings[QStringLiteral("a")]
        = {finding(QStringLiteral("a"), analysis::FindingKind::Stale, analysis::Severity::Critical, 1'000)};
    QVERIFY2(!triage::suggestIncident(findings), "no data is not a battlefield");
    findings[QStringLiteral("b")]
        = {finding(QStringLiteral("b"), analysis::FindingKind::CpuSaturation, analysis::Severity::Warning, 2'000)};
    findings[QStringLiteral("c")]
        = {finding(QStringLiteral("c"), analysis::FindingKind::GcFrenzy, analysis::Severity::Warning, 9'000),
           finding(QStringLiteral("c"), analysis::FindingKind::GoroutineLeak, analysis::Severity::Critical, 8'000)};
    findings[QStringLiteral("d")]
        = {finding(QStringLiteral("d"), analysis::FindingKind::MemoryBlackHole, analysis::Severity::Critical, 5'000)};
    const auto suggested = triage::suggestIncident(findings);
    QVERIFY(suggested);
    QCOMPARE(suggested->service, QStringLiteral("d")); // critical, and older than c's leak
    QCOMPARE(suggested->title, QStringLiteral("memory black hole on d"));
    findings[QStringLiteral("d")].front().severity = analysis::Severity::Warning;
    QCOMPARE(triage::suggestIncident(findings)->service, QStringLiteral("c"));

    // A tie (as bad, as old) goes by name, not by where the hashed map
    // keeps the services: the same pick among many services whatever the
    // order they were added in.
    for (const bool reversed : {false, true}) {
        triage::FindingsByService tied;
        for (int i = 0; i < 200; ++i) {
            const QString service = QStringLiteral("svc-%1").arg(reversed ? 199 - i : i, 3, 10, QLatin1Char('0'));
            tied[service] = {finding(service, analysis::FindingKind::GoroutineLeak, analysis::Severity::Critical, 7)};
        }
        QCOMPARE(triage::suggestIncident(tied)->service, QStringLiteral("svc-000"));
    }
}

void TestTriage::verificationByTheExpectation()
{
    store::SeriesStore store;
    const qint64 t0 = 1'700'000'000'000;
    // 100 requests/s, throttled to 25 at t0 + 60 s: the rate falls after a few seconds.
    feed(store, QStringLiteral("batch"), t0, 120,
         [](vitals::VitalsSample &s, int t) { s[vitals::Vital::ReqRate] = t < 63 ? 100 : 25.5; });
    const config::ActionCatalog catalog = config::parseActionCatalog(
        R"({"services": [], "actions": [{"name": "throttle", "path": "/t", "body": "${rps}", "revert": "none",
            "variables": {"rps": {"default": 1}}, "expect_vital": "req_rate", "expect_at_most": "${rps}"}]})",
        QStringLiteral("f.json"));
    triage::ActionRun run;
    run.service = QStringLiteral("batch");
    run.sentMs = t0 + 60'000;
    run.values = {{QStringLiteral("rps"), 25}};
    const config::ActionSpec &throttle = *catalog.find(QStringLiteral("throttle"));
    triage::ActionVerdict verdict = triage::verifyAction(store, throttle, run, t0 + 62'000);
    QVERIFY(!verdict.decided); // too soon
    verdict = triage::verifyAction(store, throttle, run, t0 + 119'000);
    QVERIFY(verdict.decided);
    QVERIFY(verdict.effective);
    QVERIFY2(verdict.summary().contains(QLatin1String("req_rate 25.5 after, at most 25.0 expected")),
             qPrintable(verdict.summary()));
    run.values = {{QStringLiteral("rps"), 10}}; // asked for 10: 25.5 is not that
    QVERIFY(!triage::verifyAction(store, throttle, run, t0 + 119'000).effective);
}

void TestTriage::verificationOfTheAdmittedRate()
{
    // A throttle answers 429 to what it refuses: the request counter still
    // counts those, so the requests admitted are req_rate less shed_rate.
    store::SeriesStore store;
    const qint64 t0 = 1'700'000'000'000;
    feed(store, QStringLiteral("batch"), t0, 120, [](vitals::VitalsSample &s, int t) {
        s[vitals::Vital::ReqRate] = 100;
        s[vitals::Vital::ShedRate] = t < 70 ? 0 : 79;
    });
    const config::ActionCatalog catalog = config::parseActionCatalog(
        R"({"services": [], "actions": [{"name": "throttle", "path": "/t", "body": "${rps}", "revert": "none",
            "variables": {"rps": {"default": 20}}, "expect_vital": "admitted_rate", "expect_at_most": "${rps}"}]})",
        QStringLiteral("f.json"));
    QVERIFY(triage::isExpectable(QStringLiteral("admitted_rate")));
    QVERIFY(!triage::isExpectable(QStringLiteral("admitted")));
    triage::ActionRun run;
    run.service = QStringLiteral("batch");
    run.sentMs = t0 + 60'000;
    run.values = {{QStringLiteral("rps"), 20}};
    const config::ActionSpec &throttle = *catalog.find(QStringLiteral("throttle"));
    QVERIFY(!triage::verifyAction(store, throttle, run, t0 + 70'500).decided); // the rate window has not passed
    const triage::ActionVerdict verdict = triage::verifyAction(store, throttle, run, t0 + 75'000);
    QVERIFY(verdict.decided);
    QVERIFY2(verdict.effective, qPrintable(verdict.summary()));
    QVERIFY2(verdict.summary().contains(QLatin1String("admitted_rate 21.0 after")), qPrintable(verdict.summary()));
    // The same traffic against a limit of 15: 21 admitted is more than a burst and jitter over it.
    run.values = {{QStringLiteral("rps"), 15}};
    const triage::ActionVerdict over = triage::verifyAction(store, throttle, run, t0 + 75'000);
    QVERIFY(over.decided);
    QVERIFY2(!over.effective, qPrintable(over.summary()));
}

void TestTriage::verificationWithoutAnExpectation()
{
    store::SeriesStore store;
    const qint64 t0 = 1'700'000'000'000;
    // Goroutines grow 60/min until the action at 120 s, then stay flat.
    feed(store, QStringLiteral("svc"), t0, 240, [](vitals::VitalsSample &s, int t) {
        s[vitals::Vital::Goroutines] = t < 120 ? 100 + t : 220;
        s[vitals::Vital::ReqRate] = 50;
        s[vitals::Vital::ErrRate] = 0;
    });
    config::ActionSpec plain;
    plain.name = QStringLiteral("degrade");
    triage::ActionRun run;
    run.service = QStringLiteral("svc");
    run.sentMs = t0 + 120'000;
    const triage::ActionVerdict verdict = triage::verifyAction(store, plain, run, t0 + 239'000);
    QVERIFY(verdict.decided);
    QVERIFY(verdict.effective);
    QVERIFY2(verdict.summary().contains(QLatin1String("goroutine growth flattened")), qPrintable(verdict.summary()));
}

void TestTriage::seedFilesAreWhole()
{
    // The fuzz seeds in tests/data/triage are valid files of each kind.
    const IncidentFile::Loaded incident
        = IncidentFile::load(QStringLiteral(GOTRIAGE_TEST_DATA "/triage/incident.jsonl"));
    QVERIFY2(incident.problems.isEmpty(), qPrintable(incident.problems.join(u'\n')));
    QVERIFY(incident.incident.isClosed());
    QCOMPARE(incident.incident.timeline().size(), std::size_t(8));
    QVERIFY(incident.incident.activeActions().isEmpty());
    const AuditLog::Verification audit = AuditLog(QStringLiteral(GOTRIAGE_TEST_DATA "/triage/audit.log")).verify();
    QVERIFY2(audit.ok, qPrintable(audit.problems.join(u'\n')));
    QCOMPARE(audit.entries, 2);
    // Its summary, as written when it closed.
    const QString summary = incidentSummary(incident.incident);
    QVERIFY2(summary.startsWith(QStringLiteral("checkout errors at 12 %: 5 min, closed")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral(
                 "- throttle on batch-1\n  effective: req_rate 24.8 after, at most 25.0 expected\n  reverted")),
             qPrintable(summary));
    QVERIFY(summary.contains(QStringLiteral("Notes (diagnose):\n- goroutines parked in watchInventory.func1")));
}

QTEST_GUILESS_MAIN(TestTriage)
#include "tst_triage.moc"
