// pprof profiles: decoding (formats/profile) and top tables
// (diagnose/toptable), checked against Debian's `go tool pprof -top`.
#include "diagnose/flamegraph.h"
#include "diagnose/goroutinegroups.h"
#include "diagnose/toptable.h"
#include "formats/goroutinedump.h"
#include "formats/gzip.h"
#include "formats/profile.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <map>

using namespace gotriage;

namespace {

QByteArray readData(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

// One row of `go tool pprof -top`: values in the sample unit (pprof is told
// -unit=ns or -unit=B so that it prints them whole), percents as printed.
struct PprofRow {
    std::int64_t flat = 0, cum = 0;
    QString flatPct, sumPct, cumPct, name;
};

QString pct(double ratio)
{
    // pprof's measurement.Percentage: "100%" within 0.05 of it, two
    // decimals from 1 % up, two significant digits below ("0.5%", "0").
    if (ratio >= 99.95 && ratio <= 100.05)
        return QStringLiteral("100%");
    if (ratio >= 1.0)
        return QString::asprintf("%.2f%%", ratio);
    return QString::asprintf("%.2g%%", ratio);
}

} // namespace

class TestProfile : public QObject
{
    Q_OBJECT

private slots:
    void decodesTheLabProfiles();
    void topEqualsGoToolPprof_data();
    void topEqualsGoToolPprof();
    void nodeCountCuts();
    void badProfilesAreRejected_data();
    void badProfilesAreRejected();
    void whatTheFuzzerFoundDecodesCleanly();
    void flameTreeAgreesWithTheTopTable_data();
    void flameTreeAgreesWithTheTopTable();
    void flameLayoutNestsAndZooms();
    void flameSearchCountsOnce();
    void goroutineDumpIsRead();
    void goroutineGroupsMatchTheRuntimesOwnCounts();
    void createdByInGoroutineOfGo121();
    void goroutineDiffRanksGrowthFirst();
    void badGoroutineDumpsAreNamed();
};

void TestProfile::decodesTheLabProfiles()
{
    const auto parsed = formats::parseProfile(
        view(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/cpu_contention_gcfrenzy.pb.gz"))));
    QVERIFY2(parsed.profile, parsed.error.c_str());
    const formats::Profile &p = *parsed.profile;
    QCOMPARE(p.sampleTypes.size(), std::size_t(2));
    QCOMPARE(p.sampleTypes[0].type, std::string("samples"));
    QCOMPARE(p.sampleTypes[1].type, std::string("cpu"));
    QCOMPARE(p.sampleTypes[1].unit, std::string("nanoseconds"));
    QCOMPARE(p.periodType.type, std::string("cpu"));
    QCOMPARE(p.period, std::int64_t(10'000'000)); // 100 Hz
    QVERIFY(p.durationNanos > 3'000'000'000);
    QCOMPARE(p.sampleIndex(), std::optional<std::size_t>(1)); // the last sample type: cpu
    QCOMPARE(p.sampleIndex("samples"), std::optional<std::size_t>(0));
    QVERIFY(!p.sampleIndex("inuse_space"));
    QVERIFY(!p.samples.empty());
    QCOMPARE(p.sampleValues.size(), p.samples.size() * 2);
    std::size_t frames = 0;
    for (const auto &s : p.samples) {
        QVERIFY(s.locationCount > 0);
        QCOMPARE(s.firstLocation, frames); // back to back, in order
        frames += s.locationCount;
        for (std::uint64_t id : p.locationIds(s))
            QVERIFY(p.location(id));
        QVERIFY(p.value(s, 1) >= 0); // cpu nanoseconds
    }
    QCOMPARE(p.sampleLocations.size(), frames);
}

void TestProfile::topEqualsGoToolPprof_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sampleIndex");
    const QDir lab(QStringLiteral(GOTRIAGE_TEST_DATA "/lab"));
    for (const QString &name : lab.entryList({QStringLiteral("*.pb.gz")}, QDir::Files)) {
        const auto parsed = formats::parseProfile(view(readData(lab.filePath(name))));
        QVERIFY2(parsed.profile, qPrintable(name + QStringLiteral(": ") + QString::fromStdString(parsed.error)));
        for (const auto &type : parsed.profile->sampleTypes) {
            const QString index = QString::fromStdString(type.type);
            QTest::addRow("%s %s", qPrintable(name), qPrintable(index)) << lab.filePath(name) << index;
        }
    }
}

void TestProfile::topEqualsGoToolPprof()
{
    QFETCH(QString, file);
    QFETCH(QString, sampleIndex);
    const auto parsed = formats::parseProfile(view(readData(file)));
    QVERIFY(parsed.profile);
    diagnose::TopOptions options;
    options.sampleIndex = sampleIndex.toStdString();
    const diagnose::TopTable ours = diagnose::topTable(*parsed.profile, options);
    QVERIFY2(ours.error.empty(), ours.error.c_str());

    const std::string unit = ours.sampleType.unit;
    QStringList arguments{QStringLiteral("tool"), QStringLiteral("pprof"), QStringLiteral("-top"),
                          QStringLiteral("-sample_index=") + sampleIndex};
    if (unit == "nanoseconds")
        arguments << QStringLiteral("-unit=ns");
    else if (unit == "bytes")
        arguments << QStringLiteral("-unit=B");
    arguments << file;
    QProcess go;
    go.start(QStringLiteral(GOTRIAGE_GO_PATH), arguments);
    QVERIFY(go.waitForFinished(60000));
    QCOMPARE(go.exitCode(), 0);
    const QStringList lines = QString::fromUtf8(go.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    const QRegularExpression row(
        QStringLiteral("^\\s*(-?\\d+)(?:ns|B)?\\s+(\\S+)\\s+(\\S+)\\s+(-?\\d+)(?:ns|B)?\\s+(\\S+)\\s+(.+)$"));
    std::vector<PprofRow> theirs;
    bool inTable = false;
    int dropped = -1;
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1String("Dropped ")))
            dropped = line.section(u' ', 1, 1).toInt();
        if (line.trimmed().startsWith(QLatin1String("flat"))) {
            inTable = true;
            continue;
        }
        if (!inTable)
            continue;
        const auto m = row.match(line);
        QVERIFY2(m.hasMatch(), qPrintable(line));
        theirs.push_back({m.captured(1).toLongLong(), m.captured(4).toLongLong(), m.captured(2), m.captured(3),
                          m.captured(5), m.captured(6)});
    }
    QVERIFY(!theirs.empty());
    QCOMPARE(ours.droppedNodes, std::max(dropped, 0));
    QCOMPARE(ours.rows.size(), theirs.size());
    for (std::size_t i = 0; i < theirs.size(); ++i) {
        const diagnose::TopRow &r = ours.rows[i];
        const PprofRow &t = theirs[i];
        const QString where
            = QStringLiteral("row %1: ours %2, pprof's %3").arg(i).arg(QString::fromStdString(r.name), t.name);
        QVERIFY2(QString::fromStdString(r.name) == t.name, qPrintable(where));
        QVERIFY2(r.flat == t.flat && r.cum == t.cum, qPrintable(where + QStringLiteral(": values")));
        QVERIFY2(pct(r.flatPercent) == t.flatPct && pct(r.sumPercent) == t.sumPct && pct(r.cumPercent) == t.cumPct,
                 qPrintable(where
                            + QStringLiteral(": %1 %2 %3 vs %4 %5 %6")
                                  .arg(pct(r.flatPercent), pct(r.sumPercent), pct(r.cumPercent), t.flatPct, t.sumPct,
                                       t.cumPct)));
    }
}

void TestProfile::nodeCountCuts()
{
    const auto parsed
        = formats::parseProfile(view(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/goroutine_leak.pb.gz"))));
    QVERIFY(parsed.profile);
    diagnose::TopOptions options;
    const auto all = diagnose::topTable(*parsed.profile, options);
    options.nodeCount = 3;
    const auto three = diagnose::topTable(*parsed.profile, options);
    QCOMPARE(three.rows.size(), std::size_t(3));
    for (std::size_t i = 0; i < 3; ++i)
        QCOMPARE(three.rows[i].name, all.rows[i].name);
    options.sampleIndex = "no_such_type";
    const auto wrong = diagnose::topTable(*parsed.profile, options);
    QVERIFY(wrong.rows.empty());
    QVERIFY2(wrong.error.find("goroutine") != std::string::npos, wrong.error.c_str()); // says what there is
}

void TestProfile::badProfilesAreRejected_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");
    const QByteArray good = readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/heap_memcreep.pb.gz"));
    QTest::newRow("empty") << QByteArray() << QStringLiteral("string table");
    QTest::newRow("truncated gzip") << good.left(good.size() / 2) << QStringLiteral("gzip");
    QTest::newRow("not a profile") << QByteArray("<html>pprof is not mounted</html>")
                                   << QStringLiteral("not a pprof profile");
    const auto inflated = formats::gunzip(view(good), 1 << 24);
    QTest::newRow("cut protobuf") << QByteArray::fromStdString(inflated.data.substr(0, inflated.data.size() - 7))
                                  << QStringLiteral("not a pprof profile");
}

void TestProfile::whatTheFuzzerFoundDecodesCleanly()
{
    // Inputs fuzz_profile stopped on (tests/data/fuzz/profile/). One made
    // protobuf's arena misalign its cleanup list (an arena block of an odd
    // size): the asan preset's UBSan aborts if that comes back. Each is
    // either a profile or a named error.
    const QDir dir(QStringLiteral(GOTRIAGE_TEST_DATA "/fuzz/profile"));
    const QStringList names = dir.entryList(QDir::Files);
    QVERIFY(!names.isEmpty());
    for (const QString &name : names) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const auto parsed = formats::parseProfile(view(bytes));
        QVERIFY2(parsed.profile || !parsed.error.empty(), qPrintable(name));
    }
}

void TestProfile::badProfilesAreRejected()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    const auto parsed = formats::parseProfile(view(bytes));
    QVERIFY(!parsed.profile);
    QVERIFY2(QString::fromStdString(parsed.error).contains(error), parsed.error.c_str());
}

