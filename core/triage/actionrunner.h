#pragma once

#include "config/actioncatalog.h"
#include "triage/actionrequest.h"

#include <QHash>
#include <QMap>
#include <QObject>

#include <functional>
#include <memory>

namespace gotriage::common {
class Clock;
}
namespace gotriage::ingest {
class RequestExecutor;
struct FetchResult;
struct HttpRequest;
} // namespace gotriage::ingest

namespace gotriage::triage {

class AuditLog;
class CredentialResolver;

// One action on one target, from the preview to the revert.
struct ActionRun {
    QString id; // "throttle@checkout-1@1733125200123"
    QString action;
    QString service;
    QMap<QString, double> values;
    bool dryRun = false;
    ActionRequests requests; // as rendered (the preview)
    std::optional<QString> before; // the value read before (nullopt: not set, or not read)
    bool beforeKnown = false;
    QByteArray beforeRaw; // the read response, for a read-modify-write revert
    std::optional<QString> after; // read again after the write
    int status = 0; // the write's HTTP status
    QByteArray response; // its body, cut to kResponseExcerpt
    QString error; // why it failed; empty when it succeeded
    qint64 sentMs = 0;
    bool reverted = false;

    static constexpr int kResponseExcerpt = 512;
    bool ok() const { return error.isEmpty(); }
    QJsonObject toJson() const; // for the CLI and the audit log (masked by the caller)
};
using ActionRunPtr = std::shared_ptr<const ActionRun>;

// Runs actions through the request executor: reads the value before, sends
// the write (unless a dry run), reads the value after, and writes each step
// to the audit log (masked). A failure (timeout, a status other than 2xx,
// refused) is reported as such and never audited as a success. Lives in the
// thread of its executor.
class ActionRunner : public QObject
{
    Q_OBJECT

public:
    ActionRunner(ingest::RequestExecutor *executor, AuditLog *audit, const common::Clock *clock = nullptr,
                 QObject *parent = nullptr);

    // Starts a run; finished() reports it. The id names it for revert().
    QString run(const config::ActionSpec &action, const config::ServiceConfig &service,
                const QMap<QString, double> &values, bool dryRun);
    // Reverts a finished run (given, so that a run from an earlier process,
    // read back from the audit log, can be reverted too).
    void revert(const config::ActionSpec &action, const config::ServiceConfig &service, const ActionRun &run);

    // Runs that revert by themselves (the action's ttl_s), by id, with
    // their deadline on the runner's clock: what the countdowns show.
    QMap<QString, qint64> autoReverts() const;
    // Posts a message to every webhook of `catalog` that listens for `event`
    // ("incident_opened", "action_sent", "action_reverted"); each post is
    // audited as sent or failed.
    void notify(const config::ActionCatalog &catalog, const QString &event, const QString &text);

signals:
    void finished(const gotriage::triage::ActionRunPtr &run);
    void reverted(const gotriage::triage::ActionRunPtr &run);
    void notified(const QString &webhook, const QString &error); // error empty: delivered

private:
    void start(const config::ActionSpec &action, const config::ServiceConfig &service,
               const std::shared_ptr<ActionRun> &run);
    void sendRevert(const config::ActionSpec &action, const config::ServiceConfig &service, const ActionRun &done);
    void post(const config::ActionSpec &hook, const QString &event, const QString &text,
              const QString &credentialsError);
    void auditWebhook(const QString &name, const QString &event, const QString &text, const QString &error);
    // Resolves the action's own credentials (env, file or keychain) before
    // `then`; `error` names what could not be had, and then nothing is sent.
    void withCredentials(const config::ActionSpec &action, std::function<void(const QString &error)> then);
    // `credentialsOf`: the action whose resolved credentials the request carries.
    void send(const RenderedRequest &request, const config::ServiceConfig &service, const QString &credentialsOf,
              std::function<void(const ingest::FetchResult &)> then);
    void audit(const QString &kind, const ActionRun &run);
    void scheduleAutoRevert(const config::ActionSpec &action, const config::ServiceConfig &service,
                            const ActionRunPtr &run);

    ingest::RequestExecutor *m_executor;
    AuditLog *m_audit;
    const common::Clock *m_clock;
    QMap<QString, qint64> m_autoReverts;
    CredentialResolver *m_resolver;
    // Resolved for the run in flight, by action; in memory only.
    QHash<QString, std::vector<std::pair<QByteArray, QByteArray>>> m_credentials;
};

// Finds a run in the audit log by its id (the CLI's revert, across processes).
std::optional<ActionRun> findRunInAudit(const AuditLog &audit, const QString &id);

} // namespace gotriage::triage

Q_DECLARE_METATYPE(gotriage::triage::ActionRunPtr)
