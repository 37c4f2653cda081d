#include "triagesession.h"

#include "common/clock.h"
#include "common/handover.h"
#include "common/logging.h"
#include "session/session.h"
#include "triage/auditlog.h"

#include <QDateTime>
#include <QDir>
#include <QSaveFile>

namespace gotriage::triage {

namespace {

QString impactText(const Impact &impact)
{
    return impact.known ? impact.summary() : QStringLiteral("not known (no core service had a request rate yet)");
}

} // namespace

// What lives in the ingest thread: the runner beside the executor, the
// audit log it writes, and the incident file (with its own copy of the
// incident, so that a save can be checked without the GUI's).
class TriageSession::Worker
{
public:
    Worker(ingest::RequestExecutor *executor, const QString &auditPath, const common::Clock *clock)
        : audit(auditPath), runner(executor, &audit, clock)
    { }

    AuditLog audit;
    ActionRunner runner;
    std::optional<IncidentFile> file;
    Incident saved;
    QHash<QString, quint64> ticketOfRun;
};

TriageSession::TriageSession(session::Session *session, QString dataDir, QObject *parent)
    : QObject(parent), m_session(session), m_dataDir(std::move(dataDir))
{
    qRegisterMetaType<ActionRunPtr>();
    if (!canAct())
        return;
    const QString audit = auditPath();
    const common::Clock *clock = &session->clock();
    common::runIn(session->ingestContext(), [this, session, audit, clock] {
        QDir().mkpath(QFileInfo(audit).absolutePath());
        m_worker = new Worker(session->executorInIngestThread(), audit, clock);
        ActionRunner *runner = &m_worker->runner;
        connect(
            runner, &ActionRunner::finished, runner,
            [this, worker = m_worker](const ActionRunPtr &run) {
                const quint64 ticket = worker->ticketOfRun.take(run->id);
                common::postTo(this, [this, ticket, run] { onFinished(ticket, run); });
            },
            Qt::DirectConnection);
        connect(
            runner, &ActionRunner::reverted, runner,
            [this](const ActionRunPtr &run) { common::postTo(this, [this, run] { onReverted(run); }); },
            Qt::DirectConnection);
    });
}

TriageSession::~TriageSession()
{
    if (m_worker) {
        // The runner's fetches belong to the ingest thread: they end there.
        common::runIn(m_session->ingestContext(), [worker = m_worker] { delete worker; });
    }
}

void TriageSession::setFleet(const std::vector<config::ServiceConfig> &services, config::ActionCatalog catalog)
{
    m_services = services;
    m_catalog = std::move(catalog);
    emit fleetChanged();
    for (const config::ActionSpec &a : m_catalog.actions) {
        if (!a.expectVital.isEmpty() && !isExpectable(a.expectVital))
            emit problem(QStringLiteral("action %1: expect_vital \"%2\" is no vital gotriage knows (req_rate, "
                                        "admitted_rate, err_ratio, goroutines …): its effect is judged by the error "
                                        "ratio and the goroutine growth instead")
                             .arg(a.name, a.expectVital));
    }
}

const config::ServiceConfig *TriageSession::service(const QString &name) const
{
    for (const config::ServiceConfig &s : m_services) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

bool TriageSession::canAct() const
{
    return m_session->canCapture();
}

QString TriageSession::auditPath() const
{
    return m_dataDir + QStringLiteral("/audit.log");
}

Impact TriageSession::impact(qint64 nowMs) const
{
    return computeImpact(m_session->store(), m_services, nowMs);
}

QString TriageSession::summaryPath() const
{
    if (m_incidentPath.isEmpty())
        return {};
    QString path = m_incidentPath;
    path.chop(int(qstrlen(".jsonl")));
    return path + QStringLiteral(".summary.md");
}

bool TriageSession::record(IncidentEvent event)
{
    event.tsMs = m_session->clock().nowMs();
    event.author = AuditLog::currentUser();
    if (event.type != IncidentEvent::Type::StepChanged)
        event.step = m_incident.step();
    QString why;
    if (!m_incident.apply(event, &why)) {
        emit problem(QStringLiteral("incident: ") + why);
        return false;
    }
    if (m_worker) {
        common::postTo(m_session->ingestContext(), [this, worker = m_worker, path = m_incidentPath, event] {
            if (!worker->file || worker->file->path() != path) {
                QDir().mkpath(QFileInfo(path).absolutePath());
                worker->file.emplace(path);
                worker->saved = Incident();
            }
            QString error;
            if (!worker->file->record(worker->saved, event, &error)) {
                common::postTo(this, [this, error] { emit problem(error); });
            }
        });
    }
    emit incidentChanged();
    emit incidentEvent(event.toJson());
    return true;
}

bool TriageSession::openIncident(const QString &title, const QString &findingKey)
{
    if (m_incident.isOpen())
        return false;
    const qint64 now = m_session->clock().nowMs();
    m_incident = Incident();
    m_incidentPath
        = QStringLiteral("%1/incidents/incident-%2.jsonl")
              .arg(m_dataDir, QDateTime::fromMSecsSinceEpoch(now).toUTC().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    IncidentEvent opened;
    opened.type = IncidentEvent::Type::Opened;
    opened.text = title;
    if (!findingKey.isEmpty())
        opened.details.insert(QStringLiteral("finding"), findingKey);
    opened.details.insert(QStringLiteral("impact"), impactText(impact(now)));
    if (!record(opened))
        return false;
    notify(QStringLiteral("incident_opened"),
           QStringLiteral("gotriage: incident opened by %1: %2").arg(AuditLog::currentUser(), title));
    return true;
}

bool TriageSession::changeStep(Step step)
{
    if (step == m_incident.step())
        return true;
    IncidentEvent e;
    e.type = IncidentEvent::Type::StepChanged;
    e.step = step;
    return record(e);
}

bool TriageSession::addNote(const QString &text)
{
    if (text.trimmed().isEmpty())
        return false;
    IncidentEvent e;
    e.type = IncidentEvent::Type::Note;
    e.text = text.trimmed();
    return record(e);
}

bool TriageSession::setChecked(const QString &key, const QString &text, bool checked)
{
    IncidentEvent e;
    e.type = IncidentEvent::Type::ChecklistChecked;
    e.text = text;
    e.details = {{QStringLiteral("key"), key}, {QStringLiteral("checked"), checked}};
    return record(e);
}

QString TriageSession::closeIncident(const QStringList &context)
{
    Incident closed = m_incident;
    IncidentEvent e;
    e.type = IncidentEvent::Type::Closed;
    e.tsMs = m_session->clock().nowMs();
    if (!closed.apply(e))
        return {};
    e.text = incidentSummary(closed);
    const QString atOpen = m_incident.timeline().front().details.value(QStringLiteral("impact")).toString();
    e.text += QStringLiteral("\nImpact on the core business\n- at the opening: %1\n- at the close: %2\n")
                  .arg(atOpen.isEmpty() ? QStringLiteral("not recorded") : atOpen, impactText(impact(e.tsMs)));
    if (!context.isEmpty())
        e.text += u'\n' + context.join(u'\n') + u'\n';
    if (!record(e))
        return {};
    if (m_worker) {
        common::postTo(m_session->ingestContext(), [this, path = summaryPath(), text = e.text] {
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
                const QString error = QStringLiteral("%1: %2").arg(path, file.errorString());
                common::postTo(this, [this, error] { emit problem(error); });
            }
        });
    }
    return e.text;
}

quint64 TriageSession::runAction(const QString &actionName, const QString &serviceName,
                                 const QMap<QString, double> &values, bool dryRun, QString *error)
{
    const auto refuse = [error](const QString &why) -> quint64 {
        if (error)
            *error = why;
        return 0;
    };
    if (!m_worker)
        return refuse(QStringLiteral("actions are disabled: this is not a live session"));
    const config::ActionSpec *action = m_catalog.find(actionName);
    if (!action)
        return refuse(QStringLiteral("no action named \"%1\"").arg(actionName));
    const config::ServiceConfig *target = service(serviceName);
    if (!target || !action->appliesTo.matches(*target))
        return refuse(QStringLiteral("%1 does not apply to %2").arg(actionName, serviceName));
    const quint64 ticket = m_nextTicket++;
    common::postTo(m_session->ingestContext(),
                   [worker = m_worker, ticket, spec = *action, target = *target, values, dryRun] {
                       const QString id = worker->runner.run(spec, target, values, dryRun);
                       worker->ticketOfRun.insert(id, ticket);
                   });
    return ticket;
}

void TriageSession::onFinished(quint64 ticket, const ActionRunPtr &run)
{
    if (!run->dryRun) {
        const config::ActionSpec *spec = m_catalog.find(run->action);
        ActionState state;
        state.run = run;
        state.spec = spec ? *spec : config::ActionSpec{};
        if (run->ok() && spec && spec->ttl)
            state.autoRevertAtMs = run->sentMs + static_cast<qint64>(spec->ttl->count()) * 1000;
        m_actions.push_back(std::move(state));
        if (m_incident.isOpen()) {
            IncidentEvent e;
            if (run->ok()) {
                e.type = IncidentEvent::Type::ActionSent;
                e.details = maskSecrets(run->toJson());
            } else {
                e.type = IncidentEvent::Type::Note;
                e.text = QStringLiteral("%1 on %2 failed: %3").arg(run->action, run->service, run->error);
            }
            e.actionId = run->id;
            e.service = run->service;
            record(e);
        }
        if (run->ok()) {
            notify(
                QStringLiteral("action_sent"),
                QStringLiteral("gotriage: %1 ran %2 on %3 (%4)")
                    .arg(AuditLog::currentUser(), run->action, run->service, run->requests.write.toText().left(200)));
        }
        emit actionsChanged();
    }
    emit actionFinished(ticket, run);
}

ActionState *TriageSession::findState(const QString &runId)
{
    for (ActionState &s : m_actions) {
        if (s.run->id == runId)
            return &s;
    }
    return nullptr;
}

const ActionState *TriageSession::action(const QString &runId) const
{
    return const_cast<TriageSession *>(this)->findState(runId);
}

bool TriageSession::revertAction(const QString &runId, QString *error)
{
    ActionState *state = findState(runId);
    const auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!state || !state->run->ok())
        return refuse(QStringLiteral("%1 was not sent: nothing to revert").arg(runId));
    if (state->revertedMs > 0 || state->reverting)
        return refuse(QStringLiteral("%1 is already reverted").arg(runId));
    const config::ServiceConfig *target = service(state->run->service);
    if (!target || !m_worker)
        return refuse(QStringLiteral("%1 is no longer watched").arg(state->run->service));
    state->reverting = true;
    state->autoRevertAtMs.reset();
    common::postTo(m_session->ingestContext(),
                   [worker = m_worker, spec = state->spec, target = *target, run = *state->run] {
                       worker->runner.revert(spec, target, run);
                   });
    emit actionsChanged();
    return true;
}

void TriageSession::onReverted(const ActionRunPtr &run)
{
    ActionState *state = findState(run->id);
    if (!state)
        return;
    state->reverting = false;
    state->autoRevertAtMs.reset();
    if (run->reverted) {
        state->revertedMs = m_session->clock().nowMs();
        state->revertError.clear();
        if (m_incident.isOpen()) {
            IncidentEvent e;
            e.type = IncidentEvent::Type::Reverted;
            e.actionId = run->id;
            e.service = run->service;
            e.details = {{QStringLiteral("restored"), run->before ? QJsonValue(*run->before) : QJsonValue()}};
            record(e);
        }
        notify(QStringLiteral("action_reverted"),
               QStringLiteral("gotriage: %1 on %2 reverted").arg(run->action, run->service));
    } else {
        state->revertError = run->error;
        emit problem(QStringLiteral("revert of %1 on %2 failed: %3").arg(run->action, run->service, run->error));
    }
    emit actionsChanged();
}

void TriageSession::verifyActions(qint64 nowMs)
{
    bool changed = false;
    for (ActionState &state : m_actions) {
        if (!state.run->ok() || state.verdict.decided || state.revertedMs > 0)
            continue;
        const ActionVerdict verdict
            = verifyAction(m_session->store(), state.spec, *state.run, nowMs, m_verificationWindowMs);
        if (verdict.decidedBy == state.verdict.decidedBy && verdict.decided == state.verdict.decided)
            continue;
        state.verdict = verdict;
        changed = true;
        if (verdict.decided && m_incident.isOpen()) {
            IncidentEvent e;
            e.type = IncidentEvent::Type::ActionVerified;
            e.actionId = state.run->id;
            e.service = state.run->service;
            e.details = {{QStringLiteral("effective"), verdict.effective},
                         {QStringLiteral("decided_by"), verdict.decidedBy.join(QStringLiteral("; "))}};
            record(e);
        }
    }
    if (changed)
        emit actionsChanged();
}

void TriageSession::notify(const QString &event, const QString &text)
{
    if (!m_worker)
        return;
    common::postTo(m_session->ingestContext(), [worker = m_worker, catalog = m_catalog, event, text] {
        worker->runner.notify(catalog, event, text);
    });
}

} // namespace gotriage::triage
