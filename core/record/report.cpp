#include "report.h"

#include "analysis/findingjson.h"
#include "diagnose/goroutinegroups.h"
#include "diagnose/toptable.h"
#include "formats/goroutinedump.h"
#include "formats/profile.h"
#include "record/recorder.h"
#include "record/recordingcursor.h"
#include "triage/incident.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <map>

namespace gotriage::record {

namespace {

QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("HH:mm:ss"));
}

QString duration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg(s / 60 % 60);
}

void addFindingEntries(const RecordingReader &reader, Report &report)
{
    int charts = 0;
    for (const StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(kFindingEvent))) {
        QString why;
        const auto change = analysis::findingChangeFromJson(e.json.toStdString(), &why);
        if (!change) {
            report.problems << QStringLiteral("finding at %1: %2").arg(utc(e.tsMs), why);
            continue;
        }
        const analysis::Finding &f = change->finding;
        const QString kind = analysis::kindName(f.kind);
        if (change->type == analysis::FindingChange::Type::Updated)
            continue; // the timeline tells beginnings and ends
        const bool raised = change->type == analysis::FindingChange::Type::Raised;
        report.timeline.push_back(
            {e.tsMs, raised ? QStringLiteral("raised") : QStringLiteral("cleared"), e.service,
             raised ? QStringLiteral("%1 (%2): %3")
                          .arg(QString(kind).replace(u'_', u' '), analysis::severityName(f.severity), f.evidence)
                    : QString(kind).replace(u'_', u' ')});
        if (raised && analysis::isBattlefield(f.kind) && charts < Report::kMaxCharts) {
            ++charts;
            ReportChart chart;
            chart.id = QStringLiteral("%1-%2-%3").arg(charts).arg(e.service, kind);
            chart.title = QStringLiteral("%1 on %2, raised %3")
                              .arg(QString(kind).replace(u'_', u' '), e.service, clock(e.tsMs));
            chart.service = e.service;
            chart.vital = vitalOfFinding(kind);
            chart.fromMs = std::max(report.firstMs, e.tsMs - Report::kChartHalfWindowMs);
            chart.toMs = std::min(report.lastMs, e.tsMs + Report::kChartHalfWindowMs);
            chart.markMs = e.tsMs;
            report.charts.push_back(chart);
        }
    }
}

void addTriageEntries(const RecordingReader &reader, Report &report)
{
    for (const StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(kTriageEvent))) {
        const auto event = triage::IncidentEvent::fromJson(QJsonDocument::fromJson(e.json.toUtf8()).object(), nullptr);
        if (!event)
            continue;
        using Type = triage::IncidentEvent::Type;
        QString what;
        QString text = event->text;
        switch (event->type) {
        case Type::Opened:
            what = QStringLiteral("opened");
            break;
        case Type::Closed:
            what = QStringLiteral("closed");
            text = text.section(u'\n', 0, 0); // the summary's first line; the whole is beside the incident
            break;
        case Type::Note:
            what = QStringLiteral("note");
            break;
        case Type::ActionSent:
            what = QStringLiteral("action");
            text = event->actionId;
            break;
        case Type::ActionVerified:
            what = QStringLiteral("verified");
            text = QStringLiteral("%1: %2").arg(event->actionId,
                                                event->details.value(QStringLiteral("effective")).toBool()
                                                    ? QStringLiteral("effective")
                                                    : QStringLiteral("not effective"));
            break;
        case Type::Reverted:
            what = QStringLiteral("reverted");
            text = event->actionId;
            break;
        case Type::StepChanged:
        case Type::ChecklistChecked:
            continue;
        }
        report.timeline.push_back({e.tsMs, what, event->service, text});
    }
    for (const StoredEvent &e : reader.events(INT64_MIN, INT64_MAX, QString::fromLatin1(kNoteEvent))) {
        const QJsonObject o = QJsonDocument::fromJson(e.json.toUtf8()).object();
        report.timeline.push_back({e.tsMs, QStringLiteral("note"), o.value(QStringLiteral("author")).toString(),
                                   o.value(QStringLiteral("text")).toString()});
    }
}

// The hours of traffic addImpact reads, one progress step each.
int impactHours(const Report &report)
{
    return report.lastMs < report.firstMs ? 0 : static_cast<int>((report.lastMs - report.firstMs) / 3'600'000 + 1);
}

