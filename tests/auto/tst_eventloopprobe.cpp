#include "eventloopprobe.h"
#include "session/servicereport.h"
#include "updatecadence.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

using gotriage::ui::EventLoopProbe;
using gotriage::ui::UpdateCadence;

namespace {

enum class Outcome { Up, Down, Congested };

// A batch of one report per service named.
gotriage::session::SessionBatch batchOf(const QStringList &services, Outcome outcome = Outcome::Up)
{
    gotriage::session::SessionBatch batch;
    for (const QString &name : services) {
        auto scrape = std::make_shared<gotriage::scraping::ScrapeResult>();
        scrape->service = name;
        scrape->up = outcome == Outcome::Up;
        scrape->congested = outcome == Outcome::Congested;
        auto report = std::make_shared<gotriage::session::ServiceReport>();
        report->scrape = scrape;
        batch.reports.push_back(report);
    }
    return batch;
}

} // namespace

class TestEventLoopProbe : public QObject
{
    Q_OBJECT

private slots:
    void percentilesAreTheSortedListsToABucket();
    void summaryCoversTheWholeRunAfterWindows();
    void theFloorIsTheMachinesNotTheGuiThreads();
    void cadenceIsTheTimeBetweenAServicesUpdates();
};

void TestEventLoopProbe::percentilesAreTheSortedListsToABucket()
{
    EventLoopProbe::Distribution d;
    QCOMPARE(d.percentile(0.99), 0.0);
    for (int i = 0; i < 1000; ++i)
        d.add(i * 0.05); // 0, 0.05 ... 49.95 ms
    QCOMPARE(d.count(), std::size_t{1000});
    QCOMPARE(d.max(), 49.95);
    // A sorted list's value at 0.99 (0-based 989 of 1000) is 49.45; the
    // answer is the end of its 10 µs bucket, at most 10 µs above.
    const auto near = [](double got, double want) { return got >= want - 1e-9 && got <= want + 0.01 + 1e-9; };
    QVERIFY2(near(d.percentile(0.99), 49.45), qPrintable(QString::number(d.percentile(0.99))));
    QVERIFY2(near(d.percentile(0.5), 24.95), qPrintable(QString::number(d.percentile(0.5))));
    // Past 100 ms the buckets are 1 ms wide, and the largest is never overstated.
    d.add(150.4);
    QCOMPARE(d.percentile(1.0), 150.4);
    d.add(20'000); // beyond the last bucket: counted there, and still the max
    QCOMPARE(d.max(), 20'000.0);
    QCOMPARE(d.percentile(1.0), 20'000.0);
    QVERIFY(d.percentile(0.99) < 50);
}

// Starts `probe`, then holds this thread (the GUI's, for the probe) busy
// for `ms` between two 100 ms waits in the event loop.
static void holdTheThread(EventLoopProbe &probe, int ms)
{
    probe.start();
    QTest::qWait(100);
    QElapsedTimer busy;
    busy.start();
    while (busy.elapsed() < ms) { }
    QTest::qWait(100);
}

void TestEventLoopProbe::summaryCoversTheWholeRunAfterWindows()
{
    // A soak prints a window line every few seconds; the summary at the end
    // must still hold a stall from the first window (it held only the last).
    EventLoopProbe probe;
    holdTheThread(probe, 80);
    const QString first = probe.windowLine();
    static const QRegularExpression windowMax(QStringLiteral(R"(max_ms=([0-9.]+))"));
    QVERIFY2(windowMax.match(first).captured(1).toDouble() >= 70, qPrintable(first));
    QTest::qWait(200);
    probe.windowLine();
    QVERIFY2(probe.maxStallMs() >= 70, qPrintable(probe.summary()));
    static const QRegularExpression summaryMax(
        QStringLiteral(R"(gui stall: max ([0-9.]+) ms.*\(([0-9]+) ticks\); resident ([0-9.]+) MiB)"));
    const auto match = summaryMax.match(probe.summary());
    QVERIFY2(match.hasMatch(), qPrintable(probe.summary()));
    QVERIFY(match.captured(1).toDouble() >= 70);
    // About 400 ms at 4 ms a tick, less the stall, and fewer on a busy machine.
    QVERIFY2(match.captured(2).toInt() >= 20, qPrintable(probe.summary()));
    QVERIFY(match.captured(3).toDouble() > 1);
}

void TestEventLoopProbe::theFloorIsTheMachinesNotTheGuiThreads()
{
    // The bare sleeper beside the probe keeps waking while the GUI thread is
    // held: its lateness is the machine's, not the GUI thread's work.
    EventLoopProbe probe;
    holdTheThread(probe, 200);
    const QString summary = probe.summary();
    QVERIFY2(probe.maxStallMs() >= 190, qPrintable(summary));
    static const QRegularExpression floor(QStringLiteral(
        R"(the machine's floor: a bare thread sleeping beside it woke up to ([0-9.]+) ms late \(p99 ([0-9.]+) ms, ([0-9]+) wake-ups\))"));
    const auto match = floor.match(summary);
    QVERIFY2(match.hasMatch(), qPrintable(summary));
    // Read from the summary itself: the sleeper keeps running after it.
    QVERIFY2(match.captured(1).toDouble() < probe.maxStallMs() / 2, qPrintable(summary));
    // About 400 ms at 4 ms a wake-up, the held 200 ms included.
    QVERIFY2(match.captured(3).toInt() >= 50, qPrintable(summary));
}

void TestEventLoopProbe::cadenceIsTheTimeBetweenAServicesUpdates()
{
    UpdateCadence cadence;
    cadence.note(batchOf({QStringLiteral("a")}), 500); // before start(): not counted
    cadence.start(1'000);
    QCOMPARE(cadence.percentileGapMs(0.5), 0.0);
    // "a" and "b" every 15 s; "b" also once more in the same batch (a
    // backlog: one arrival); a scrape of "a" that found no free connection
    // is not an update.
    for (qint64 t = 2'000; t <= 62'000; t += 15'000) {
        cadence.note(batchOf({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b")}), t);
        cadence.note(batchOf({QStringLiteral("a")}, Outcome::Congested), t + 7'000);
    }
    // "c" misses a round: one gap of 30 s; is down (news too) at 47 s; and
    // stops being reported at 62 s.
    cadence.note(batchOf({QStringLiteral("c")}), 2'000);
    cadence.note(batchOf({QStringLiteral("c")}), 32'000);
    cadence.note(batchOf({QStringLiteral("c")}, Outcome::Down), 47'000);
    cadence.note(batchOf({QStringLiteral("c")}), 62'000);
    QCOMPARE(cadence.services(), qsizetype{3});
    // 4 gaps each of "a" and "b" (15 s), and 15, 15, 30 s of "c": the median 15 s, to a bucket.
    QVERIFY2(cadence.percentileGapMs(0.5) > 14'999 && cadence.percentileGapMs(0.5) <= 15'010,
             qPrintable(QString::number(cadence.percentileGapMs(0.5))));
    QCOMPARE(cadence.percentileGapMs(1.0), 30'000.0);
    QCOMPARE(cadence.maxGapMs(62'000), 30'000.0);
    // Nothing since 62 s: by 100 s every service's open gap is 38 s.
    QCOMPARE(cadence.maxGapMs(100'000), 38'000.0);
    const QString line = cadence.summary(100'000);
    QVERIFY2(line.startsWith(QLatin1String("updates: 11 of 3 services; a service updated every 15.0 s (median), "))
                 && line.endsWith(QLatin1String(", 38.0 s at most")),
             qPrintable(line));
}

QTEST_GUILESS_MAIN(TestEventLoopProbe)
#include "tst_eventloopprobe.moc"
