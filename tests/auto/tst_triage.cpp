// The incident document and the audit log: typed events saved as they
// happen (a crash loses nothing, a cut line is named), and a hash chain that
// finds a changed, removed or cut line. Secrets are masked before they are
// written.
#include "triage/auditlog.h"
#include "triage/incident.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

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

QTEST_GUILESS_MAIN(TestTriage)
#include "tst_triage.moc"
