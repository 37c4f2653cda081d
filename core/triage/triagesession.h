#pragma once

#include "config/actioncatalog.h"
#include "triage/actionrunner.h"
#include "triage/impact.h"
#include "triage/incident.h"
#include "triage/verification.h"

#include <QHash>
#include <QObject>

#include <optional>
#include <vector>

namespace gotriage::session {
class Session;
}

namespace gotriage::triage {

// One action run as the triage panel shows it: the run, what it was for,
// its auto-revert deadline and its verdict.
struct ActionState {
    ActionRunPtr run;
    config::ActionSpec spec;
    std::optional<qint64> autoRevertAtMs; // on the session's clock
    ActionVerdict verdict;
    bool reverting = false;
    qint64 revertedMs = 0; // 0 while in place
    QString revertError;
};

// The operator's side of an incident, in the GUI thread: the incident
// document (every change is an event, saved as it happens) and the actions
// sent during it. Actions run in the session's ingest thread, through the
// same request executor as scraping, and are audited there; saving the
// incident happens there too, so this object never touches the disk or the
// network itself. Actions are refused for a replay.
class TriageSession : public QObject
{
    Q_OBJECT

public:
    // `dataDir` holds the audit log (audit.log) and the incidents
    // (incidents/*.jsonl, with the summary beside each as *.summary.md).
    TriageSession(session::Session *session, QString dataDir, QObject *parent = nullptr);
    ~TriageSession() override; // deletes the runner in the ingest thread

    void setFleet(const std::vector<config::ServiceConfig> &services, config::ActionCatalog catalog);
    const config::ActionCatalog &catalog() const { return m_catalog; }
    const std::vector<config::ServiceConfig> &services() const { return m_services; }
    const config::ServiceConfig *service(const QString &name) const;
    bool canAct() const;
    QString auditPath() const;
    // How much of the core business fails now, from the session's store.
    Impact impact(qint64 nowMs) const;

    // The incident. Each change is refused (false) when it does not fit:
    // nothing to change before one is opened or after it is closed.
    const Incident &incident() const { return m_incident; }
    QString incidentPath() const { return m_incidentPath; }
    bool openIncident(const QString &title, const QString &findingKey = {});
    bool changeStep(Step step);
    bool addNote(const QString &text);
    bool setChecked(const QString &key, const QString &text, bool checked);
    // Writes the summary beside the incident file; returns its text.
    // `context`: what the fleet looks like at the close, as lines (the
    // findings still active, the evidence captured), added to it.
    QString closeIncident(const QStringList &context = {});
    QString summaryPath() const;

    // Runs an action on a service; actionFinished() tells how it went. The
    // ticket names the run until its id is known. 0 when refused (`error`).
    quint64 runAction(const QString &action, const QString &service, const QMap<QString, double> &values, bool dryRun,
                      QString *error = nullptr);
    // Puts the value before back; actionsChanged() follows. False with `error`
    // when there is nothing to revert.
    bool revertAction(const QString &runId, QString *error = nullptr);
    // Every run sent by this window (not dry runs), oldest first.
    const std::vector<ActionState> &actions() const { return m_actions; }
    const ActionState *action(const QString &runId) const;
    // Judges the actions still undecided against the session's store,
    // comparing the time since each with `window` before it.
    void verifyActions(qint64 nowMs);
    void setVerificationWindow(qint64 windowMs) { m_verificationWindowMs = windowMs; }
    qint64 verificationWindow() const { return m_verificationWindowMs; }

signals:
    void fleetChanged(); // the services or the catalog
    void incidentChanged();
    // Each event as it is recorded (for the session's recording).
    void incidentEvent(const QJsonObject &event);
    void actionFinished(quint64 ticket, const gotriage::triage::ActionRunPtr &run); // dry runs too
    void actionsChanged();
    // A save or a revert that failed, with its place; the work goes on.
    void problem(const QString &text);

private:
    bool record(IncidentEvent event);
    void onFinished(quint64 ticket, const ActionRunPtr &run);
    void onReverted(const ActionRunPtr &run);
    void notify(const QString &event, const QString &text);
    ActionState *findState(const QString &runId);

    session::Session *m_session;
    QString m_dataDir;
    std::vector<config::ServiceConfig> m_services;
    config::ActionCatalog m_catalog;
    Incident m_incident;
    QString m_incidentPath;
    std::vector<ActionState> m_actions;
    quint64 m_nextTicket = 1;
    qint64 m_verificationWindowMs = 60'000;

    // In the ingest thread:
    class Worker;
    Worker *m_worker = nullptr;
};

} // namespace gotriage::triage
