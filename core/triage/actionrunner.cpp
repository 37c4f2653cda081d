#include "actionrunner.h"

#include "common/clock.h"
#include "common/handover.h"
#include "common/logging.h"
#include "ingest/httpfetch.h"
#include "ingest/requestexecutor.h"
#include "ingest/requestsettings.h"
#include "triage/auditlog.h"
#include "triage/credentials.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace gotriage::triage {

namespace {

QJsonObject valuesJson(const QMap<QString, double> &values)
{
    QJsonObject o;
    for (auto it = values.begin(); it != values.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

} // namespace

QJsonObject ActionRun::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("action"), action},
                  {QStringLiteral("service"), service},
                  {QStringLiteral("values"), valuesJson(values)},
                  {QStringLiteral("dry_run"), dryRun},
                  {QStringLiteral("request"), requests.write.toJson()},
                  {QStringLiteral("before"), before ? QJsonValue(*before) : QJsonValue()},
                  {QStringLiteral("before_known"), beforeKnown},
                  {QStringLiteral("after"), after ? QJsonValue(*after) : QJsonValue()},
                  {QStringLiteral("status"), status},
                  {QStringLiteral("ok"), ok()},
                  {QStringLiteral("sent_ms"), sentMs}};
    if (!beforeRaw.isEmpty())
        o.insert(QStringLiteral("before_raw"), QString::fromUtf8(beforeRaw.left(64 * 1024)));
    if (!response.isEmpty())
        o.insert(QStringLiteral("response"), QString::fromUtf8(response));
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

ActionRunner::ActionRunner(ingest::RequestExecutor *executor, AuditLog *audit, const common::Clock *clock,
                           QObject *parent)
    : QObject(parent)
    , m_executor(executor)
    , m_audit(audit)
    , m_clock(clock ? clock : &common::LiveClock::instance())
    , m_resolver(new CredentialResolver(this))
{
    qRegisterMetaType<ActionRunPtr>();
}

void ActionRunner::send(const RenderedRequest &request, const config::ServiceConfig &service,
                        const QString &credentialsOf, std::function<void(const ingest::FetchResult &)> then)
{
    ingest::HttpRequest http;
    // The service's own credentials and TLS, only on its own origin.
    if (const auto settings = m_executor->serviceSettings(service.name);
        settings && request.url.host() == service.baseUrl.host())
        http = settings->request(request.url, service.baseUrl);
    http.url = request.url;
    http.method = request.method;
    http.body = request.body;
    http.headers = request.headers;
    // The action's own credentials replace the service's: added here, never
    // to the rendered request that the preview and the audit log show.
    for (const Credential &credential : m_credentials.value(credentialsOf)) {
        std::erase_if(http.headers, [&credential](const auto &h) {
            return h.first.compare(credential.first, Qt::CaseInsensitive) == 0;
        });
        http.headers.push_back(credential);
    }
    http.maxRedirects = 0; // an action is sent where it was previewed, nowhere else
    http.connectTimeout = std::chrono::milliseconds(3000);
    http.totalTimeout = std::chrono::milliseconds(10000);
    http.bodyLimit = 4 * 1024 * 1024;
    // What is sent, without the headers (credentials are among them).
    qCDebug(lcTriage).noquote() << "sending" << request.toText().left(300);
    auto *fetch = new ingest::HttpFetch(m_executor, std::move(http), this);
    connect(fetch, &ingest::HttpFetch::finished, this, [fetch, then = std::move(then)](const ingest::FetchResult &r) {
        fetch->deleteLater();
        then(r);
    });
    fetch->start();
}

void ActionRunner::audit(const QString &kind, const ActionRun &run)
{
    if (!m_audit)
        return;
    QString error;
    AuditLog::Entry entry{0,    m_clock->nowMs(),         AuditLog::currentUser(), AuditLog::currentHost(),
                          kind, maskSecrets(run.toJson())};
    if (!m_audit->append(std::move(entry), &error))
        qCWarning(lcTriage).noquote() << "audit:" << error;
}

QString ActionRunner::run(const config::ActionSpec &action, const config::ServiceConfig &service,
                          const QMap<QString, double> &values, bool dryRun)
{
    auto run = std::make_shared<ActionRun>();
    run->action = action.name;
    run->service = service.name;
    run->values = values;
    run->dryRun = dryRun;
    run->sentMs = m_clock->nowMs();
    run->id = QStringLiteral("%1@%2@%3").arg(action.name, service.name).arg(run->sentMs);
    withCredentials(action, [this, action, service, run](const QString &credentialsError) {
        if (credentialsError.isEmpty()) {
            start(action, service, run);
            return;
        }
        // Nothing is sent without its credentials, and no other secret is tried.
        run->error = credentialsError;
        if (!run->dryRun)
            audit(QStringLiteral("action_failed"), *run);
        emit finished(run);
    });
    return run->id;
}

