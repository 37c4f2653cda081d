// The post-incident report: a golden Markdown report of a short recorded
// demo incident (its findings, a throttle sent, verified and reverted, a
// note, a goroutine dump and a heap profile captured), the charts drawn by
// the window's own chart under an offscreen application, and the HTML.
#include "record/recorder.h"
#include "record/recordingfile.h"
#include "record/report.h"
#include "recordingtesting.h"
#include "reportcharts.h"
#include "triage/incident.h"

#include <algorithm>
#include <QApplication>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace gotriage;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The demo recording with what an incident adds: opened, a throttle sent,
// verified and reverted, a note, a goroutine dump and a heap profile.
QString incidentRecording(const QTemporaryDir &dir)
{
    using Type = triage::IncidentEvent::Type;
    const QString throttle = QStringLiteral("throttle-1"), service = QStringLiteral("image-resizer-1");
    triage::IncidentEvent verified = testing::incidentEvent(Type::ActionVerified, 27'000, {}, throttle, service);
    verified.details = QJsonObject{{QStringLiteral("effective"), true}};
    return testing::demoIncidentRecording(
        dir,
        {testing::incidentEvent(Type::Opened, 6'000, QStringLiteral("GC frenzy on image-resizer-1")),
         testing::incidentEvent(Type::ActionSent, 20'000, {}, throttle, service), verified,
         testing::incidentEvent(Type::Note, 28'000,
                                QStringLiteral("allocation storm from the resize cache; throttled to 20 rps")),
         testing::incidentEvent(Type::Reverted, 30'000, {}, throttle, service)},
        {{22'000, QStringLiteral("goroutine-text"), QStringLiteral("checkout-api-1"), QStringLiteral("goroutines"),
          readFile(QStringLiteral(GOTRIAGE_TEST_DATA "/go1.19/goroutine_leak_t0_debug2.txt"))},
         {24'000, QStringLiteral("heap"), QStringLiteral("search-api-1"), QStringLiteral("heap"),
          readFile(QStringLiteral(GOTRIAGE_TEST_DATA "/lab/heap_memcreep.pb.gz"))}});
}

} // namespace

class TestReport : public QObject
{
    Q_OBJECT

private slots:
    void goldenReport();
    void progressAndCancel();
};

void TestReport::goldenReport()
{
    QTemporaryDir dir;
    const QString path = incidentRecording(dir);
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    const record::Report report = record::buildReport(reader);
    QVERIFY2(report.problems.isEmpty(), qPrintable(report.problems.join(u'\n')));
    const std::vector<QImage> charts = ui::renderReportCharts(report);
    const QString out = dir.filePath(QStringLiteral("report"));
    QVERIFY2(ui::saveReport(report, charts, out, &error), qPrintable(error));

    const QByteArray markdown = readFile(out + QStringLiteral("/report.md"));
    const QString golden = QStringLiteral(GOTRIAGE_TEST_DATA "/record/golden-report.md");
    if (qEnvironmentVariableIsSet("GOTRIAGE_UPDATE_GOLDEN")) {
        QFile file(golden);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(markdown);
    }
    QCOMPARE(QString::fromUtf8(markdown), QString::fromUtf8(readFile(golden)));

    // One picture per battlefield finding, drawn (not blank), and in both documents.
    QCOMPARE(charts.size(), report.charts.size());
    QVERIFY(report.charts.size() >= 3);
    const QByteArray html = readFile(out + QStringLiteral("/report.html"));
    for (const record::ReportChart &chart : report.charts) {
        const QImage image(out + QStringLiteral("/charts/") + chart.id + QStringLiteral(".png"));
        QCOMPARE(image.size(), QSize(900, 320));
        QVERIFY(!chart.points.empty());
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 5) {
            for (int x = 0; x < image.width(); x += 5)
                colours.insert(image.pixel(x, y));
        }
        QVERIFY2(colours.size() > 10, qPrintable(chart.id)); // a line, a grid and text, not a flat fill
        QVERIFY(html.contains("charts/" + chart.id.toUtf8() + ".png"));
    }
    QVERIFY(html.contains("<td>allocation storm from the resize cache; throttled to 20 rps</td>"));
}

void TestReport::progressAndCancel()
{
    QTemporaryDir dir;
    const QString path = incidentRecording(dir);
    record::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    // Told step by step, up to the whole, and the same report as without.
    std::vector<std::pair<int, int>> steps;
    const record::Report full = record::buildReport(reader, [&steps](int done, int total) {
        steps.emplace_back(done, total);
        return true;
    });
    QVERIFY(steps.size() >= 4); // the timeline, an hour of traffic, the captures, the charts
    for (std::size_t i = 0; i < steps.size(); ++i) {
        QCOMPARE(steps[i].first, int(i) + 1);
        QCOMPARE(steps[i].second, steps.back().first);
    }
    QVERIFY(!full.cancelled);
    QCOMPARE(full.charts.size(), record::buildReport(reader).charts.size());
    // Stopped after the first step: marked cancelled, nothing after it built.
    int calls = 0;
    const record::Report stopped = record::buildReport(reader, [&calls](int, int) { return ++calls < 1; });
    QVERIFY(stopped.cancelled);
    QCOMPARE(calls, 1);
    QVERIFY(std::all_of(stopped.charts.begin(), stopped.charts.end(),
                        [](const record::ReportChart &c) { return c.points.empty(); }));
    QVERIFY(stopped.impact.empty());
    QVERIFY(!stopped.timeline.empty()); // what was built before the stop is kept
}

QTEST_MAIN(TestReport)
#include "tst_report.moc"
