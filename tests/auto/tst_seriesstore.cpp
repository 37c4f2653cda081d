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
    void tiersHoldADayWithinTheBudget();
    void lineReadsTheTierThatMatchesThePixels();
    void lineHidesWhatComesAfterThePlayhead();
    void meanReachesBackIntoTheTiers();
    void prependedHistoryFillsTheTiers();
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
    // A day of 1 s samples into a budget that holds a fifth of an hour at
    // full resolution (and the rest in buckets).
    const std::size_t budget = 3600 * store::SeriesStore::kBytesPerSample;
    store::SeriesStore store(budget);
    const std::size_t raw = store.capacityPerService();
    QCOMPARE(raw, std::size_t(3600 * store::SeriesStore::kRawShare));
    for (std::int64_t t = 0; t < 24 * 3600; ++t) {
        store.append(QStringLiteral("svc"), sampleAt(t * 1000, static_cast<double>(t)));
        if (t % 3600 == 0)
            QVERIFY(store.memoryBytes() <= budget);
    }
    QVERIFY(store.memoryBytes() <= budget);
    QCOMPARE(store.sampleCount(), raw);
    QCOMPARE(store.droppedSamples(), std::uint64_t(24 * 3600 - raw));
    const auto kept = store.snapshot(QStringLiteral("svc")).samples;
    QCOMPARE(kept.front().tsMs, std::int64_t((24 * 3600 - static_cast<std::int64_t>(raw)) * 1000)); // the newest
}

