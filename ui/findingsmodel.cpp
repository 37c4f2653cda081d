#include "findingsmodel.h"

#include "appearance.h"
#include "palette.h"

#include "vitalformat.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace gotriage::ui {

using analysis::Finding;
using analysis::FindingKind;
using analysis::Severity;

QString FindingsModel::severityGlyph(analysis::Severity severity)
{
    switch (severity) {
    case Severity::Critical:
        return QStringLiteral("✖");
    case Severity::Warning:
        return QStringLiteral("⚠");
    case Severity::Info:
        break;
    }
    return QStringLiteral("ℹ");
}

QString FindingsModel::kindLabel(FindingKind kind)
{
    switch (kind) {
    case FindingKind::GoroutineLeak:
        return tr("goroutine leak");
    case FindingKind::MemoryBlackHole:
        return tr("memory black hole");
    case FindingKind::GcFrenzy:
        return tr("GC frenzy");
    case FindingKind::CpuSaturation:
        return tr("CPU saturation");
    case FindingKind::Stale:
        return tr("stale");
    case FindingKind::Config:
        return tr("config");
    }
    return {};
}

int FindingsModel::weight(const Finding &f)
{
    const int severity = f.severity == Severity::Critical ? 3 : f.severity == Severity::Warning ? 2 : 1;
    return severity * 10 + (analysis::isBattlefield(f.kind) ? 2 : f.kind == FindingKind::Stale ? 1 : 0);
}

void FindingsModel::setServiceFindings(const QString &service, const std::vector<Finding> &findings)
{
    const auto it = m_byService.find(service);
    if (findings.empty() && it == m_byService.end())
        return;
    // Most reports repeat what the service already had: nothing to redo
    // (with 200 services, 200 rebuilds a second were a third of a core).
    const auto same = [](const Finding &a, const Finding &b) {
        return a.kind == b.kind && a.severity == b.severity && a.evidence == b.evidence && a.rate == b.rate
            && a.nextStep == b.nextStep && a.etaSeconds == b.etaSeconds && a.sinceMs == b.sinceMs;
    };
    if (it != m_byService.end()
        && std::equal(findings.begin(), findings.end(), it->second.begin(), it->second.end(), same))
        return;
    if (findings.empty())
        m_byService.erase(it);
    else
        m_byService[service] = findings;
    if (m_deferred)
        m_stale = true;
    else
        rebuild();
}

void FindingsModel::setDeferred(bool deferred)
{
    m_deferred = deferred;
    if (!deferred && m_stale) {
        m_stale = false;
        rebuild();
    }
}

QStringList FindingsModel::servicesWithFindings() const
{
    QStringList names;
    for (const auto &entry : m_byService)
        names << entry.first;
    return names;
}

void FindingsModel::rebuild()
{
    struct Row {
        Finding finding;
        QStringList services;
    };
    std::vector<Row> rows;
    std::map<std::pair<QString, QString>, std::size_t> remarks; // (evidence, next step) -> row
    for (const auto &[service, findings] : m_byService) { // by name: grouped lists read in order
        for (const Finding &f : findings) {
            if (f.kind != FindingKind::Config) {
                rows.push_back({f, {service}});
                continue;
            }
            const auto [group, added] = remarks.try_emplace({f.evidence, f.nextStep}, rows.size());
            if (added) {
                rows.push_back({f, {service}});
            } else {
                Row &row = rows[group->second];
                row.services << service;
                row.finding.sinceMs = std::min(row.finding.sinceMs, f.sinceMs);
            }
        }
    }
    for (Row &row : rows) {
        if (row.services.size() > 1)
            row.finding.service = row.services.join(QStringLiteral(", "));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        return weight(a.finding) != weight(b.finding) ? weight(a.finding) > weight(b.finding)
                                                      : a.finding.service < b.finding.service;
    });
    std::vector<Finding> next;
    std::vector<QStringList> services;
    next.reserve(rows.size());
    services.reserve(rows.size());
    for (Row &row : rows) {
        next.push_back(std::move(row.finding));
        services.push_back(std::move(row.services));
    }
    // Most reports change nothing: keep the view still then.
    const bool same = next.size() == m_findings.size()
        && std::equal(next.begin(), next.end(), m_findings.begin(), [](const Finding &a, const Finding &b) {
                          return a.service == b.service && a.kind == b.kind && a.severity == b.severity
                              && a.evidence == b.evidence;
                      });
    if (same)
        return;
    if (next.size() == m_findings.size()) {
        m_findings = std::move(next);
        m_services = std::move(services);
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_findings = std::move(next);
    m_services = std::move(services);
    endResetModel();
}

void FindingsModel::removeService(const QString &service)
{
    setServiceFindings(service, {});
}

void FindingsModel::setCaptureState(const analysis::FindingKey &key, const QString &text, bool ready)
{
    m_captures.insert(key.toString(), {text, ready});
    for (int row = 0; row < rowCount(); ++row) {
        if (keyOf(row) == key)
            emit dataChanged(index(row, CapturedColumn), index(row, CapturedColumn));
    }
}

analysis::FindingKey FindingsModel::keyOf(int row) const
{
    analysis::FindingKey key = m_findings[static_cast<std::size_t>(row)].key();
    key.service = m_services[static_cast<std::size_t>(row)].constFirst();
    return key;
}

bool FindingsModel::captureReady(int row) const
{
    return row >= 0 && row < rowCount() && m_captures.value(keyOf(row).toString()).ready;
}

int FindingsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_findings.size());
}

int FindingsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Finding &f = m_findings[static_cast<std::size_t>(index.row())];
    if (role == Qt::ForegroundRole && index.column() != CapturedColumn) {
        if (f.severity == Severity::Critical)
            return QBrush(palette::colours().critical);
        if (f.severity == Severity::Warning)
            return QBrush(palette::colours().warning);
        return QBrush(palette::colours().muted);
    }
    if (index.column() == CapturedColumn && role == Qt::ForegroundRole
        && m_captures.value(keyOf(index.row()).toString()).ready)
        return QBrush(palette::colours().good);
    if (index.column() == CapturedColumn && role == Qt::ToolTipRole && captureReady(index.row()))
        return tr("Click to open what gotriage captured when this finding was raised");
    if (role == Qt::ToolTipRole)
        return f.evidence + QStringLiteral("\n\nNext: ") + f.nextStep;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ServiceColumn:
        return f.service;
    case KindColumn:
        return kindLabel(f.kind);
    case SeverityColumn:
        return severityGlyph(f.severity) + QLatin1Char(' ') + analysis::severityName(f.severity);
    case EtaColumn:
        return f.etaSeconds ? formatEta(*f.etaSeconds) : QString();
    case SinceColumn:
        return Appearance::instance().clockText(f.sinceMs);
    case CapturedColumn:
        return m_captures.value(keyOf(index.row()).toString()).text;
    case EvidenceColumn:
        return f.evidence;
    case NextStepColumn:
        return f.nextStep;
    default:
        return {};
    }
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kHeaders[]
        = {"Service", "Finding", "Severity", "Limit in", "Since", "Captured", "Evidence", "Next step"};
    return section >= 0 && section < ColumnCount ? tr(kHeaders[section]) : QVariant();
}

} // namespace gotriage::ui
