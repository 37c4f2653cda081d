#pragma once

#include "config/fleetconfig.h"
#include "ingest/sourceupdate.h"
#include "record/recordingfile.h"

#include <QStringList>

#include <array>
#include <map>
#include <vector>

namespace gotriage::record {

// The services as recorded: name, address, tier and labels.
std::vector<config::ServiceConfig> recordedServices(const RecordingReader &reader);

// Rebuilds, from a recording, the updates the recorded session saw: each
// service's vitals and scrape outcome from its blocks, and from its events
// the findings, projections, errors and runtime that went with them, as a
// RecordedAnalysis (so a replay shows what was concluded then). It moves
// forward in chunks (next) and jumps anywhere (seek). Shared by the replay
// source and the batch commands; not thread-safe.
class RecordingCursor
{
public:
    // `reader` must outlive the cursor. The cursor starts at the recording's beginning.
    explicit RecordingCursor(const RecordingReader &reader);

    qint64 position() const { return m_positionMs; }

    // What comes before the playhead after a seek: each service's history
    // (`history`, stored but not analysed), then its last update at or
    // before the playhead (`latest`, with everything that was true then),
    // so a screen shows the moment at once even while paused: a jump to a
    // finding's moment shows the finding.
    struct Context {
        std::map<QString, std::vector<vitals::VitalsSample>> history;
        std::vector<ingest::SourceUpdate> latest;
    };
    // Forgets all state and stands just after `tsMs` (what happened at
    // `tsMs` is in the context); the context reaches back at most `contextMs`.
    Context seek(qint64 tsMs, qint64 contextMs);
    // The updates from the position up to (not including) `toMs`, every
    // service merged in time order; the position becomes `toMs`.
    std::vector<ingest::SourceUpdate> next(qint64 toMs);

    // Blocks or events that could not be read ("FILE: service, block N: why"); taken, not kept.
    QStringList takeProblems();

private:
    struct ServiceState {
        std::array<int, vitals::kVitalCount> vitalColumn{}; // -1: not recorded
        int upColumn = -1; // format 1 had none: up when any vital was read
        int durationColumn = -1;
        std::vector<analysis::Finding> findings;
        std::vector<analysis::Projection> projections;
        std::vector<analysis::FindingChange> pendingChanges; // for the next update
        bool analysisChanged = true; // a new RecordedAnalysis is due
        bool pendingRestart = false;
        QString error;
        QStringList problems;
        vitals::RuntimeInfo runtime;
        ingest::ServiceHealth health;
        std::shared_ptr<const ingest::RecordedAnalysis> current;
    };

    void applyEvent(ServiceState &state, const StoredEvent &event, bool asChange);
    ingest::SourceUpdate makeUpdate(const QString &service, ServiceState &state, const SampleBlock &block,
                                    std::size_t row);
    vitals::VitalsSample sampleAt(const ServiceState &state, const SampleBlock &block, std::size_t row) const;
    bool isUp(const ServiceState &state, const SampleBlock &block, std::size_t row) const;

    const RecordingReader &m_reader;
    std::map<QString, ServiceState> m_services;
    qint64 m_positionMs = 0;
    QStringList m_problems;
};

} // namespace gotriage::record
