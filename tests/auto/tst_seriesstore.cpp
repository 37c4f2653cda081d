#include "store/seriesstore.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace gotriage;

namespace {

vitals::VitalsSample sampleAt(std::int64_t tsMs, double value)
{
    vitals::VitalsSample s;
    s.tsMs = tsMs;
    s[vitals::Vital::Goroutines] = value;
    return s;
}

} // namespace

class TestSeriesStore : public QObject
{
    Q_OBJECT

private slots:
    void appendAndSnapshot();
    void staysWithinBudgetOverALongRun();
    void budgetIsSharedByServices();
    void outOfOrderSampleReplacesTheTail();
    void retainForgetsRemovedServices();
    void concurrentWriterAndReaders();
};

void TestSeriesStore::appendAndSnapshot()
{
    store::SeriesStore store;
    for (int i = 0; i < 100; ++i)
        store.append(QStringLiteral("a"), sampleAt(i * 1000, i));
    QCOMPARE(store.snapshot(QStringLiteral("a")).samples.size(), std::size_t(100));
    const auto recent = store.snapshot(QStringLiteral("a"), 90'000);
    QCOMPARE(recent.samples.size(), std::size_t(10));
    QCOMPARE(recent.samples.front().tsMs, std::int64_t(90'000));
    const auto series = recent.series(vitals::Vital::Goroutines);
    QCOMPARE(series.back().second, 99.0);
    QVERIFY(recent.series(vitals::Vital::Cpu).empty()); // unknown values are not points
    // A playhead at 42.5 s: nothing after it, both ends inclusive.
    const auto played = store.snapshot(QStringLiteral("a"), 40'000, 42'500);
    QCOMPARE(played.samples.size(), std::size_t(3));
    QCOMPARE(played.samples.front().tsMs, std::int64_t(40'000));
    QCOMPARE(played.samples.back().tsMs, std::int64_t(42'000));
    QCOMPARE(store.snapshot(QStringLiteral("a"), INT64_MIN, 42'000).samples.size(), std::size_t(43));
    QVERIFY(store.snapshot(QStringLiteral("a"), 50'000, 40'000).samples.empty());
    QCOMPARE(store.latest(QStringLiteral("a"))->tsMs, std::int64_t(99'000));
    QVERIFY(!store.latest(QStringLiteral("nobody")).has_value());
    QVERIFY(store.snapshot(QStringLiteral("nobody")).samples.empty());
}

void TestSeriesStore::staysWithinBudgetOverALongRun()
{
    // A day of 1 s samples into a budget that holds about an hour.
    const std::size_t budget = 3600 * store::SeriesStore::kBytesPerSample;
    store::SeriesStore store(budget);
    for (std::int64_t t = 0; t < 24 * 3600; ++t) {
        store.append(QStringLiteral("svc"), sampleAt(t * 1000, static_cast<double>(t)));
        if (t % 3600 == 0)
            QVERIFY(store.memoryBytes() <= budget);
    }
    QCOMPARE(store.sampleCount(), std::size_t(3600));
    QCOMPARE(store.droppedSamples(), std::uint64_t(24 * 3600 - 3600));
    const auto kept = store.snapshot(QStringLiteral("svc")).samples;
    QCOMPARE(kept.front().tsMs, std::int64_t((24 * 3600 - 3600) * 1000)); // the newest hour survives
}

void TestSeriesStore::budgetIsSharedByServices()
{
    const std::size_t budget = 1000 * store::SeriesStore::kBytesPerSample;
    store::SeriesStore store(budget);
    for (int round = 0; round < 2000; ++round) {
        for (int s = 0; s < 10; ++s)
            store.append(QStringLiteral("svc-%1").arg(s), sampleAt(round * 1000, round));
    }
    QCOMPARE(store.capacityPerService(), std::size_t(100));
    QCOMPARE(store.sampleCount(), std::size_t(1000));
    QVERIFY(store.memoryBytes() <= budget);
    // A budget too small for anything useful still keeps a minimum per service.
    store.setBudget(1);
    QCOMPARE(store.capacityPerService(), store::SeriesStore::kMinSamplesPerService);
}

void TestSeriesStore::outOfOrderSampleReplacesTheTail()
{
    store::SeriesStore store;
    store.append(QStringLiteral("a"), sampleAt(1000, 1));
    store.append(QStringLiteral("a"), sampleAt(2000, 2));
    store.append(QStringLiteral("a"), sampleAt(3000, 3));
    store.append(QStringLiteral("a"), sampleAt(2000, 9)); // the wall clock stepped back
    const auto samples = store.snapshot(QStringLiteral("a")).samples;
    QCOMPARE(samples.size(), std::size_t(2));
    QCOMPARE(samples.back()[vitals::Vital::Goroutines], 9.0);
}

void TestSeriesStore::retainForgetsRemovedServices()
{
    store::SeriesStore store;
    store.append(QStringLiteral("a"), sampleAt(1, 1));
    store.append(QStringLiteral("b"), sampleAt(1, 1));
    store.retain({QStringLiteral("b")});
    QCOMPARE(store.services(), std::vector<QString>{QStringLiteral("b")});
}

void TestSeriesStore::concurrentWriterAndReaders()
{
    store::SeriesStore store(500 * store::SeriesStore::kBytesPerSample);
    std::atomic<bool> done{false};
    std::atomic<int> badSnapshots{0};
    std::thread writer([&] {
        for (int i = 0; i < 200'000; ++i)
            store.append(QStringLiteral("svc-%1").arg(i % 5), sampleAt(i, i));
        done = true;
    });
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            while (!done) {
                const auto snapshot = store.snapshot(QStringLiteral("svc-1"));
                for (std::size_t k = 1; k < snapshot.samples.size(); ++k) {
                    if (snapshot.samples[k].tsMs <= snapshot.samples[k - 1].tsMs)
                        ++badSnapshots;
                }
            }
        });
    }
    writer.join();
    for (std::thread &reader : readers)
        reader.join();
    QCOMPARE(badSnapshots.load(), 0);
    QVERIFY(store.sampleCount() <= 500);
}

QTEST_APPLESS_MAIN(TestSeriesStore)
#include "tst_seriesstore.moc"
