#pragma once

#include "analysis/finding.h"

#include <QAbstractTableModel>

#include <QHash>
#include <QStringList>

#include <map>
#include <vector>

namespace gotriage::ui {

// The active findings of the whole fleet, worst first: the battlefields,
// staleness, then configuration remarks. Each report replaces its service's
// findings. A remark that several services share ("built with go1.19.8 …")
// is one row naming them all, so that remarks never crowd out warnings.
// GUI thread only.
class FindingsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        ServiceColumn,
        KindColumn,
        SeverityColumn,
        EtaColumn,
        SinceColumn,
        CapturedColumn, // what gotriage captured by itself: "ready: open", "capturing 1 of 2"
        EvidenceColumn,
        NextStepColumn,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setServiceFindings(const QString &service, const std::vector<analysis::Finding> &findings);
    // While deferred, changes are kept and the table is rebuilt once when
    // deferral ends: a batch of 2 000 reports rebuilt it (every finding of
    // the fleet, sorted) once per changed service.
    void setDeferred(bool deferred);
    void removeService(const QString &service);
    // The state of a finding's automatic capture, shown in CapturedColumn.
    void setCaptureState(const analysis::FindingKey &key, const QString &text, bool ready);
    bool captureReady(int row) const;
    // The finding of a row, by key (a grouped remark: its first service's).
    analysis::FindingKey keyOf(int row) const;
    // One per row; a grouped remark's `service` lists every service it names.
    const std::vector<analysis::Finding> &findings() const { return m_findings; }
    QStringList servicesWithFindings() const;
    // The services of a row (one, or all that share the remark).
    const QStringList &services(int row) const { return m_services[static_cast<std::size_t>(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "goroutine leak", "memory black hole" ...
    static QString kindLabel(analysis::FindingKind kind);
    // Severity as a shape, so that it never rests on colour: ✖ critical, ⚠ warning, ℹ info.
    static QString severityGlyph(analysis::Severity severity);
    // Sort weight of a finding for "worst first" (larger is worse).
    static int weight(const analysis::Finding &finding);

private:
    void rebuild();

    std::map<QString, std::vector<analysis::Finding>> m_byService;
    bool m_deferred = false;
    bool m_stale = false; // changed while deferred
    std::vector<analysis::Finding> m_findings;
    std::vector<QStringList> m_services;
    struct CaptureState {
        QString text;
        bool ready = false;
    };
    QHash<QString, CaptureState> m_captures; // by FindingKey::toString()
};

} // namespace gotriage::ui
