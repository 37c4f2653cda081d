// The clock that live data runs on, and the rule that nothing below app/
// reads the wall clock on its own.
#include "common/clock.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace gotriage;

class TestClock : public QObject
{
    Q_OBJECT

private slots:
    void followsTheWallClock();
    void aStepBackwardsLosesNoHistory();
    void aStepForwardIsFollowed();
    void neverGoesBackAcrossThreads();
    void onlyTheLiveClockReadsTheWallClock();
};

void TestClock::followsTheWallClock()
{
    const common::LiveClock clock;
    const qint64 wall = common::LiveClock::systemWallMs();
    QVERIFY(std::llabs(clock.nowMs() - wall) < 50);
    QTest::qWait(120);
    const qint64 later = clock.nowMs();
    QVERIFY2(later - wall >= 100 && later - wall < 1000, qPrintable(QString::number(later - wall)));
}

void TestClock::aStepBackwardsLosesNoHistory()
{
    // The wall clock is set back an hour mid-run (simulated through the
    // clock's wall source): timestamps keep rising, so no sample lands
    // before the ones already stored and nothing is reordered or dropped.
    std::atomic<qint64> wall{1'800'000'000'000};
    const common::LiveClock clock([&] { return wall.load(); });
    const qint64 before = clock.nowMs();
    QTest::qWait(30);
    wall -= 3'600'000;
    QTest::qWait(30);
    const qint64 after = clock.nowMs();
    QVERIFY2(after > before, qPrintable(QStringLiteral("%1 then %2").arg(before).arg(after)));
    QVERIFY(after - before >= 50 && after - before < 1000); // the monotonic time that passed
}

void TestClock::aStepForwardIsFollowed()
{
    std::atomic<qint64> wall{1'800'000'000'000};
    const common::LiveClock clock([&] { return wall.load(); });
    const qint64 before = clock.nowMs();
    wall += 60'000; // a suspended VM resumes a minute later
    const qint64 after = clock.nowMs();
    QVERIFY2(after - before >= 60'000 && after - before < 61'000, qPrintable(QString::number(after - before)));
    // Small drifts ahead are not chased (the monotonic timer rules).
    wall += 500;
    QVERIFY(clock.nowMs() - after < 500);
}

void TestClock::neverGoesBackAcrossThreads()
{
    const common::LiveClock clock;
    std::atomic<bool> wentBack{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            qint64 last = 0;
            for (int i = 0; i < 20000; ++i) {
                const qint64 now = clock.nowMs();
                if (now < last)
                    wentBack = true;
                last = now;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QVERIFY(!wentBack);
}

void TestClock::onlyTheLiveClockReadsTheWallClock()
{
    // Time flows from the source's clock: a direct read of the wall clock
    // below app/ would bypass replay's playhead and the live clock's anchor.
    const QDir source(QStringLiteral(GOTRIAGE_TEST_DATA "/../.."));
    const QRegularExpression direct(
        QStringLiteral("QDateTime::current|QDate::current|QTime::current|system_clock|\\btime\\(nullptr\\)"));
    QStringList offenders;
    for (const QString &folder : {QStringLiteral("core"), QStringLiteral("ui")}) {
        QDirIterator it(source.filePath(folder), {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(QLatin1String("core/common/clock.cpp")))
                continue;
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
            for (qsizetype i = 0; i < lines.size(); ++i) {
                if (lines[i].contains(direct))
                    offenders << QStringLiteral("%1:%2: %3").arg(path).arg(i + 1).arg(lines[i].trimmed());
            }
        }
    }
    QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
