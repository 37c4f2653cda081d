#include "findingsmodel.h"

#include "vitalformat.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace gotriage::ui {

using analysis::Finding;
using analysis::FindingKind;
using analysis::Severity;

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
    std::vector<Finding> next;
    next.reserve(m_findings.size() + findings.size());
    for (const Finding &f : m_findings) {
        if (f.service != service)
            next.push_back(f);
    }
    next.insert(next.end(), findings.begin(), findings.end());
    std::stable_sort(next.begin(), next.end(), [](const Finding &a, const Finding &b) {
        return weight(a) != weight(b) ? weight(a) > weight(b) : a.service < b.service;
    });
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
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_findings = std::move(next);
    endResetModel();
}

void FindingsModel::removeService(const QString &service)
{
    setServiceFindings(service, {});
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
    if (role == Qt::ForegroundRole) {
        if (f.severity == Severity::Critical)
            return QBrush(QColor(0xff, 0x6b, 0x6b));
        if (f.severity == Severity::Warning)
            return QBrush(QColor(0xf5, 0xc2, 0x42));
        return QBrush(QColor(0x7f, 0x84, 0x8e));
    }
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
        return analysis::severityName(f.severity);
    case EtaColumn:
        return f.etaSeconds ? formatEta(*f.etaSeconds) : QString();
    case SinceColumn:
        return QDateTime::fromMSecsSinceEpoch(f.sinceMs).toString(QStringLiteral("HH:mm:ss"));
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
        = {"Service", "Finding", "Severity", "Limit in", "Since", "Evidence", "Next step"};
    return section >= 0 && section < ColumnCount ? tr(kHeaders[section]) : QVariant();
}

} // namespace gotriage::ui