void TestProfile::flameTreeAgreesWithTheTopTable_data()
{
    QTest::addColumn<QString>("file");
    const QDir lab(QStringLiteral(GOTRIAGE_TEST_DATA "/lab"));
    for (const QString &name : lab.entryList({QStringLiteral("*.pb.gz")}, QDir::Files))
        QTest::newRow(qPrintable(name)) << lab.filePath(name);
}

void TestProfile::flameTreeAgreesWithTheTopTable()
{
    // Every node holds itself and its children; every function's cum in
    // the top table (nothing dropped) is the sum of its outermost nodes.
    QFETCH(QString, file);
    const auto parsed = formats::parseProfile(view(readData(file)));
    QVERIFY(parsed.profile);
    const diagnose::FlameTree tree = diagnose::buildFlameTree(*parsed.profile);
    QVERIFY(tree.error.empty());
    diagnose::TopOptions everything;
    everything.nodeFraction = 0;
    const diagnose::TopTable top = diagnose::topTable(*parsed.profile, everything);
    QCOMPARE(tree.total(), top.total);
    for (const auto &n : tree.nodes) {
        std::int64_t children = 0;
        for (int c : n.children)
            children += tree.nodes[static_cast<std::size_t>(c)].value;
        QCOMPARE(n.value, n.self + children);
    }
    for (const diagnose::TopRow &row : top.rows) {
        const std::string name = row.name.substr(0, row.name.find(" ("));
        std::int64_t cum = 0, flat = 0;
        for (std::size_t i = 1; i < tree.nodes.size(); ++i) {
            const auto &n = tree.nodes[i];
            if (n.name != name)
                continue;
            flat += n.self;
            bool outermost = true;
            for (int a = n.parent; a > 0; a = tree.nodes[static_cast<std::size_t>(a)].parent)
                outermost = outermost && tree.nodes[static_cast<std::size_t>(a)].name != name;
            if (outermost)
                cum += n.value;
        }
        QVERIFY2(cum == row.cum && flat == row.flat, row.name.c_str());
    }
}