void TestSeriesStore::budgetIsSharedByServices()
{
    const std::size_t budget = 5000 * store::SeriesStore::kBytesPerSample;
    store::SeriesStore store(budget);
    for (int round = 0; round < 2000; ++round) {
        for (int s = 0; s < 10; ++s)
            store.append(QStringLiteral("svc-%1").arg(s), sampleAt(round * 1000, round));
    }
    QCOMPARE(store.capacityPerService(), std::size_t(100)); // a fifth of a tenth
    QCOMPARE(store.sampleCount(), std::size_t(1000));
    QCOMPARE(store.bucketsPerTier(0),
             std::size_t(5000 * store::SeriesStore::kBytesPerSample / 10 / 10 / store::SeriesStore::kBytesPerBucket));
    QVERIFY(store.bucketCount() > 0);
    QVERIFY(store.memoryBytes() <= budget);
    // A budget too small for anything useful still keeps a minimum per service.
    store.setBudget(1);
    QCOMPARE(store.capacityPerService(), store::SeriesStore::kMinSamplesPerService);
    QCOMPARE(store.bucketsPerTier(2), store::SeriesStore::kMinBucketsPerTier);
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

namespace {

constexpr std::int64_t kDayStart = 1'789'999'800'000; // a 5-minute boundary
constexpr std::int64_t kHourMs = 3'600'000;

// A day at 1 s: 100..110 in a cycle, one spike of 1000 at 03:00:17 and one
// dip to 1 at 20:00:03, each a single sample wide.
void fillDay(store::SeriesStore &store, const QString &service)
{
    for (std::int64_t i = 0; i < 24 * 3600; ++i) {
        double value = 100.0 + static_cast<double>(i % 11);
        if (i == 3 * 3600 + 17)
            value = 1000;
        if (i == 20 * 3600 + 3)
            value = 1;
        store.append(service, sampleAt(kDayStart + i * 1000, value));
    }
}

bool hasValue(const std::vector<std::pair<std::int64_t, double>> &points, double value)
{
    return std::any_of(points.begin(), points.end(), [&](const auto &p) { return p.second == value; });
}

} // namespace

void TestSeriesStore::tiersHoldADayWithinTheBudget()
{
    // 2 000 services' 384 MiB, per service: a day of 1 s samples fits.
    const std::size_t budget = 384U * 1024U * 1024U / 2000U;
    store::SeriesStore store(budget);
    fillDay(store, QStringLiteral("svc"));
    QVERIFY2(store.memoryBytes() <= budget, qPrintable(QString::number(store.memoryBytes())));
    QVERIFY(store.sampleCount() < 3600); // only minutes at full resolution
    QCOMPARE(store.oldestMs(QStringLiteral("svc")).value(), kDayStart); // but the day in buckets
    const auto day
        = store.line(QStringLiteral("svc"), vitals::Vital::Goroutines, kDayStart, kDayStart + 24 * kHourMs, 1000);
    QVERIFY(day.size() <= 2 * 1000 + 2);
    QVERIFY(day.size() >= 200); // every 5-minute bucket drawn
    QVERIFY(std::is_sorted(day.begin(), day.end()));
    QVERIFY(day.front().first <= kDayStart + 300'000);
    QVERIFY(day.back().first >= kDayStart + 24 * kHourMs - 2000);
    QVERIFY(hasValue(day, 1000)); // one sample's spike survives 5-minute buckets
    QVERIFY(hasValue(day, 1));
    QVERIFY(!store.oldestMs(QStringLiteral("nobody")));
}

void TestSeriesStore::lineReadsTheTierThatMatchesThePixels()
{
    // 16 MiB for one service: 10 s buckets reach back 14 hours.
    store::SeriesStore store(16U * 1024U * 1024U);
    fillDay(store, QStringLiteral("svc"));
    const QString svc = QStringLiteral("svc");
    const std::int64_t end = kDayStart + 24 * kHourMs - 1000;
    // The last minute on 800 pixels: every sample, exactly, and the one before.
    const auto minute = store.line(svc, vitals::Vital::Goroutines, end - 59'000, end, 800);
    QCOMPARE(minute.size(), std::size_t(61));
    QCOMPARE(minute.front().first, end - 60'000);
    for (const auto &[t, v] : minute)
        QCOMPARE(v, 100.0 + static_cast<double>((t - kDayStart) / 1000 % 11));
    // The hour around the dip on 300 pixels (12 s a pixel): 10 s buckets,
    // two points each, not the 1-minute tier's 120.
    const std::int64_t dip = kDayStart + 20 * kHourMs + 3'000;
    const auto hour = store.line(svc, vitals::Vital::Goroutines, dip - 1800'000, dip + 1800'000, 300);
    QVERIFY2(hour.size() <= 2 * 300 + 2 && hour.size() >= 300, qPrintable(QString::number(hour.size())));
    QVERIFY(hasValue(hour, 1));
    QVERIFY(hasValue(hour, 100));
    QVERIFY(hasValue(hour, 110));
    // Points sit on samples' times, not on bucket boundaries only.
    QVERIFY(std::all_of(hour.begin(), hour.end(), [](const auto &p) { return p.first % 1000 == 0; }));
    // A vital never known draws nothing.
    QVERIFY(store.line(svc, vitals::Vital::Cpu, kDayStart, end, 800).empty());
    QVERIFY(store.line(QStringLiteral("nobody"), vitals::Vital::Cpu, kDayStart, end, 800).empty());
}

void TestSeriesStore::lineHidesWhatComesAfterThePlayhead()
{
    store::SeriesStore store(4U * 1024U * 1024U);
    fillDay(store, QStringLiteral("svc"));
    // A replay at 03:00:10 of the whole day: the spike 7 s later is not shown
    // though its 5-minute bucket began before the playhead.
    const std::int64_t playhead = kDayStart + 3 * kHourMs + 10'000;
    const auto played = store.line(QStringLiteral("svc"), vitals::Vital::Goroutines, kDayStart,
                                   kDayStart + 24 * kHourMs, 1000, playhead);
    QVERIFY(!played.empty());
    QVERIFY(played.back().first <= playhead);
    QVERIFY(!hasValue(played, 1000));
    // The line runs up to the playhead: the unfinished bucket's samples at
    // full resolution, where they are still held, else the last whole bucket.
    QVERIFY(played.back().first >= playhead - 300'000);
}

void TestSeriesStore::meanReachesBackIntoTheTiers()
{
    // 2 000 services' share: two hours ago is held only in buckets.
    store::SeriesStore store(384U * 1024U * 1024U / 2000U);
    fillDay(store, QStringLiteral("svc"));
    const std::int64_t now = kDayStart + 24 * kHourMs - 1000;
    const std::int64_t then = now - 2 * kHourMs;
    QVERIFY(store.snapshot(QStringLiteral("svc"), then - 60'000, then).samples.empty());
    const double earlier = store.mean(QStringLiteral("svc"), vitals::Vital::Goroutines, then - 60'000, then);
    QVERIFY2(std::abs(earlier - 105.0) < 1.0, qPrintable(QString::number(earlier)));
    const double recent = store.mean(QStringLiteral("svc"), vitals::Vital::Goroutines, now - 10'999, now);
    QVERIFY2(std::abs(recent - 105.0) < 1e-9, qPrintable(QString::number(recent))); // 11 samples, one cycle
    QVERIFY(!vitals::isKnown(store.mean(QStringLiteral("svc"), vitals::Vital::Cpu, then - 60'000, then)));
    QVERIFY(!vitals::isKnown(store.mean(QStringLiteral("nobody"), vitals::Vital::Cpu, then - 60'000, then)));
}

void TestSeriesStore::prependedHistoryFillsTheTiers()
{
    // Ten live minutes, then a server's two hours before them, which overlap
    // the first live minute: only the older part is taken.
    store::SeriesStore store(4U * 1024U * 1024U);
    const QString svc = QStringLiteral("svc");
    const std::int64_t liveFrom = kDayStart + 2 * kHourMs + 7'000; // inside a 10 s bucket
    for (std::int64_t t = liveFrom; t < liveFrom + 600'000; t += 1000)
        store.append(svc, sampleAt(t, 50));
    std::vector<vitals::VitalsSample> history;
    for (std::int64_t t = kDayStart; t < liveFrom + 60'000; t += 15'000)
        history.push_back(sampleAt(t, t < liveFrom ? 20 : 999));
    store.prepend(svc, history);
    QCOMPARE(store.oldestMs(svc).value(), kDayStart);
    const auto twoHours = store.line(svc, vitals::Vital::Goroutines, kDayStart, liveFrom + 600'000, 200);
    QVERIFY(hasValue(twoHours, 20));
    QVERIFY(hasValue(twoHours, 50));
    QVERIFY(!hasValue(twoHours, 999)); // what live samples already cover
    QVERIFY(std::is_sorted(twoHours.begin(), twoHours.end()));
    // The first 10 s of the live minutes: the history's sample at its start
    // and the live ones after it.
    const double shared = store.mean(svc, vitals::Vital::Goroutines, liveFrom - 7'000, liveFrom - 7'000 + 9'999);
    QVERIFY(shared > 20 && shared < 50);
}

QTEST_APPLESS_MAIN(TestSeriesStore)
#include "tst_seriesstore.moc"