void ActionRunner::start(const config::ActionSpec &action, const config::ServiceConfig &service,
                         const std::shared_ptr<ActionRun> &run)
{
    QString error;
    const std::optional<ActionRequests> requests = renderAction(action, service, run->values, &error);
    const auto finish = [this, action, service](const std::shared_ptr<ActionRun> &r) {
        if (!r->dryRun)
            audit(r->ok() ? QStringLiteral("action_sent") : QStringLiteral("action_failed"), *r);
        if (!r->dryRun && r->ok() && action.ttl)
            scheduleAutoRevert(action, service, r);
        emit finished(r);
    };
    if (!requests) {
        run->error = error;
        common::postTo(this, [finish, run] { finish(run); });
        return;
    }
    run->requests = *requests;
    const auto write = [this, run, finish, action, service] {
        if (run->dryRun) {
            finish(run);
            return;
        }
        send(run->requests.write, service, action.name,
             [this, run, finish, action, service](const ingest::FetchResult &r) {
                 run->status = r.httpStatus;
                 run->response = r.body.left(ActionRun::kResponseExcerpt);
                 if (!r.ok || r.httpStatus < 200 || r.httpStatus >= 300) {
                     run->error = r.error.isEmpty() ? QStringLiteral("HTTP %1").arg(r.httpStatus) : r.error;
                     finish(run);
                     return;
                 }
                 if (!run->requests.read) {
                     finish(run);
                     return;
                 }
                 // Read again: what the target holds now.
                 send(*run->requests.read, service, action.name,
                      [run, finish, action](const ingest::FetchResult &after) {
                          QString why;
                          run->after = parseReadValue(action, after.body, after.httpStatus, &why);
                          finish(run);
                      });
             });
    };
    if (!run->requests.read) {
        common::postTo(this, write);
        return;
    }
    send(*run->requests.read, service, action.name,
         [run, finish, write, action, service](const ingest::FetchResult &r) {
             QString why;
             if (!r.ok && !(action.kind == config::ActionKind::Consul && r.httpStatus == 404)) {
                 run->error = QStringLiteral("reading the value before: ") + r.error;
                 finish(run);
                 return;
             }
             run->before = parseReadValue(action, r.body, r.httpStatus, &why);
             if (!why.isEmpty()) {
                 run->error = why;
                 finish(run);
                 return;
             }
             run->beforeKnown = true;
             run->beforeRaw = r.body;
             completeWrite(action, service, run->values, r.body, run->requests);
             write();
         });
}

void ActionRunner::scheduleAutoRevert(const config::ActionSpec &action, const config::ServiceConfig &service,
                                      const ActionRunPtr &run)
{
    const qint64 delayMs = static_cast<qint64>(action.ttl->count()) * 1000;
    m_autoReverts.insert(run->id, m_clock->nowMs() + delayMs);
    QTimer::singleShot(std::chrono::milliseconds(delayMs), this, [this, action, service, run] {
        // Reverted by hand meanwhile: nothing to do.
        if (m_autoReverts.remove(run->id) > 0)
            revert(action, service, *run);
    });
}

QMap<QString, qint64> ActionRunner::autoReverts() const
{
    return m_autoReverts;
}

void ActionRunner::notify(const config::ActionCatalog &catalog, const QString &event, const QString &text)
{
    for (const config::ActionSpec &hook : catalog.actions) {
        if (hook.kind != config::ActionKind::Webhook || !hook.on.contains(event))
            continue;
        withCredentials(hook, [this, hook, event, text](const QString &credentialsError) {
            post(hook, event, text, credentialsError);
        });
    }
}

void ActionRunner::post(const config::ActionSpec &hook, const QString &event, const QString &text,
                        const QString &credentialsError)
{
    if (!credentialsError.isEmpty()) {
        auditWebhook(hook.name, event, text, credentialsError);
        emit notified(hook.name, credentialsError);
        return;
    }
    RenderedRequest post{"POST", hook.endpoint, {{"Content-Type", "application/json"}}, {}};
    // Slack-compatible: {"text": …}.
    post.body = QJsonDocument(QJsonObject{{QStringLiteral("text"), text}}).toJson(QJsonDocument::Compact);
    config::ServiceConfig none;
    send(post, none, hook.name, [this, name = hook.name, event, text](const ingest::FetchResult &r) {
        const bool ok = r.ok && r.httpStatus >= 200 && r.httpStatus < 300;
        const QString error
            = ok ? QString() : (r.error.isEmpty() ? QStringLiteral("HTTP %1").arg(r.httpStatus) : r.error);
        auditWebhook(name, event, text, error);
        emit notified(name, error);
    });
}

