#include "store/decimate.h"
#include "store/seriesstore.h"

#include <QTest>

#include <algorithm>
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
    void decimationKeepsEveryColumnsExtremes();
    void decimationLeavesShortSeriesAlone();
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
void TestSeriesStore::decimationKeepsEveryColumnsExtremes()
{
    // A day at 1 s (86 400 points) on a 1 000-pixel chart of its middle
    // 6 hours, with one spike and one dip a single sample wide.
    std::vector<std::pair<std::int64_t, double>> points;
    for (std::int64_t t = 0; t < 86400; ++t)
        points.emplace_back(t * 1000, 100.0 + static_cast<double>(t % 7));
    const std::int64_t from = 9 * 3600 * 1000, to = 15 * 3600 * 1000;
    points[10 * 3600 + 17].second = 5000; // inside
    points[14 * 3600 + 3].second = -40; // inside
    points[20 * 3600].second = 9999; // outside: not drawn, not kept
    const int columns = 1000;
    const auto out = store::decimateMinMax(points, from, to, columns);
    QVERIFY(out.size() <= 2 * columns + 2);
    QVERIFY(out.size() >= columns); // every column has something to draw
    QVERIFY(std::is_sorted(out.begin(), out.end()));
    // The neighbours beyond the edges, so that the line reaches them.
    QCOMPARE(out.front().first, from - 1000);
    QCOMPARE(out.back().first, to + 1000);
    const auto has = [&](double value) {
        return std::any_of(out.begin(), out.end(), [&](const auto &p) { return p.second == value; });
    };
    QVERIFY(has(5000));
    QVERIFY(has(-40));
    QVERIFY(!has(9999));
    // Per column, the same extremes as the full series.
    const double width = static_cast<double>(to - from) / columns;
    for (int column : {0, 1, 417, 999}) {
        const auto lo = static_cast<std::int64_t>(from + column * width);
        const auto hi = static_cast<std::int64_t>(from + (column + 1) * width);
        double fullMin = 1e300, fullMax = -1e300, keptMin = 1e300, keptMax = -1e300;
        for (const auto &[t, v] : points) {
            if (t >= lo && t < hi) {
                fullMin = std::min(fullMin, v);
                fullMax = std::max(fullMax, v);
            }
        }
        for (const auto &[t, v] : out) {
            if (t >= lo && t < hi) {
                keptMin = std::min(keptMin, v);
                keptMax = std::max(keptMax, v);
            }
        }
        QCOMPARE(keptMin, fullMin);
        QCOMPARE(keptMax, fullMax);
    }
}

void TestSeriesStore::decimationLeavesShortSeriesAlone()
{
    std::vector<std::pair<std::int64_t, double>> points;
    for (std::int64_t t = 0; t < 300; ++t)
        points.emplace_back(t * 1000, static_cast<double>(t));
    // Five minutes on an 800-pixel chart: every point, and nothing else.
    QCOMPARE(store::decimateMinMax(points, 0, 299000, 800), points);
    // A range within: its points and one neighbour each side.
    const auto part = store::decimateMinMax(points, 100000, 199000, 800);
    QCOMPARE(part.size(), std::size_t(102));
    QCOMPARE(part.front().first, 99000);
    QCOMPARE(part.back().first, 200000);
    QVERIFY(store::decimateMinMax({}, 0, 1000, 10).empty());
}

#include "tst_seriesstore.moc"
