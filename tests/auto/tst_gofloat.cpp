#include "formats/gofloat.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace gotriage::formats;

class TestGoFloat : public QObject
{
    Q_OBJECT

private slots:
    void format_data();
    void format();
    void roundTrip();
    void parse_data();
    void parse();
};

void TestGoFloat::format_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("expected");
    // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
    QTest::newRow("one") << 1.0 << QStringLiteral("1");
    QTest::newRow("zero") << 0.0 << QStringLiteral("0");
    QTest::newRow("negative-zero") << -0.0 << QStringLiteral("-0");
    QTest::newRow("bucket-5ms") << 0.005 << QStringLiteral("0.005");
    QTest::newRow("small-exponent") << 1e-05 << QStringLiteral("1e-05");
    QTest::newRow("just-above-exponent") << 0.0001 << QStringLiteral("0.0001");
    QTest::newRow("100000-plain") << 100000.0 << QStringLiteral("100000");
    QTest::newRow("million-exponent") << 1e6 << QStringLiteral("1e+06");
    QTest::newRow("1.5e6") << 1.5e6 << QStringLiteral("1.5e+06");
    QTest::newRow("shortest-digits") << 8.999999999999998 << QStringLiteral("8.999999999999998");
    QTest::newRow("fraction") << 123456.7 << QStringLiteral("123456.7");
    QTest::newRow("negative") << -2.5 << QStringLiteral("-2.5");
    QTest::newRow("huge") << 1.7976931348623157e308 << QStringLiteral("1.7976931348623157e+308");
    QTest::newRow("tiny") << 5e-324 << QStringLiteral("5e-324");
    QTest::newRow("three-digit-exp") << 1e100 << QStringLiteral("1e+100");
    QTest::newRow("plus-inf") << std::numeric_limits<double>::infinity() << QStringLiteral("+Inf");
    QTest::newRow("minus-inf") << -std::numeric_limits<double>::infinity() << QStringLiteral("-Inf");
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("NaN");
}

void TestGoFloat::format()
{
    QFETCH(double, value);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(formatGoFloat(value)), expected);
}

void TestGoFloat::roundTrip()
{
    // Every formatted value parses back to the same bits.
    const double values[] = {0.1, 1.0 / 3.0, 2.5e-7, 6.02214076e23, 99999.99999, 123456789.0, 4.9e-324};
    for (double value : values) {
        const auto parsed = parseGoFloat(formatGoFloat(value));
        QVERIFY(parsed.has_value());
        QCOMPARE(*parsed, value);
    }
}

void TestGoFloat::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<double>("expected");
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("integer") << QStringLiteral("42") << true << 42.0;
    QTest::newRow("plus-sign") << QStringLiteral("+1.5") << true << 1.5;
    QTest::newRow("exponent") << QStringLiteral("1.286736e+06") << true << 1286736.0;
    QTest::newRow("leading-dot") << QStringLiteral(".5") << true << 0.5;
    QTest::newRow("plus-inf") << QStringLiteral("+Inf") << true << inf;
    QTest::newRow("minus-inf") << QStringLiteral("-Inf") << true << -inf;
    QTest::newRow("inf-lower") << QStringLiteral("inf") << true << inf;
    QTest::newRow("infinity") << QStringLiteral("-Infinity") << true << -inf;
    QTest::newRow("overflow-is-inf") << QStringLiteral("1e400") << true << inf;
    QTest::newRow("empty") << QString() << false << 0.0;
    QTest::newRow("sign-only") << QStringLiteral("-") << false << 0.0;
    QTest::newRow("trailing-garbage") << QStringLiteral("1.0x") << false << 0.0;
    QTest::newRow("word") << QStringLiteral("infinite") << false << 0.0;
    QTest::newRow("double-sign") << QStringLiteral("+-1") << false << 0.0;
}

void TestGoFloat::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(double, expected);
    const std::string bytes = text.toStdString();
    const auto parsed = parseGoFloat(bytes);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, expected);
}

QTEST_APPLESS_MAIN(TestGoFloat)
#include "tst_gofloat.moc"