// False when the reader of `progress` asked to stop.
bool addImpact(const RecordingReader &reader, Report &report, const std::function<bool()> &hourDone)
{
    // Per minute: traffic summed over services (each service's mean in the
    // minute), and how many services had a battlefield finding active.
    std::map<qint64, ReportImpact> minutes;
    const auto minuteOf = [](qint64 ms) { return ms - ms % 60'000; };
    RecordingCursor cursor(reader);
    std::map<QString, std::map<qint64, std::pair<double, int>>> req, err; // service → minute → (sum, n)
    std::map<qint64, std::map<QString, bool>> sick;
    for (qint64 from = report.firstMs; from <= report.lastMs; from += 3'600'000) {
        for (const ingest::SourceUpdate &u : cursor.next(std::min(from + 3'600'000, report.lastMs + 1))) {
            const qint64 m = minuteOf(u.tsMs());
            minutes[m].tsMs = m;
            const double r = u.vitals[vitals::Vital::ReqRate], x = u.vitals[vitals::Vital::ErrRate];
            if (std::isfinite(r)) {
                req[u.service()][m].first += r;
                ++req[u.service()][m].second;
            }
            if (std::isfinite(x)) {
                err[u.service()][m].first += x;
                ++err[u.service()][m].second;
            }
            const bool isSick = std::any_of(u.recorded->findings.begin(), u.recorded->findings.end(),
                                            [](const analysis::Finding &f) { return analysis::isBattlefield(f.kind); });
            sick[m][u.service()] = sick[m][u.service()] || isSick;
        }
        report.problems << cursor.takeProblems();
        if (!hourDone())
            return false;
    }
    for (auto &[m, impact] : minutes) {
        for (const auto &[service, perMinute] : req) {
            if (const auto it = perMinute.find(m); it != perMinute.end())
                impact.requestRate += it->second.first / it->second.second;
        }
        for (const auto &[service, perMinute] : err) {
            if (const auto it = perMinute.find(m); it != perMinute.end())
                impact.errorRate += it->second.first / it->second.second;
        }
        for (const auto &[service, isSick] : sick[m])
            impact.sickServices += isSick ? 1 : 0;
    }
    // A long recording is summarised: every k-th minute.
    const std::size_t step = std::max<std::size_t>(
        1, (minutes.size() + Report::kMaxImpactRows - 1) / static_cast<std::size_t>(Report::kMaxImpactRows));
    std::size_t i = 0;
    for (const auto &[m, impact] : minutes) {
        if (i++ % step == 0)
            report.impact.push_back(impact);
    }
    return true;
}

void addCaptures(const RecordingReader &reader, Report &report)
{
    for (const RecordingReader::BlobInfo &info : reader.blobs()) {
        ReportCapture capture{info.tsMs, info.service, info.kind, {}, {}};
        QString why;
        const std::optional<StoredBlob> blob = reader.blob(info.id, &why);
        if (!blob) {
            capture.error = why;
        } else if (info.kind == QLatin1String("goroutine-text")) {
            const formats::ParsedGoroutineDump dump = formats::parseGoroutineDump(blob->data.toStdString());
            const std::vector<diagnose::GoroutineGroup> groups = diagnose::groupGoroutines(dump.goroutines);
            for (std::size_t g = 0; g < groups.size() && g < static_cast<std::size_t>(Report::kTopGroups); ++g) {
                const auto &group = groups[g];
                capture.lines << QStringLiteral("%1 goroutines  %2  at %3")
                                     .arg(group.count)
                                     .arg(QString::fromStdString(group.state),
                                          group.frames.empty() ? QStringLiteral("?")
                                                               : QString::fromStdString(group.frames.front().function));
            }
        } else {
            const formats::ParsedProfile parsed = formats::parseProfile(blob->data.toStdString());
            if (!parsed.profile) {
                capture.error = QString::fromStdString(parsed.error);
            } else {
                diagnose::TopOptions options;
                options.nodeCount = Report::kTopRows;
                for (const diagnose::TopRow &row : diagnose::topTable(*parsed.profile, options).rows)
                    capture.lines << QStringLiteral("%1 %  %2")
                                         .arg(row.flatPercent, 5, 'f', 1)
                                         .arg(QString::fromStdString(row.name));
            }
        }
        report.captures.push_back(capture);
    }
}

// What a finding's chart may show, best first: the first the service has.
std::vector<vitals::Vital> chartVitals(vitals::Vital preferred)
{
    switch (preferred) {
    case vitals::Vital::HeapLive: // /metrics of an older Go may lack it
        return {vitals::Vital::HeapLive, vitals::Vital::HeapInuse, vitals::Vital::Rss};
    case vitals::Vital::GcRate:
        return {vitals::Vital::GcRate, vitals::Vital::GcCpu};
    default:
        return {preferred};
    }
}

void addChartData(const RecordingReader &reader, Report &report)
{
    for (ReportChart &chart : report.charts) {
        const QStringList columns = reader.columns(chart.service);
        const SampleBlock block = reader.samples(chart.service, chart.fromMs, chart.toMs, &report.problems);
        for (const vitals::Vital vital : chartVitals(chart.vital)) {
            const std::string_view name = vitals::kVitals[vitals::index(vital)].name;
            const auto column = static_cast<std::size_t>(
                columns.indexOf(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()))));
            if (column >= block.columns.size())
                continue;
            for (std::size_t i = 0; i < block.timesMs.size(); ++i) {
                if (std::isfinite(block.columns[column][i]))
                    chart.points.emplace_back(block.timesMs[i], block.columns[column][i]);
            }
            if (!chart.points.empty()) {
                chart.vital = vital;
                break;
            }
        }
        for (const ReportEntry &e : report.timeline) {
            if ((e.what == QLatin1String("action") || e.what == QLatin1String("reverted")) && e.tsMs >= chart.fromMs
                && e.tsMs <= chart.toMs)
                chart.actions.emplace_back(e.tsMs,
                                           e.what == QLatin1String("reverted") ? QStringLiteral("reverted ") + e.text
                                                                               : e.text + u' ' + e.service);
        }
    }
}