void TestProfile::flameLayoutNestsAndZooms()
{
    const auto parsed = formats::parseProfile(
        view(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/cpu_contention_gcfrenzy.pb.gz"))));
    const diagnose::FlameTree tree = diagnose::buildFlameTree(*parsed.profile);
    const auto rects = diagnose::layoutFlame(tree);
    QCOMPARE(rects.size(), tree.nodes.size()); // no minimum width: every node
    std::map<int, diagnose::FlameRect> byNode;
    for (const auto &r : rects)
        byNode[r.node] = r;
    QCOMPARE(byNode.at(0).width, 1.0);
    constexpr double kEpsilon = 1e-9;
    for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
        const diagnose::FlameRect &parent = byNode.at(static_cast<int>(i));
        double widths = 0, end = parent.x;
        for (int c : tree.nodes[i].children) {
            const diagnose::FlameRect &child = byNode.at(c);
            QCOMPARE(child.depth, parent.depth + 1);
            QVERIFY(child.x >= end - kEpsilon); // in order, no overlap
            end = child.x + child.width;
            widths += child.width;
        }
        QVERIFY(end <= parent.x + parent.width + kEpsilon); // inside the parent
        // The children's widths are the parent's less its own share.
        const double own = static_cast<double>(tree.nodes[i].self) / static_cast<double>(tree.total());
        QVERIFY(std::fabs(widths + own - parent.width) < 1e-9);
    }
    // Zoomed: the node spans the view; its ancestors above it, as wide.
    int deep = 0;
    for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
        if (tree.nodes[i].depth >= 3 && tree.nodes[i].children.size() >= 1) {
            deep = static_cast<int>(i);
            break;
        }
    }
    QVERIFY(deep > 0);
    const auto zoomed = diagnose::layoutFlame(tree, deep);
    QCOMPARE(zoomed[static_cast<std::size_t>(tree.nodes[static_cast<std::size_t>(deep)].depth)].node, deep);
    for (const auto &r : zoomed) {
        if (r.depth <= tree.nodes[static_cast<std::size_t>(deep)].depth)
            QCOMPARE(r.width, 1.0);
        QVERIFY(r.x >= 0 && r.x + r.width <= 1 + kEpsilon);
    }
    // A minimum width leaves out the slivers.
    QVERIFY(diagnose::layoutFlame(tree, 0, 0.01).size() < rects.size());
}

