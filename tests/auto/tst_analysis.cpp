#include "analysis/corpus.h"
#include "analysis/findingjson.h"
#include "analysis/serviceanalyzer.h"
#include "analysis/statistics.h"
#include "analysis/trendtracker.h"
#include "scraping/scraperesult.h"
#include "scraping/servicehealth.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>

using namespace gotriage;
using namespace gotriage::analysis;
using vitals::Vital;

namespace {

struct Feed {
    ServiceAnalyzer analyzer;
    scraping::ServiceHealth health;
    vitals::RuntimeInfo runtime;
    std::vector<FindingChange> changes;

    explicit Feed(AnalysisSettings settings, config::ServiceConfig service = {})
        : analyzer(service.name.isEmpty() ? named(std::move(service)) : std::move(service), std::move(settings))
    { }
    static config::ServiceConfig named(config::ServiceConfig s)
    {
        s.name = QStringLiteral("svc");
        return s;
    }
    void at(qint64 tsMs, const vitals::VitalsSample &v, bool up = true, bool restarted = false)
    {
        health.up = up;
        if (up)
            health.lastGoodMs = tsMs;
        else
            ++health.consecutiveFailures;
        auto c = analyzer.update(tsMs, v, health, restarted, runtime);
        changes.insert(changes.end(), c.begin(), c.end());
    }
    std::optional<qint64> raisedAt(FindingKind kind) const
    {
        for (const FindingChange &c : changes) {
            if (c.finding.kind == kind && c.type == FindingChange::Type::Raised)
                return c.tsMs;
        }
        return std::nullopt;
    }
    int battlefieldRaises() const
    {
        int n = 0;
        for (const FindingChange &c : changes)
            n += c.type == FindingChange::Type::Raised && isBattlefield(c.finding.kind);
        return n;
    }
};

vitals::VitalsSample sample(qint64 tsMs)
{
    vitals::VitalsSample v;
    v.tsMs = tsMs;
    return v;
}

} // namespace

class TestAnalysis : public QObject
{
    Q_OBJECT

private slots:
    void theilSenOnALine();
    void theilSenIgnoresOutliers();
    void mannKendallTextbook();
    void mannKendallTies();
    void autocorrelationWidensTheVariance();
    void trackerSeesARamp();
    void trackersSharingOneBlockKeepTheirOwnRings();
    void aWindowHoldsItsSpanOfTime();
    void trackerMeasuresARiseAfterAFlatStretch();
    void trackerTellsANoisyStepFromARamp();
    void trackerIgnoresNoiseAndSteps_data();
    void trackerIgnoresNoiseAndSteps();
    void restartStartsANewSegment();
    void goroutineLeakWithTimeToLimit();
    void timeToLimitOnlyForAMaterialRise();
    void noTimeToLimitInTheFirstMinute();
    void corroborationNeedsDifferentHistory_data();
    void corroborationNeedsDifferentHistory();
    void gcSawtoothIsNotALeak();
    void memoryCreepAfterGc();
    void rssStepsOfASettlingProcessAreNotALeak_data();
    void rssStepsOfASettlingProcessAreNotALeak();
    void rssGrowthUnderAFlatHeap();
    void steepCleanRiseIsFoundByItsSlope_data();
    void steepCleanRiseIsFoundByItsSlope();
    void gcFrenzyAndHysteresis();
    void cpuSaturationNearGomaxprocs();
    void staleIsImmediate();
    void configRemarks();
    void findingJsonReadsBackWhatItWrites();
    void findingJsonRejectsWhatDoesNotFit_data();
    void findingJsonRejectsWhatDoesNotFit();
};

