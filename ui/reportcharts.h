#pragma once

#include "record/report.h"

#include <QImage>
#include <QString>

#include <vector>

namespace gotriage::ui {

// The report's pictures, drawn with the same charts as the window (so the
// review sees what the war room saw). GUI thread (an offscreen
// QApplication will do): widgets draw them.
std::vector<QImage> renderReportCharts(const record::Report &report);

// Writes report.md, report.html and charts/*.png into `dir` (created).
// Safe from any thread. false with `error` naming the file.
bool saveReport(const record::Report &report, const std::vector<QImage> &charts, const QString &dir, QString *error);

} // namespace gotriage::ui