void TestProfile::flameSearchCountsOnce()
{
    const auto parsed = formats::parseProfile(
        view(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/cpu_contention_gcfrenzy.pb.gz"))));
    const diagnose::FlameTree tree = diagnose::buildFlameTree(*parsed.profile);
    const auto runtime = diagnose::searchFlame(tree, "runtime.");
    QVERIFY(!runtime.matches.empty());
    // Counted once: the outermost runtime frames of each stack.
    std::int64_t expected = 0;
    for (std::size_t i = 1; i < tree.nodes.size(); ++i) {
        const auto &n = tree.nodes[i];
        if (n.name.find("runtime.") == std::string::npos)
            continue;
        bool under = false;
        for (int a = n.parent; a > 0; a = tree.nodes[static_cast<std::size_t>(a)].parent)
            under = under || tree.nodes[static_cast<std::size_t>(a)].name.find("runtime.") != std::string::npos;
        if (!under)
            expected += n.value;
    }
    QCOMPARE(runtime.value, expected);
    QVERIFY(runtime.share > 0 && runtime.share <= 1);
    const auto all = diagnose::searchFlame(tree, ".");
    QCOMPARE(all.share, 1.0); // every stack has a function with a dot in it
    QVERIFY(diagnose::searchFlame(tree, "no such function").matches.empty());
}

void TestProfile::goroutineDumpIsRead()
{
    const QByteArray text = readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/goroutine_leak_debug2.txt"));
    const auto dump = formats::parseGoroutineDump(view(text));
    QVERIFY2(!dump.problems.hasErrors(), dump.problems.items().empty() ? "" : dump.problems.items()[0].message.c_str());
    QCOMPARE(dump.goroutines.size(), std::size_t(828));
    const formats::Goroutine &first = dump.goroutines.front();
    QCOMPARE(first.id, std::int64_t(1167));
    QCOMPARE(first.state, std::string("running"));
    QCOMPARE(first.frames.front().function, std::string("runtime/pprof.writeGoroutineStacks"));
    QCOMPARE(first.frames.front().file, std::string("runtime/pprof/pprof.go"));
    QCOMPARE(first.frames.front().line, std::int64_t(692));
    QVERIFY(first.createdBy);
    QCOMPARE(first.createdBy->function, std::string("net/http.(*Server).Serve"));
    QVERIFY(first.createdBy->line > 0);
    QVERIFY(!first.createdByGoroutine); // Go 1.19's form names no parent
}

void TestProfile::goroutineGroupsMatchTheRuntimesOwnCounts()
{
    // debug=1 of the same moment: the runtime's own grouping by stack. Each
    // of its groups of two or more has ours with the same count; the totals agree.
    const auto dump = formats::parseGoroutineDump(
        view(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/goroutine_leak_debug2.txt"))));
    const auto groups = diagnose::groupGoroutines(dump.goroutines);
    const QStringList lines
        = QString::fromUtf8(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/goroutine_leak_debug1.txt"))).split(u'\n');
    const QRegularExpression header(QStringLiteral("^(\\d+) @ "));
    const QRegularExpression frame(QStringLiteral("^#\\s+0x[0-9a-f]+\\s+(\\S+)\\+0x[0-9a-f]+\\s+(\\S+):(\\d+)$"));
    int total = 0, checked = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const auto m = header.match(lines[i]);
        if (!m.hasMatch())
            continue;
        const int count = m.captured(1).toInt();
        total += count;
        std::vector<formats::GoroutineFrame> frames;
        for (qsizetype j = i + 1; j < lines.size(); ++j) {
            const auto f = frame.match(lines[j].trimmed());
            if (!f.hasMatch())
                break;
            frames.push_back({f.captured(1).toStdString(), f.captured(2).toStdString(), f.captured(3).toLongLong()});
        }
        if (count < 2)
            continue; // singletons include the goroutine that wrote each dump, on different stacks
        int ours = 0;
        for (const auto &g : groups) {
            if (g.frames == frames)
                ours += g.count;
        }
        QCOMPARE(ours, count);
        ++checked;
    }
    QCOMPARE(total, 828);
    QVERIFY(checked >= 1);
    QCOMPARE(groups.front().count, 820); // the leak leads
    QCOMPARE(groups.front().state, std::string("chan receive"));
    QVERIFY(groups.front().leakState);
}

void TestProfile::createdByInGoroutineOfGo121()
{
    // Hand-made in the Go >= 1.21 form (the lab's Go 1.19 writes the old one).
    const char *text = "goroutine 42 [chan send, 7 minutes, locked to thread]:\n"
                       "main.(*worker).push(0xc0000a2000, {0xc0000b4000, 0x3, 0x3})\n"
                       "\t/src/app/worker.go:88 +0x5c\n"
                       "...additional frames elided...\n"
                       "created by main.startWorkers in goroutine 6\n"
                       "\t/src/app/main.go:31 +0x7a\n"
                       "\n"
                       "goroutine 43 [chan send, 2 minutes]:\n"
                       "main.(*worker).push(0xc0000a2100, {0xc0000b4100, 0x3, 0x3})\n"
                       "\t/src/app/worker.go:88 +0x5c\n"
                       "created by main.startWorkers in goroutine 6\n"
                       "\t/src/app/main.go:31 +0x7a\n";
    const auto dump = formats::parseGoroutineDump(text);
    QVERIFY(!dump.problems.hasErrors());
    QCOMPARE(dump.goroutines.size(), std::size_t(2));
    const formats::Goroutine &g = dump.goroutines.front();
    QCOMPARE(g.id, std::int64_t(42));
    QCOMPARE(g.state, std::string("chan send"));
    QCOMPARE(g.waitMinutes, std::optional<int>(7));
    QVERIFY(g.lockedToThread);
    QVERIFY(g.framesElided);
    QCOMPARE(g.frames.front().function, std::string("main.(*worker).push"));
    QCOMPARE(g.createdBy->function, std::string("main.startWorkers"));
    QCOMPARE(g.createdBy->file, std::string("/src/app/main.go"));
    QCOMPARE(g.createdBy->line, std::int64_t(31));
    QCOMPARE(g.createdByGoroutine, std::optional<std::int64_t>(6));
    const auto groups = diagnose::groupGoroutines(dump.goroutines);
    QCOMPARE(groups.size(), std::size_t(1)); // 7 and 2 minutes: one group
    QCOMPARE(groups.front().count, 2);
    QCOMPARE(groups.front().maxWaitMinutes, std::optional<int>(7));
    QCOMPARE(groups.front().lockedToThread, 1);
}

void TestProfile::goroutineDiffRanksGrowthFirst()
{
    const auto newer = diagnose::groupGoroutines(
        formats::parseGoroutineDump(view(readData(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/goroutine_leak_debug2.txt"))))
            .goroutines);
    // An older dump: the same service before the leak had grown (the leaked
    // group with 20 members instead of 820).
    std::vector<diagnose::GoroutineGroup> older = newer;
    older.front().count = 20;
    std::swap(older.front(), older.back()); // order must not matter
    const auto diff = diagnose::diffGoroutineGroups(older, newer);
    QCOMPARE(diff.front().growth, 800);
    QCOMPARE(diff.front().count, 820);
    QCOMPARE(diff.front().frames.front().function, std::string("main.(*faults).run.func1.1"));
    for (std::size_t i = 1; i < diff.size(); ++i)
        QCOMPARE(diff[i].growth, 0);
}

void TestProfile::badGoroutineDumpsAreNamed()
{
    const char *text = "goroutine x [running]:\n"
                       "main.main()\n"
                       "\t/src/main.go:3 +0x1\n"
                       "\n"
                       "goroutine 2 [select]:\n"
                       "main.loop()\n"
                       "\t/src/main.go:nine\n"
                       "\n"
                       "goroutine 3 [sleep]:\n"
                       "time.Sleep(0x3b9aca00)\n"
                       "\t/usr/lib/go/src/runtime/time.go:195 +0x135\n";
    const auto dump = formats::parseGoroutineDump(text);
    QCOMPARE(dump.goroutines.size(), std::size_t(1)); // what can be read is kept
    QCOMPARE(dump.goroutines.front().id, std::int64_t(3));
    QCOMPARE(dump.problems.errorCount(), std::size_t(2));
    QCOMPARE(dump.problems.items()[0].line, 1U);
    QCOMPARE(dump.problems.items()[1].line, 7U);
    // Found by the fuzzer: a header that is the prefix and nothing more.
    const auto bare = formats::parseGoroutineDump("goroutine \nmain.main()\n");
    QVERIFY(bare.goroutines.empty());
    QCOMPARE(bare.problems.items().front().message, std::string("a goroutine header without its number"));
    const QByteArray crash
        = readData(QStringLiteral(GOTRIAGE_TEST_DATA "/fuzz/goroutinedump/crash-header-without-number.txt"));
    QVERIFY(!crash.isEmpty());
    QVERIFY(formats::parseGoroutineDump(view(crash)).problems.hasErrors());
    formats::GoroutineDumpLimits limits;
    limits.maxBytes = 10;
    QVERIFY(formats::parseGoroutineDump(text, limits).problems.hasErrors());
}

QTEST_GUILESS_MAIN(TestProfile)
#include "tst_profile.moc"