void TestAnalysis::theilSenOnALine()
{
    const std::vector<double> x{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    std::vector<double> y;
    for (double v : x)
        y.push_back(3 + 2 * v);
    const TheilSen fit = theilSen(x, y);
    QVERIFY(fit.valid);
    QCOMPARE(fit.slope, 2.0);
    QCOMPARE(fit.intercept, 3.0);
    QCOMPARE(fit.slopeLow, 2.0);
    QCOMPARE(fit.slopeHigh, 2.0);
}

void TestAnalysis::theilSenIgnoresOutliers()
{
    std::vector<double> x, y;
    for (int i = 0; i < 30; ++i) {
        x.push_back(i);
        y.push_back(100 + 0.5 * i + (i % 7 == 0 ? 400 : 0)); // GC spikes
    }
    const TheilSen fit = theilSen(x, y);
    QVERIFY(std::fabs(fit.slope - 0.5) < 0.05);
    QVERIFY(fit.slopeLow <= 0.5 && fit.slopeHigh >= 0.5);
}

void TestAnalysis::mannKendallTextbook()
{
    // A strictly rising series of 10: S = 45, Var(S) = 10·9·25/18 = 125, Z = 44/√125.
    std::vector<double> y{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const MannKendall mk = mannKendall(y, 1.0);
    QCOMPARE(mk.s, 45.0);
    QCOMPARE(mk.lag1, 0.0); // the residual around the trend is constant
    QVERIFY(std::fabs(mk.z - 44 / std::sqrt(125.0)) < 1e-9);
    QVERIFY(mk.p < 0.001);
    std::reverse(y.begin(), y.end());
    QVERIFY(mannKendall(y, -1.0).z < -3.9);
}

void TestAnalysis::mannKendallTies()
{
    // Ties shrink the variance: Var = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/18.
    const std::vector<double> y{1, 1, 2, 2, 3, 3};
    const MannKendall mk = mannKendall(y, 0.4);
    QCOMPARE(mk.s, 12.0);
    const double expected = (6.0 * 5 * 17 - 3 * (2.0 * 1 * 9)) / 18.0;
    QVERIFY(std::fabs(mk.variance / ((1 + mk.lag1) / (1 - mk.lag1)) - expected) < 1e-9);
}

void TestAnalysis::autocorrelationWidensTheVariance()
{
    Ar1Noise noise(0.9, 1.0, 7);
    std::vector<double> y;
    for (int i = 0; i < 100; ++i)
        y.push_back(noise.next());
    const MannKendall mk = mannKendall(y);
    QVERIFY(mk.lag1 > 0.5);
    const double plain = 100.0 * 99 * 205 / 18;
    QVERIFY(mk.variance > 2 * plain);
}

void TestAnalysis::trackerSeesARamp()
{
    TrendTracker tracker({{std::chrono::minutes(5), std::chrono::seconds(10)}});
    Ar1Noise noise(0.7, 0.02, 1);
    for (int s = 0; s <= 300; ++s)
        tracker.add(s * 1000LL, 1000 * (1 + 0.01 * s / 60.0) * (1 + noise.next()), {}); // 1 %/min
    const TrendEstimate *e = tracker.best();
    QVERIFY(e && e->significant);
    QVERIFY2(std::fabs(e->relativePerMinute() - 0.01) < 0.004, qPrintable(QString::number(e->relativePerMinute())));
}

void TestAnalysis::trackersSharingOneBlockKeepTheirOwnRings()
{
    // A service's analysis maps one block for all its trackers' rings: a
    // ramp in one and a flat line in the next stay apart, past the point
    // where both rings have wrapped.
    const std::vector<WindowSpec> windows
        = {{std::chrono::minutes(1), std::chrono::seconds(5)}, {std::chrono::minutes(5), std::chrono::seconds(10)}};
    common::PrefaultedBlock block(2 * TrendTracker::ringBytes(windows));
    auto *rings = static_cast<std::byte *>(block.data());
    TrendTracker ramp(windows, Aggregate::Median, rings);
    TrendTracker flat(windows, Aggregate::Median, rings + TrendTracker::ringBytes(windows));
    Ar1Noise noise(0.7, 0.02, 1);
    for (int s = 0; s <= 900; ++s) {
        ramp.add(s * 1000LL, 1000 * (1 + 0.01 * s / 60.0) * (1 + noise.next()), {}); // 1 %/min
        flat.add(s * 1000LL, 1000 * (1 + noise.next()), {});
    }
    const TrendEstimate *rising = ramp.best();
    QVERIFY(rising && rising->significant);
    QVERIFY2(std::fabs(rising->relativePerMinute() - 0.01) < 0.004,
             qPrintable(QString::number(rising->relativePerMinute())));
    QCOMPARE(rising->points, 30); // the 5-minute ring, full
    for (const TrendEstimate &e : flat.estimates()) {
        QVERIFY(e.valid);
        QVERIFY2(!e.significant, qPrintable(QString::number(e.relativePerMinute())));
        QVERIFY2(std::fabs(e.level - 1000) < 50, qPrintable(QString::number(e.level)));
    }
}

void TestAnalysis::aWindowHoldsItsSpanOfTime()
{
    // A server's samples 15 s apart against 5 s buckets: the 2-minute
    // window holds 2 minutes of them (8), not 24 buckets of 6 minutes.
    TrendTracker sparse({{std::chrono::minutes(2), std::chrono::seconds(5)}});
    for (int i = 0; i <= 60; ++i)
        sparse.add(i * 15'000LL, 1000 + i, {});
    const TrendEstimate &twoMinutes = sparse.estimates().front();
    QCOMPARE(twoMinutes.points, 8);
    QVERIFY2(twoMinutes.spanSeconds <= 120, qPrintable(QString::number(twoMinutes.spanSeconds)));
    QVERIFY(twoMinutes.valid && twoMinutes.slopePerSecond > 0);

    // After a 10-minute gap in the scrapes, what came before it is out of
    // the window: judged on the 8 buckets since, too few for a trend yet.
    TrendTracker gapped({{std::chrono::minutes(2), std::chrono::seconds(5)}});
    for (int s = 0; s <= 120; s += 5)
        gapped.add(s * 1000LL, 1000, {});
    for (int s = 720; s <= 760; s += 5)
        gapped.add(s * 1000LL, 1000, {});
    QCOMPARE(gapped.estimates().front().points, 8);
}

void TestAnalysis::trackerMeasuresARiseAfterAFlatStretch()
{
    // Five flat minutes, then 1 %/min for five: the whole window's slope
    // would be about half the rise's; the hinge test finds the rise, says
    // when it began and measures its own slope.
    TrendTracker tracker({{std::chrono::minutes(10), std::chrono::seconds(10)}});
    for (unsigned seed = 1; seed <= 5; ++seed) {
        tracker.reset();
        Ar1Noise noise(0.7, 0.02, seed);
        for (int s = 0; s <= 600; ++s) {
            const double rise = s > 300 ? 0.01 * (s - 300) / 60.0 : 0.0;
            tracker.add(s * 1000LL, 1000 * (1 + rise) * (1 + noise.next()), {});
        }
        const TrendEstimate &e = tracker.estimates().front();
        const QString what = QStringLiteral("seed %1: t %2, %3 %/min over %4 s")
                                 .arg(seed)
                                 .arg(e.hingeZ)
                                 .arg(e.relativePerMinute() * 100)
                                 .arg(e.spanSeconds);
        QVERIFY2(e.significant && e.fromHinge, qPrintable(what));
        // Where a noisy rise began is uncertain by a minute or so, and the
        // slope with it.
        QVERIFY2(e.relativePerMinute() > 0.006 && e.relativePerMinute() < 0.014, qPrintable(what));
        QVERIFY2(e.spanSeconds > 200 && e.spanSeconds < 420, qPrintable(what));
        QVERIFY2(e.slopeLowPerSecond < e.slopePerSecond && e.slopePerSecond < e.slopeHighPerSecond, qPrintable(what));
    }
}

void TestAnalysis::trackerTellsANoisyStepFromARamp()
{
    // A +10 % step in the same noise: a hinge can follow it well enough
    // for a steep slope t, yet a step fits better by far more than the
    // noise allows, so it is not a trend.
    TrendTracker tracker({{std::chrono::minutes(10), std::chrono::seconds(10)}});
    int steep = 0;
    for (unsigned seed = 1; seed <= 5; ++seed) {
        tracker.reset();
        Ar1Noise noise(0.7, 0.02, seed);
        for (int s = 0; s <= 600; ++s)
            tracker.add(s * 1000LL, 1000 * (s > 300 ? 1.1 : 1.0) * (1 + noise.next()), {});
        const TrendEstimate &e = tracker.estimates().front();
        const QString what = QStringLiteral("seed %1: hinge t %2").arg(seed).arg(e.hingeZ);
        QVERIFY2(e.valid && !e.significant, qPrintable(what));
        steep += e.hingeZ > TrendSettings{}.hingeZ ? 1 : 0;
    }
    // The step test did the work: for some seeds the slope alone was steep enough.
    QVERIFY(steep > 0);
}

void TestAnalysis::trackerIgnoresNoiseAndSteps_data()
{
    QTest::addColumn<int>("shape"); // 0 noise, 1 step, 2 sawtooth, 3 bursts
    QTest::newRow("noise") << 0;
    QTest::newRow("deploy-step") << 1;
    QTest::newRow("gc-sawtooth") << 2;
    QTest::newRow("bursts") << 3;
}

void TestAnalysis::trackerIgnoresNoiseAndSteps()
{
    // The tracker alone judges many windows a minute, so a rare noise
    // excursion may look significant there; the analyzer's guards (growth
    // against noise, corroboration, persistence) must keep every one of
    // these healthy shapes free of findings.
    QFETCH(int, shape);
    for (unsigned seed = 1; seed <= 20; ++seed) {
        Feed feed({});
        Ar1Noise noise(0.7, 0.02, seed);
        std::mt19937 random(seed);
        for (int s = 0; s <= 1800; ++s) {
            double g = 400 * (1 + noise.next());
            double heap = 64e6;
            if (shape == 1 && s > 900)
                g *= 1.3, heap *= 1.3;
            if (shape == 2)
                heap = 64e6 * (1 + std::fmod(s, 17.0) / 17.0); // climbs to the goal, GC drops it
            if (shape == 3 && std::uniform_int_distribution<int>(0, 60)(random) == 0)
                g *= 3;
            auto v = sample(s * 1000LL);
            v[Vital::Goroutines] = std::round(g);
            v[Vital::HeapInuse] = heap;
            feed.at(v.tsMs, v);
        }
        QVERIFY2(feed.battlefieldRaises() == 0, qPrintable(QStringLiteral("false finding with seed %1").arg(seed)));
    }
    // And a clean step is never a trend for the tracker itself.
    TrendTracker tracker({{std::chrono::minutes(5), std::chrono::seconds(10)}});
    for (int s = 0; s <= 300; ++s)
        tracker.add(s * 1000LL, s < 150 ? 100.0 : 130.0, {});
    QVERIFY(tracker.best() && !tracker.best()->significant);
}

void TestAnalysis::restartStartsANewSegment()
{
    TrendTracker tracker({{std::chrono::minutes(5), std::chrono::seconds(10)}});
    for (int s = 0; s < 200; ++s)
        tracker.add(s * 1000LL, 5000 + 10.0 * s, {});
    QVERIFY(tracker.best()->significant);
    tracker.reset();
    QVERIFY(!tracker.best());
    for (int s = 200; s < 260; ++s)
        tracker.add(s * 1000LL, 100, {});
    QCOMPARE(tracker.segmentStartMs(), 200'000LL);
    QVERIFY(!tracker.best() || !tracker.best()->significant);
}

void TestAnalysis::goroutineLeakWithTimeToLimit()
{
    config::ServiceConfig service;
    service.name = QStringLiteral("api");
    service.limits.goroutines = 2000;
    Feed feed({}, service);
    Ar1Noise noise(0.7, 0.02, 3);
    for (int s = 0; s <= 600; ++s) {
        auto v = sample(s * 1000LL);
        v[Vital::Goroutines] = (500 + 1.0 * s) * (1 + noise.next()); // +60/min on 500
        feed.at(v.tsMs, v);
    }
    const auto raised = feed.raisedAt(FindingKind::GoroutineLeak);
    QVERIFY(raised.has_value());
    QVERIFY2(*raised <= 300'000, qPrintable(QString::number(*raised)));
    const auto findings = feed.analyzer.findings();
    const auto leak = std::find_if(findings.begin(), findings.end(),
                                   [](const Finding &f) { return f.kind == FindingKind::GoroutineLeak; });
    QVERIFY(leak != findings.end());
    QVERIFY(leak->etaSeconds.has_value());
    // At 10 minutes: ~1100 goroutines, +60/min to 2000: about 15 minutes left.
    QVERIFY2(std::fabs(*leak->etaSeconds - 900) < 200, qPrintable(QString::number(*leak->etaSeconds)));
    QVERIFY(*leak->etaLowSeconds <= *leak->etaSeconds && *leak->etaSeconds <= *leak->etaHighSeconds);
    QCOMPARE(leak->severity, Severity::Critical); // under an hour
    QVERIFY(leak->evidence.contains(QStringLiteral("goroutines +")));
    QVERIFY(leak->evidence.contains(QStringLiteral("limit 2000 reached in")));
    QVERIFY(!leak->nextStep.isEmpty());
    // Its numbers are fields, and its next step a request to carry out.
    QCOMPARE(leak->signal, std::optional(Vital::Goroutines));
    QVERIFY2(std::fabs(*leak->ratePerSecond - 1.0) < 0.2, qPrintable(QString::number(*leak->ratePerSecond)));
    QVERIFY(*leak->rateLowPerSecond <= *leak->ratePerSecond && *leak->ratePerSecond <= *leak->rateHighPerSecond);
    QCOMPARE(leak->limit, std::optional(2000.0));
    QVERIFY(leak->windowSeconds && *leak->windowSeconds > 60);
    QVERIFY(leak->statistic != Statistic::None && leak->statisticValue);
    QCOMPARE(leak->next.action, NextStep::Action::CaptureGoroutines);
    QCOMPARE(leak->next.count, 2);
    QCOMPARE(leak->next.spacingSeconds, 60.0);
    QCOMPARE(leak->key().toString(), QStringLiteral("api/goroutine_leak"));

    // Findings, their changes and projections round-trip through JSON: the
    // numbers exactly, and the words, which are made again from them.
    QVERIFY(!feed.changes.empty());
    for (const FindingChange &change : feed.changes) {
        const std::string json = toJson(change);
        QString error;
        const auto back = findingChangeFromJson(json, &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY2(*back == change, json.c_str());
        QCOMPARE(toJson(*back), json);
        const auto finding = findingFromJson(toJson(change.finding), &error);
        QVERIFY2(finding && *finding == change.finding, qPrintable(error));
    }
    for (const Projection &p : feed.analyzer.projections()) {
        const std::string json = toJson(p);
        QString error;
        const auto back = projectionFromJson(json, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(toJson(*back), json);
        QCOMPARE(back->etaSeconds, p.etaSeconds);
        QCOMPARE(back->trend.slopePerSecond, p.trend.slopePerSecond);
    }
}

void TestAnalysis::findingJsonReadsBackWhatItWrites()
{
    // Real analyze --json lines (lab and demo), and what the fuzzer found:
    // a finding read from JSON writes out as JSON that reads back the same,
    // words included (a number the words use but the writer left out made
    // the second reading say "z 0.00").
    const QString data = QStringLiteral(GOTRIAGE_TEST_DATA);
    QStringList files;
    for (const QString &folder : {QStringLiteral("/findings"), QStringLiteral("/fuzz/findingjson")}) {
        const QDir dir(data + folder);
        for (const QString &name : dir.entryList(QDir::Files))
            files << dir.filePath(name);
    }
    QVERIFY(files.size() >= 10);
    int changes = 0;
    for (const QString &path : files) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const std::string text = file.readAll().toStdString();
        QString error;
        const auto change = findingChangeFromJson(text, &error);
        if (!change)
            continue;
        ++changes;
        const std::string json = toJson(*change);
        const auto again = findingChangeFromJson(json, &error);
        QVERIFY2(again, qPrintable(path + QStringLiteral(": ") + error));
        QVERIFY2(toJson(*again) == json, qPrintable(path));
        QCOMPARE(again->finding.evidence, change->finding.evidence);
        if (path.contains(QLatin1String("/findings/"))) {
            // Printed by gotriage-cli: its words are what the numbers make.
            const QJsonObject printed = QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
            QCOMPARE(change->finding.evidence, printed.value(QLatin1String("evidence")).toString());
            QCOMPARE(change->finding.nextStep, printed.value(QLatin1String("next_step")).toString());
        }
    }
    QVERIFY(changes >= 10);
}

void TestAnalysis::findingJsonRejectsWhatDoesNotFit_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("not json") << QStringLiteral("{\"service\": ") << QStringLiteral("invalid JSON");
    QTest::newRow("no kind") << QStringLiteral("{\"service\":\"a\",\"severity\":\"warning\"}")
                             << QStringLiteral("missing field kind");
    QTest::newRow("unknown kind") << QStringLiteral("{\"service\":\"a\",\"kind\":\"boiling\",\"severity\":\"warning\"}")
                                  << QStringLiteral("kind: unknown value \"boiling\"");
    QTest::newRow("rate as text") << QStringLiteral(
        R"({"service":"a","kind":"goroutine_leak","severity":"warning","rate_per_s":"fast"})")
                                  << QStringLiteral("rate_per_s must be a number");
    // Found by the fuzzer: a number no integer holds, where one belongs.
    QTest::newRow("since_ms too large") << QStringLiteral(
        "{\"service\":\"a\",\"kind\":\"stale\",\"severity\":\"warning\",\"since_ms\":1e300}")
                                        << QStringLiteral("since_ms must be a whole number");
    QTest::newRow("count not whole") << QStringLiteral(
        "{\"service\":\"a\",\"kind\":\"stale\",\"severity\":\"warning\",\"next\":{\"action\":\"none\",\"count\":2.5}}")
                                     << QStringLiteral("count must be a whole number");
    // Found by a 30-minute fuzz run: a negative spacing was read, then left
    // out when written (the words said "-60 s apart", then "0 s apart").
    QTest::newRow("negative spacing") << QStringLiteral(
        R"({"service":"a","kind":"stale","severity":"warning","next":{"action":"none","spacing_s":-60}})")
                                      << QStringLiteral("spacing_s must be from 0 to 86400 seconds");
    QTest::newRow("endless duration") << QStringLiteral(
        R"({"service":"a","kind":"stale","severity":"warning","next":{"action":"none","duration_s":1e9}})")
                                      << QStringLiteral("duration_s must be from 0 to 86400 seconds");
    QTest::newRow("next without action") << QStringLiteral(
        R"({"service":"a","kind":"stale","severity":"warning","next":{"count":2}})")
                                         << QStringLiteral("missing field action");
}

void TestAnalysis::findingJsonRejectsWhatDoesNotFit()
{
    QFETCH(QString, json);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!findingFromJson(json.toStdString(), &why));
    QVERIFY2(why.contains(error), qPrintable(why));
}

void TestAnalysis::timeToLimitOnlyForAMaterialRise()
{
    // Goroutines leak; the heap drifts 0.02 %/min so steadily that the
    // drift is significant, but too slow to matter (the floor is 0.05 %/min).
    // Charts get a time to limit for the first only.
    config::ServiceConfig service;
    service.name = QStringLiteral("api");
    service.limits.goroutines = 2000;
    service.limits.memoryBytes = 512.0 * 1024 * 1024;
    Feed feed({}, service);
    Ar1Noise noise(0.7, 0.0002, 9);
    for (int s = 0; s <= 900; ++s) {
        auto v = sample(s * 1000LL);
        v[Vital::Goroutines] = std::round(500 + 1.0 * s);
        v[Vital::HeapGoal] = 100.0 * 1024 * 1024 * (1 + 0.0002 * s / 60.0) * (1 + noise.next());
        feed.at(v.tsMs, v);
    }
    const std::vector<Projection> projections = feed.analyzer.projections();
    auto of = [&](Vital vital) {
        return *std::find_if(projections.begin(), projections.end(),
                             [&](const Projection &p) { return p.vital == vital; });
    };
    const Projection goroutines = of(Vital::Goroutines);
    QVERIFY(goroutines.etaSeconds.has_value());
    QVERIFY2(std::fabs(*goroutines.etaSeconds - 600) < 60, qPrintable(QString::number(*goroutines.etaSeconds)));
    const Projection heap = of(Vital::HeapLive);
    QVERIFY(heap.trend.significant && heap.trend.slopePerSecond > 0); // the test can tell
    QVERIFY2(!heap.etaSeconds.has_value(), qPrintable(QString::number(heap.etaSeconds.value_or(0))));
    QVERIFY(!feed.raisedAt(FindingKind::MemoryBlackHole).has_value());
}

void TestAnalysis::noTimeToLimitInTheFirstMinute()
{
    // A freshly watched Prometheus: RSS settling after start-up, then about
    // +1.3 MB/min against a 2 GiB limit (a day away). With 40 s of data the
    // rise is neither corroborated nor past warm-up: no chart may show a
    // time to limit that no finding stands behind.
    config::ServiceConfig service;
    service.name = QStringLiteral("prometheus");
    service.limits.memoryBytes = 2147483648.0;
    Feed feed({}, service);
    Ar1Noise noise(0.5, 0.001, 4);
    for (int s = 0; s <= 40; ++s) {
        auto v = sample(s * 1000LL);
        const double settling = 6e6 * (1 - std::exp(-s / 8.0)); // the first seconds' climb
        v[Vital::Rss] = (55e6 + settling + 1.3e6 * s / 60.0) * (1 + noise.next());
        v[Vital::HeapInuse] = (20e6 + 1.0e6 * s / 60.0) * (1 + noise.next());
        v[Vital::Goroutines] = 31 + (s % 3);
        feed.at(v.tsMs, v);
    }
    for (const Projection &p : feed.analyzer.projections())
        QVERIFY2(!p.etaSeconds.has_value(),
                 qPrintable(QStringLiteral("%1: limit in %2 s")
                                .arg(QLatin1String(vitals::vitalName(p.vital).data()))
                                .arg(p.etaSeconds.value_or(0))));
    QCOMPARE(feed.battlefieldRaises(), 0);
}

void TestAnalysis::corroborationNeedsDifferentHistory_data()
{
    QTest::addColumn<double>("distinctCoverage");
    QTest::addColumn<int>("earliestSecond");
    QTest::addColumn<int>("latestSecond");
    // Windows of 60 s and 120 s: until the longer one holds 75 s, both see
    // the same stretch and are one witness.
    QTest::newRow("distinct history (1.25x)") << 1.25 << 75 << 100;
    // The test can tell: when any two windows corroborate, the same ramp is
    // raised soon after the longer window has its 8 buckets (32 s).
    QTest::newRow("any two windows (1x)") << 1.0 << 30 << 60;
}

void TestAnalysis::corroborationNeedsDifferentHistory()
{
    QFETCH(double, distinctCoverage);
    QFETCH(int, earliestSecond);
    QFETCH(int, latestSecond);
    AnalysisSettings settings;
    settings.windows
        = {{std::chrono::seconds(60), std::chrono::seconds(2)}, {std::chrono::seconds(120), std::chrono::seconds(4)}};
    settings.persistence = std::chrono::seconds(2);
    settings.warmup = std::chrono::seconds(0);
    settings.strongZ = 1000; // no window may stand alone, by Mann–Kendall or by its slope
    settings.strongSlopeT = 1e9;
    settings.distinctCoverage = distinctCoverage;
    Feed feed(settings);
    Ar1Noise noise(0.7, 0.01, 5);
    for (int s = 0; s <= 120; ++s) {
        auto v = sample(s * 1000LL);
        v[Vital::Goroutines] = (400 + 2.0 * s) * (1 + noise.next()); // +30 %/min, plain to every window
        feed.at(v.tsMs, v);
    }
    const auto raised = feed.raisedAt(FindingKind::GoroutineLeak);
    QVERIFY(raised.has_value());
    QVERIFY2(*raised >= earliestSecond * 1000LL && *raised <= latestSecond * 1000LL,
             qPrintable(QStringLiteral("raised at %1 ms").arg(*raised)));
}

void TestAnalysis::gcSawtoothIsNotALeak()
{
    Feed feed({});
    for (int s = 0; s <= 1800; ++s) {
        auto v = sample(s * 1000LL);
        const double live = 64e6;
        v[Vital::HeapInuse] = live + live * std::fmod(s, 13.0) / 13.0; // busy GC, steady live heap
        v[Vital::HeapGoal] = 2 * live;
        v[Vital::Rss] = 2.4 * live;
        v[Vital::Goroutines] = 50;
        v[Vital::GcRate] = 1.0 / 13;
        v[Vital::Cpu] = 0.3;
        feed.at(v.tsMs, v);
    }
    QCOMPARE(feed.battlefieldRaises(), 0);
}

void TestAnalysis::memoryCreepAfterGc()
{
    Feed feed({});
    for (int s = 0; s <= 900; ++s) {
        auto v = sample(s * 1000LL);
        const double live = 64e6 * (1 + 0.01 * s / 60.0); // 1 %/min under the sawtooth
        v[Vital::HeapInuse] = live + live * std::fmod(s, 13.0) / 13.0;
        v[Vital::Rss] = 2.2 * live;
        feed.at(v.tsMs, v);
    }
    const auto raised = feed.raisedAt(FindingKind::MemoryBlackHole);
    QVERIFY(raised.has_value());
    QVERIFY2(*raised <= 300'000, qPrintable(QString::number(*raised)));
}

void TestAnalysis::rssStepsOfASettlingProcessAreNotALeak_data()
{
    QTest::addColumn<double>("rssFloorMiB");
    QTest::addColumn<bool>("raised");
    QTest::newRow("RSS floor 4 MiB") << 4.0 << false;
    // The test can tell: at the heap's 1 MiB floor the same steps are called a leak.
    QTest::newRow("RSS floor 1 MiB") << 1.0 << true;
}

void TestAnalysis::rssStepsOfASettlingProcessAreNotALeak()
{
    // A small Go process minutes after start, as in the lab: the heap goal
    // is flat, but RSS climbs a few hundred KiB at a time as new heap peaks
    // and first-touched pages arrive, and never comes back down.
    QFETCH(double, rssFloorMiB);
    QFETCH(bool, raised);
    AnalysisSettings settings;
    settings.minRssGrowth = rssFloorMiB * 1024 * 1024;
    Feed feed(settings);
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0, 0.05 * 1024 * 1024);
    const std::vector<int> stepsAt{200, 225, 250, 280, 300, 330, 350, 380, 410, 440};
    for (int s = 0; s <= 1200; ++s) {
        auto v = sample(s * 1000LL);
        const auto steps = std::count_if(stepsAt.begin(), stepsAt.end(), [&](int at) { return s >= at; });
        v[Vital::Rss] = 16.0 * 1024 * 1024 + static_cast<double>(steps) * 0.3 * 1024 * 1024 + noise(rng);
        v[Vital::HeapGoal] = 4.8 * 1024 * 1024 + noise(rng);
        v[Vital::Goroutines] = 10;
        feed.at(v.tsMs, v);
    }
    QCOMPARE(feed.raisedAt(FindingKind::MemoryBlackHole).has_value(), raised);
}

void TestAnalysis::rssGrowthUnderAFlatHeap()
{
    // Memory the Go heap does not hold (cgo, mmap): RSS grows 1 %/min while
    // the heap goal stays put. RSS alone finds it, and says so.
    Feed feed({});
    std::mt19937 rng(11);
    std::normal_distribution<double> noise(0, 0.5 * 1024 * 1024);
    const double base = 200.0 * 1024 * 1024;
    for (int s = 0; s <= 900; ++s) {
        auto v = sample(s * 1000LL);
        v[Vital::Rss] = base * (1 + 0.01 * s / 60.0) + noise(rng);
        v[Vital::HeapGoal] = 80.0 * 1024 * 1024 + noise(rng);
        v[Vital::Goroutines] = 40;
        feed.at(v.tsMs, v);
    }
    const auto raisedAt = feed.raisedAt(FindingKind::MemoryBlackHole);
    QVERIFY(raisedAt.has_value());
    QVERIFY2(*raisedAt <= 300'000, qPrintable(QString::number(*raisedAt)));
    for (const FindingChange &c : feed.changes) {
        if (c.type == FindingChange::Type::Raised && c.finding.kind == FindingKind::MemoryBlackHole)
            QVERIFY2(c.finding.evidence.startsWith(QStringLiteral("RSS +")), qPrintable(c.finding.evidence));
    }
}

void TestAnalysis::steepCleanRiseIsFoundByItsSlope_data()
{
    QTest::addColumn<double>("slopeBar");
    QTest::addColumn<int>("latestSecond");
    QTest::newRow("slope test") << 5.0 << 75;
    // The test can tell: without the slope test, Mann–Kendall on a dozen
    // buckets tops out near z 4.5 and the windows wait for corroboration.
    QTest::newRow("Mann-Kendall only") << 1e9 << 0;
}

void TestAnalysis::steepCleanRiseIsFoundByItsSlope()
{
    // The lab's memcreep from its start: every page touched, RSS +70 MiB/min
    // in a clean line, the heap goal doubling at each rare GC cycle.
    QFETCH(double, slopeBar);
    QFETCH(int, latestSecond);
    AnalysisSettings settings;
    settings.trend.hingeZ = slopeBar;
    Feed feed(settings);
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0, 0.3 * 1024 * 1024);
    const double mib = 1024.0 * 1024.0;
    for (int s = 0; s <= 150; ++s) {
        auto v = sample(s * 1000LL);
        const double retained = 5 * mib + 1.17 * mib * s;
        v[Vital::Rss] = 6 * mib + retained + noise(rng);
        v[Vital::HeapGoal] = 4 * mib * std::pow(2.0, std::floor(std::log2(retained / (4 * mib)) + 1));
        v[Vital::Goroutines] = 12;
        feed.at(v.tsMs, v);
    }
    const auto raisedAt = feed.raisedAt(FindingKind::MemoryBlackHole);
    if (latestSecond == 0) {
        QVERIFY2(!raisedAt || *raisedAt > 75'000, qPrintable(QString::number(raisedAt.value_or(-1))));
        return;
    }
    QVERIFY(raisedAt.has_value());
    QVERIFY2(*raisedAt <= latestSecond * 1000LL, qPrintable(QString::number(*raisedAt)));
    for (const FindingChange &c : feed.changes) {
        if (c.type == FindingChange::Type::Raised && c.finding.kind == FindingKind::MemoryBlackHole) {
            QVERIFY2(c.finding.evidence.startsWith(QStringLiteral("RSS +")), qPrintable(c.finding.evidence));
            QVERIFY2(c.finding.evidence.contains(QStringLiteral("slope t")), qPrintable(c.finding.evidence));
            QVERIFY2(!c.finding.evidence.contains(QStringLiteral("flat before")), qPrintable(c.finding.evidence));
        }
    }
}

void TestAnalysis::gcFrenzyAndHysteresis()
{
    AnalysisSettings settings;
    settings.persistence = std::chrono::seconds(10);
    settings.clearAfter = std::chrono::seconds(30);
    Feed feed(settings);
    auto run = [&](int from, int to, double gcRate) {
        for (int s = from; s < to; ++s) {
            auto v = sample(s * 1000LL);
            v[Vital::GcRate] = gcRate;
            feed.at(v.tsMs, v);
        }
    };
    run(0, 60, 0.2);
    QVERIFY(!feed.raisedAt(FindingKind::GcFrenzy));
    run(60, 120, 12);
    QVERIFY(feed.raisedAt(FindingKind::GcFrenzy));
    QVERIFY(*feed.raisedAt(FindingKind::GcFrenzy) >= 60'000 + 10'000);
    // A short dip does not clear it ...
    run(120, 140, 0.2);
    QCOMPARE(feed.analyzer.findings().size(), std::size_t(1));
    // ... a long one does.
    run(140, 260, 0.2);
    QVERIFY(feed.analyzer.findings().empty());
}

void TestAnalysis::cpuSaturationNearGomaxprocs()
{
    config::ServiceConfig service;
    service.name = QStringLiteral("busy");
    service.limits.cpuCores = 2;
    Feed feed({}, service);
    for (int s = 0; s < 120; ++s) {
        auto v = sample(s * 1000LL);
        v[Vital::Cpu] = 1.95;
        feed.at(v.tsMs, v);
    }
    const auto findings = feed.analyzer.findings();
    QCOMPARE(findings.size(), std::size_t(1));
    QCOMPARE(findings.front().kind, FindingKind::CpuSaturation);
    QCOMPARE(findings.front().severity, Severity::Critical);
    QVERIFY(findings.front().evidence.contains(QStringLiteral("of 2.00 cores")));
}

void TestAnalysis::staleIsImmediate()
{
    Feed feed({});
    auto v = sample(0);
    v[Vital::Goroutines] = 10;
    feed.at(0, v);
    for (int s = 1; s <= 5; ++s)
        feed.at(s * 1000LL, sample(s * 1000LL), false);
    QVERIFY(feed.raisedAt(FindingKind::Stale));
    feed.at(6000, v);
    QVERIFY(feed.analyzer.findings().empty());
}

void TestAnalysis::configRemarks()
{
    config::ServiceConfig service;
    service.name = QStringLiteral("old");
    service.limits.cpuCores = 1;
    service.limits.memoryBytes = 100e6;
    Feed feed({}, service);
    // The runtime settings as the live source reads them from /metrics.
    const auto metrics = formats::parseMetrics("go_info{version=\"go1.19.8\"} 1\ngo_sched_gomaxprocs_threads 8\n",
                                               formats::ExpositionFormat::PrometheusText);
    vitals::readRuntimeInfo(metrics, feed.runtime);
    feed.health.up = true;
    auto v = sample(1000);
    v[Vital::Rss] = 90e6;
    const auto changes = feed.analyzer.update(1000, v, feed.health, false, feed.runtime);
    QCOMPARE(changes.size(), std::size_t(3));
    for (const FindingChange &c : changes) {
        QCOMPARE(c.finding.kind, FindingKind::Config);
        QCOMPARE(c.finding.severity, Severity::Info);
    }
    QVERIFY(changes[0].finding.evidence.contains(QStringLiteral("go1.19.8")));
    QVERIFY(changes[1].finding.evidence.contains(QStringLiteral("GOMAXPROCS 8")));
    QVERIFY(changes[2].finding.evidence.contains(QStringLiteral("GOMEMLIMIT is not set")));
}

QTEST_APPLESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"