QString htmlEscaped(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

vitals::Vital vitalOfFinding(const QString &kindName)
{
    if (kindName == QLatin1String("goroutine_leak"))
        return vitals::Vital::Goroutines;
    if (kindName == QLatin1String("memory_black_hole"))
        return vitals::Vital::HeapLive;
    if (kindName == QLatin1String("gc_frenzy"))
        return vitals::Vital::GcRate;
    return vitals::Vital::Cpu;
}

Report buildReport(const RecordingReader &reader, const ReportProgress &progress)
{
    Report report;
    report.source = QFileInfo(reader.path()).fileName();
    std::tie(report.firstMs, report.lastMs) = reader.timeRange();
    report.services = static_cast<int>(reader.services().size());
    // Steps: the timeline, each hour of traffic, the captures, the charts.
    const int total = 3 + impactHours(report);
    int done = 0;
    const auto stepDone = [&] {
        if (!progress || progress(++done, total))
            return true;
        report.cancelled = true;
        return false;
    };
    addFindingEntries(reader, report);
    addTriageEntries(reader, report);
    std::stable_sort(report.timeline.begin(), report.timeline.end(),
                     [](const ReportEntry &a, const ReportEntry &b) { return a.tsMs < b.tsMs; });
    if (!stepDone() || !addImpact(reader, report, stepDone))
        return report;
    addCaptures(reader, report);
    if (!stepDone())
        return report;
    addChartData(reader, report);
    stepDone();
    return report;
}

QString reportMarkdown(const Report &r, const QStringList &chartFiles)
{
    QString md;
    md += QStringLiteral("# Incident report: %1\n\n").arg(r.source);
    md += QStringLiteral("- **From** %1 **to** %2 (%3)\n- **Services recorded:** %4\n\n")
              .arg(utc(r.firstMs), utc(r.lastMs), duration(r.lastMs - r.firstMs))
              .arg(r.services);
    md += QStringLiteral("## Timeline\n\n| Time (UTC) | What | Service | Detail |\n|---|---|---|---|\n");
    for (const ReportEntry &e : r.timeline)
        md += QStringLiteral("| %1 | %2 | %3 | %4 |\n")
                  .arg(clock(e.tsMs), e.what, e.service, QString(e.text).replace(u'|', QStringLiteral("\\|")));
    if (r.timeline.empty())
        md += QStringLiteral("| | nothing was raised or done | | |\n");
    md += QStringLiteral("\n## Impact over time\n\n| Minute (UTC) | Sick services | Requests/s | Errors/s |\n"
                         "|---|---|---|---|\n");
    for (const ReportImpact &i : r.impact)
        md += QStringLiteral("| %1 | %2 | %3 | %4 |\n")
                  .arg(clock(i.tsMs))
                  .arg(i.sickServices)
                  .arg(i.requestRate, 0, 'f', 1)
                  .arg(i.errorRate, 0, 'f', 2);
    md += QStringLiteral("\n## Key windows\n\n");
    if (r.charts.empty())
        md += QStringLiteral("No battlefield finding was raised.\n");
    for (std::size_t i = 0; i < r.charts.size(); ++i) {
        const ReportChart &c = r.charts[i];
        const QString file = chartFiles.value(static_cast<int>(i));
        md += QStringLiteral("### %1\n\n").arg(c.title);
        md += file.isEmpty() ? QStringLiteral("(no chart could be drawn)\n\n")
                             : QStringLiteral("![%1](%2)\n\n").arg(c.title, file);
    }
    md += QStringLiteral("## Captured profiles and goroutine dumps\n\n");
    if (r.captures.empty())
        md += QStringLiteral("None were captured during the recording.\n");
    for (const ReportCapture &c : r.captures) {
        md += QStringLiteral("### %1 of %2 at %3\n\n").arg(c.kind, c.service, clock(c.tsMs));
        if (!c.error.isEmpty())
            md += QStringLiteral("Could not be read: %1\n\n").arg(c.error);
        else
            md += QStringLiteral("```\n%1\n```\n\n").arg(c.lines.join(u'\n'));
    }
    if (!r.problems.isEmpty())
        md += QStringLiteral("\n## What could not be read\n\n- %1\n").arg(r.problems.join(QStringLiteral("\n- ")));
    return md;
}

QString reportHtml(const Report &r, const QStringList &chartFiles)
{
    QString h;
    h += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Incident report: %1"
                        "</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
                        "table{border-collapse:collapse}td,th{border:1px solid;padding:3px 8px;text-align:left}"
                        "pre{border:1px solid;padding:8px}</style></head><body>\n")
             .arg(htmlEscaped(r.source));
    h += QStringLiteral("<h1>Incident report: %1</h1>\n<p>From %2 to %3 (%4). Services recorded: %5.</p>\n")
             .arg(htmlEscaped(r.source), utc(r.firstMs), utc(r.lastMs), duration(r.lastMs - r.firstMs))
             .arg(r.services);
    h += QStringLiteral("<h2>Timeline</h2>\n<table><tr><th>Time (UTC)</th><th>What</th><th>Service</th>"
                        "<th>Detail</th></tr>\n");
    for (const ReportEntry &e : r.timeline)
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>\n")
                 .arg(clock(e.tsMs), e.what, htmlEscaped(e.service), htmlEscaped(e.text));
    h += QStringLiteral("</table>\n<h2>Impact over time</h2>\n<table><tr><th>Minute (UTC)</th><th>Sick services</th>"
                        "<th>Requests/s</th><th>Errors/s</th></tr>\n");
    for (const ReportImpact &i : r.impact)
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>\n")
                 .arg(clock(i.tsMs))
                 .arg(i.sickServices)
                 .arg(i.requestRate, 0, 'f', 1)
                 .arg(i.errorRate, 0, 'f', 2);
    h += QStringLiteral("</table>\n<h2>Key windows</h2>\n");
    for (std::size_t i = 0; i < r.charts.size(); ++i) {
        const QString file = chartFiles.value(static_cast<int>(i));
        h += QStringLiteral("<h3>%1</h3>\n").arg(htmlEscaped(r.charts[i].title));
        h += file.isEmpty() ? QStringLiteral("<p>(no chart could be drawn)</p>\n")
                            : QStringLiteral("<img src=\"%1\" alt=\"%2\">\n").arg(file, htmlEscaped(r.charts[i].title));
    }
    h += QStringLiteral("<h2>Captured profiles and goroutine dumps</h2>\n");
    if (r.captures.empty())
        h += QStringLiteral("<p>None were captured during the recording.</p>\n");
    for (const ReportCapture &c : r.captures) {
        h += QStringLiteral("<h3>%1 of %2 at %3</h3>\n")
                 .arg(htmlEscaped(c.kind), htmlEscaped(c.service), clock(c.tsMs));
        h += c.error.isEmpty() ? QStringLiteral("<pre>%1</pre>\n").arg(htmlEscaped(c.lines.join(u'\n')))
                               : QStringLiteral("<p>Could not be read: %1</p>\n").arg(htmlEscaped(c.error));
    }
    h += QStringLiteral("</body></html>\n");
    return h;
}

} // namespace gotriage::record
