#pragma once

#include "analysis/finding.h"
#include "analysis/serviceanalyzer.h"
#include "ingest/sourceupdate.h"

#include <QMetaType>

#include <memory>
#include <vector>

namespace gotriage::session {

// One update after the pipeline: what the source said, and what analysis
// concluded from it. Immutable once made; shared read-only between threads.
struct ServiceReport : ingest::SourceUpdate {
    std::vector<analysis::FindingChange> findingChanges; // what this update raised, updated or cleared
    std::vector<analysis::Finding> findings; // all active, after this update
    std::vector<analysis::Projection> projections;
};
using ServiceReportPtr = std::shared_ptr<const ServiceReport>;

// What the hub hands its subscribers once per tick: every report since the
// previous batch, in the order they arrived (time order per service).
struct SessionBatch {
    qint64 nowMs = 0; // the source's clock when the batch was made
    std::vector<ServiceReportPtr> reports;
    // The source jumped (a replay seeked) before these reports: what was
    // shown before belongs to another time and goes.
    bool reset = false;
};
using SessionBatchPtr = std::shared_ptr<const SessionBatch>;

} // namespace gotriage::session

Q_DECLARE_METATYPE(gotriage::session::SessionBatchPtr)
