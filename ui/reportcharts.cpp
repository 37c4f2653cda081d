#include "reportcharts.h"

#include "palette.h"
#include "timechart.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

namespace gotriage::ui {

namespace {

constexpr QSize kChartSize{900, 320};

// Bytes read best in MiB on an axis; everything else as stored.
std::pair<QString, double> axisOf(vitals::Vital vital)
{
    switch (vitals::kVitals[vitals::index(vital)].unit) {
    case vitals::VitalUnit::Bytes:
        return {QStringLiteral("MiB"), 1.0 / (1024 * 1024)};
    default:
        break;
    }
    const std::string_view name = vitals::kVitals[vitals::index(vital)].name;
    return {QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size())), 1.0};
}

bool writeText(const QString &path, const QString &text, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

std::vector<QImage> renderReportCharts(const record::Report &report)
{
    std::vector<QImage> out;
    for (const record::ReportChart &c : report.charts) {
        const auto [label, scale] = axisOf(c.vital);
        TimeChart chart(c.title, label);
        chart.setAttribute(Qt::WA_DontShowOnScreen);
        chart.resize(kChartSize);
        const std::string_view name = vitals::kVitals[vitals::index(c.vital)].name;
        const int series = chart.addSeries(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size())),
                                           &palette::Colours::seriesBlue, TimeChart::Axis::Left, scale);
        chart.setSeriesData(series, {c.points.begin(), c.points.end()});
        chart.setTimeRange(static_cast<double>(c.fromMs) / 1000.0, static_cast<double>(c.toMs) / 1000.0);
        std::vector<TimeChart::Marker> markers{
            {static_cast<double>(c.markMs) / 1000.0, QStringLiteral("raised"), palette::colours().critical}};
        for (const auto &[ts, text] : c.actions)
            markers.push_back({static_cast<double>(ts) / 1000.0, text,
                               text.startsWith(QLatin1String("reverted")) ? palette::colours().actionReverted
                                                                          : palette::colours().actionSent});
        chart.setMarkers(markers);
        chart.replot();
        QCoreApplication::processEvents(); // the queued replot draws the plot's buffer
        out.push_back(chart.grab().toImage());
    }
    return out;
}

bool saveReport(const record::Report &report, const std::vector<QImage> &charts, const QString &dir, QString *error)
{
    if (!QDir().mkpath(dir + QStringLiteral("/charts"))) {
        if (error)
            *error = QStringLiteral("%1: cannot create the folder").arg(dir);
        return false;
    }
    QStringList files;
    for (std::size_t i = 0; i < report.charts.size(); ++i) {
        const QString relative = QStringLiteral("charts/%1.png").arg(report.charts[i].id);
        const bool saved = i < charts.size() && charts[i].save(dir + u'/' + relative, "PNG");
        files << (saved ? relative : QString());
    }
    return writeText(dir + QStringLiteral("/report.md"), record::reportMarkdown(report, files), error)
        && writeText(dir + QStringLiteral("/report.html"), record::reportHtml(report, files), error);
}

} // namespace gotriage::ui