void ActionRunner::auditWebhook(const QString &name, const QString &event, const QString &text, const QString &error)
{
    if (!m_audit)
        return;
    QString auditError;
    m_audit->append({0, m_clock->nowMs(), AuditLog::currentUser(), AuditLog::currentHost(),
                     error.isEmpty() ? QStringLiteral("webhook_sent") : QStringLiteral("webhook_failed"),
                     maskSecrets({{QStringLiteral("webhook"), name},
                                  {QStringLiteral("event"), event},
                                  {QStringLiteral("text"), text},
                                  {QStringLiteral("error"), error}})},
                    &auditError);
}

void ActionRunner::withCredentials(const config::ActionSpec &action, std::function<void(const QString &error)> then)
{
    if (action.auth.kind == config::AuthSettings::Kind::None) {
        then({});
        return;
    }
    m_resolver->resolve(action.auth,
                        [this, name = action.name, then = std::move(then)](const std::optional<Credential> &credential,
                                                                           const QString &error) {
                            if (!credential) {
                                m_credentials.remove(name);
                                then(QStringLiteral("credentials for %1: %2").arg(name, error));
                                return;
                            }
                            m_credentials.insert(name, {*credential});
                            qCDebug(lcTriage).noquote()
                                << "credentials for" << name << "resolved (" << credential->first << "header)";
                            then({});
                        });
}

void ActionRunner::revert(const config::ActionSpec &action, const config::ServiceConfig &service, const ActionRun &done)
{
    m_autoReverts.remove(done.id); // by hand before its time: the timer finds nothing
    withCredentials(action, [this, action, service, done](const QString &credentialsError) {
        if (credentialsError.isEmpty()) {
            sendRevert(action, service, done);
            return;
        }
        auto run = std::make_shared<ActionRun>(done);
        run->error = credentialsError;
        audit(QStringLiteral("revert_failed"), *run);
        emit reverted(run);
    });
}

void ActionRunner::sendRevert(const config::ActionSpec &action, const config::ServiceConfig &service,
                              const ActionRun &done)
{
    auto run = std::make_shared<ActionRun>(done);
    QString error;
    const std::optional<RenderedRequest> request
        = renderRevert(action, service, done.values, done.before, done.beforeKnown, done.beforeRaw, &error);
    if (!request) {
        run->error = error;
        common::postTo(this, [this, run] { emit reverted(run); });
        return;
    }
    run->requests.write = *request;
    send(*request, service, action.name, [this, run](const ingest::FetchResult &r) {
        run->status = r.httpStatus;
        run->response = r.body.left(ActionRun::kResponseExcerpt);
        run->error = r.ok && r.httpStatus >= 200 && r.httpStatus < 300
            ? QString()
            : (r.error.isEmpty() ? QStringLiteral("HTTP %1").arg(r.httpStatus) : r.error);
        run->reverted = run->ok();
        audit(run->ok() ? QStringLiteral("action_reverted") : QStringLiteral("revert_failed"), *run);
        emit reverted(run);
    });
}

std::optional<ActionRun> findRunInAudit(const AuditLog &audit, const QString &id)
{
    std::optional<ActionRun> found;
    for (const AuditLog::Entry &e : audit.read()) {
        if (e.details.value(QStringLiteral("id")).toString() != id)
            continue;
        if (e.kind == QLatin1String("action_reverted")) {
            if (found)
                found->reverted = true;
            continue;
        }
        if (e.kind != QLatin1String("action_sent"))
            continue;
        ActionRun r;
        r.id = id;
        r.action = e.details.value(QStringLiteral("action")).toString();
        r.service = e.details.value(QStringLiteral("service")).toString();
        const QJsonObject values = e.details.value(QStringLiteral("values")).toObject();
        for (auto it = values.begin(); it != values.end(); ++it)
            r.values.insert(it.key(), it.value().toDouble());
        const QJsonValue before = e.details.value(QStringLiteral("before"));
        if (before.isString())
            r.before = before.toString();
        r.beforeKnown = e.details.value(QStringLiteral("before_known")).toBool();
        r.beforeRaw = e.details.value(QStringLiteral("before_raw")).toString().toUtf8();
        r.sentMs = e.details.value(QStringLiteral("sent_ms")).toInteger();
        found = r;
    }
    return found;
}

} // namespace gotriage::triage
