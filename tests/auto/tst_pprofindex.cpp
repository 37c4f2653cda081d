#include "testdata.h"

#include "formats/pprofindex.h"

#include <QTest>

using namespace gotriage::formats;

class TestPprofIndex : public QObject
{
    Q_OBJECT

private slots:
    void fixture();
    void badRowsAreSkipped();
    void notAnIndexPage();
};

void TestPprofIndex::fixture()
{
    const ParsedPprofIndex index = parsePprofIndex(readTestData(QStringLiteral("go1.19/pprof_index_leak.html")));
    QCOMPARE(index.problems.items().size(), std::size_t(0));
    QCOMPARE(index.profiles.size(), std::size_t(9));
    QCOMPARE(*index.goroutines, std::int64_t(304));
    QCOMPARE(index.profiles.front().name, std::string("allocs"));
    QCOMPARE(index.profiles.back().name, std::string("trace"));
}

void TestPprofIndex::badRowsAreSkipped()
{
    const std::string html = "<table>\n"
                             "<tr><td>x1</td><td><a href='heap?debug=1'>heap</a></td></tr>\n"
                             "<tr><td>12</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n";
    const ParsedPprofIndex index = parsePprofIndex(html);
    QCOMPARE(index.profiles.size(), std::size_t(1));
    QCOMPARE(*index.goroutines, std::int64_t(12));
    QCOMPARE(index.problems.errorCount(), std::size_t(1));
    QCOMPARE(index.problems.items().front().line, 2U);
    QCOMPARE(index.problems.items().front().column, 9U);
}

void TestPprofIndex::notAnIndexPage()
{
    const ParsedPprofIndex index = parsePprofIndex("<html>404 page not found</html>");
    QVERIFY(!index.goroutines.has_value());
    QCOMPARE(index.problems.errorCount(), std::size_t(1));
}

QTEST_APPLESS_MAIN(TestPprofIndex)
#include "tst_pprofindex.moc"
