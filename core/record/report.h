#pragma once

#include "record/recordingfile.h"
#include "signals/vital.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace gotriage::record {

// The post-incident report of a recording: what happened when (findings,
// actions with their verification, notes), the impact over time, the key
// windows to chart, and what captured profiles and dumps showed. Built in
// core from the file; the charts are drawn by ui (record::ReportChart says
// what to draw), and the text is Markdown or HTML.
struct ReportEntry {
    qint64 tsMs = 0;
    QString what; // "raised", "cleared", "action", "verified", "reverted", "note", "opened", "closed"
    QString service;
    QString text;
};

// A minute of the incident: how many services were sick, and the fleet's
// traffic (the impact as users felt it).
struct ReportImpact {
    qint64 tsMs = 0;
    int sickServices = 0;
    double requestRate = 0; // Σ req_rate over services, per s
    double errorRate = 0; // Σ err_rate
};

// A window worth a picture: around a battlefield finding, on its vital.
struct ReportChart {
    QString id; // the image's file name without extension: "1-image-resizer-1-gc_frenzy"
    QString title;
    QString service;
    vitals::Vital vital = vitals::Vital::Goroutines;
    qint64 fromMs = 0, toMs = 0;
    qint64 markMs = 0; // the finding's moment
    std::vector<std::pair<qint64, double>> points; // the vital over the window (known values)
    std::vector<std::pair<qint64, QString>> actions; // actions sent or reverted in the window
};

struct ReportCapture {
    qint64 tsMs = 0;
    QString service, kind;
    QStringList lines; // "42.0 %  main.work" or "820  chan receive  at faults.go:135"
    QString error;
};

struct Report {
    QString source; // the recording's file name
    qint64 firstMs = 0, lastMs = 0;
    int services = 0;
    std::vector<ReportEntry> timeline;
    std::vector<ReportImpact> impact; // one a minute, at most kMaxImpactRows
    std::vector<ReportChart> charts; // at most kMaxCharts
    std::vector<ReportCapture> captures;
    QStringList problems;
    bool cancelled = false; // the progress callback asked to stop: the report is partial

    static constexpr int kMaxCharts = 8;
    static constexpr int kMaxImpactRows = 60;
    static constexpr qint64 kChartHalfWindowMs = 5 * 60'000;
    static constexpr int kTopRows = 10;
    static constexpr int kTopGroups = 5;
};

// Told how far the report has come (`done` of `total` steps: its parts, and
// each hour of traffic); returning false stops it, and the report comes back
// marked cancelled. Called on the building thread.
using ReportProgress = std::function<bool(int done, int total)>;

Report buildReport(const RecordingReader &reader, const ReportProgress &progress = {});

// `chartFiles`: the images' paths relative to the report, one per chart
// (empty where none could be drawn).
QString reportMarkdown(const Report &report, const QStringList &chartFiles);
QString reportHtml(const Report &report, const QStringList &chartFiles);

// The vital a finding of this kind is about (its chart).
vitals::Vital vitalOfFinding(const QString &kindName);

} // namespace gotriage::record
