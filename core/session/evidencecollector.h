#pragma once

#include "config/fleetconfig.h"
#include "session/evidence.h"
#include "session/servicereport.h"

#include <QHash>
#include <QObject>

#include <deque>
#include <map>

namespace gotriage::common {
class Clock;
}

namespace gotriage::session {

// The rules that keep auto-capture from becoming a load of its own.
struct EvidencePolicy {
    bool enabled = true;
    // Fleet-wide: at most this many automatic captures started per window
    // (the capturer's cap of 2 at once applies on top).
    int budget = 8;
    qint64 budgetWindowMs = 10 * 60 * 1000;
    // A finding that clears and is raised again within this long keeps the
    // evidence it has; a service that keeps (or flaps) its finding is not
    // profiled again and again.
    qint64 recaptureAfterMs = 30 * 60 * 1000;
};

// Runs a raised finding's next step by itself, within the capture budget,
// and attaches the results to the finding. Lives in the session's ingest
// thread beside the hub; onBatch() is connected directly to the hub.
class EvidenceCollector : public QObject
{
    Q_OBJECT

public:
    EvidenceCollector(ingest::ProfileCapturer *capturer, const common::Clock *clock, QObject *parent = nullptr);

    void setPolicy(const EvidencePolicy &policy) { m_policy = policy; }
    void setServices(const std::vector<config::ServiceConfig> &services, bool replace);
    void onBatch(const SessionBatchPtr &batch);

    // Captures started by this collector in the current budget window.
    int budgetUsed(qint64 nowMs);

signals:
    void evidenceChanged(const gotriage::session::EvidencePtr &evidence);

private:
    struct Plan {
        Evidence evidence;
        CapturePlan capture;
        qint64 dueMs = 0;
        ingest::ProfileCapturer::Id running = 0; // 0 when none
        qint64 lastCaptureMs = 0;
    };

    void onRaised(const analysis::Finding &finding, qint64 nowMs);
    void runDue(qint64 nowMs);
    void onCaptured(quint64 id, const ingest::CaptureResultPtr &result);
    void publish(const Plan &plan);

    ingest::ProfileCapturer *m_capturer;
    const common::Clock *m_clock;
    EvidencePolicy m_policy;
    QHash<QString, config::ServiceConfig> m_services;
    std::map<analysis::FindingKey, Plan> m_plans;
    std::deque<qint64> m_budgetStarts; // start times of recent automatic captures
};

} // namespace gotriage::session
