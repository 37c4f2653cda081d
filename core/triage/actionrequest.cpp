#include "actionrequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

namespace gotriage::triage {

using config::ActionKind;
using config::ActionSpec;

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 15);
}

// Fills ${name}: variables as numbers, ${service} (URL-encoded in a path),
// ${previous} as given.
QString fill(const QString &templ, const QMap<QString, double> &values, const QString &service, bool inPath,
             const QString &previous = {})
{
    static const QRegularExpression re(QStringLiteral("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    QString out;
    qsizetype at = 0;
    for (auto it = re.globalMatch(templ); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out += templ.mid(at, m.capturedStart() - at);
        const QString name = m.captured(1);
        if (name == QLatin1String("service"))
            out += inPath ? QString::fromLatin1(QUrl::toPercentEncoding(service)) : service;
        else if (name == QLatin1String("previous"))
            out += previous;
        else
            out += number(values.value(name));
        at = m.capturedEnd();
    }
    return out + templ.mid(at);
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

// A URL under `base`: the path (and query) rendered, the origin kept.
std::optional<QUrl> under(const QUrl &base, const QString &pathAndQuery, QString *error)
{
    QUrl url = base;
    const qsizetype q = pathAndQuery.indexOf(u'?');
    url.setPath(base.path().chopped(base.path().endsWith(u'/') ? 1 : 0) + pathAndQuery.left(q < 0 ? -1 : q),
                QUrl::TolerantMode);
    url.setQuery(q < 0 ? QString() : pathAndQuery.mid(q + 1));
    if (!url.isValid() || !sameOrigin(url, base)) {
        if (error)
            *error = QStringLiteral("the rendered URL %1 leaves %2").arg(url.toString(), base.host());
        return std::nullopt;
    }
    return url;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString base64(const QString &s)
{
    return QString::fromLatin1(s.toUtf8().toBase64());
}

RenderedRequest request(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
                        const QByteArray &contentType = {})
{
    RenderedRequest r{method, url, {}, body};
    if (!contentType.isEmpty())
        r.headers.emplace_back("Content-Type", contentType);
    return r;
}

// Sentinel's flow rules with the rule for `resource` set to `count` (QPS),
// added when there is none: setRules replaces the whole list.
QByteArray sentinelRules(const QByteArray &current, const QString &resource, double count)
{
    QJsonArray rules = QJsonDocument::fromJson(current).array();
    bool found = false;
    for (qsizetype i = 0; i < rules.size(); ++i) {
        QJsonObject rule = rules[i].toObject();
        if (rule.value(QStringLiteral("resource")).toString() == resource) {
            rule.insert(QStringLiteral("count"), count);
            rules[i] = rule;
            found = true;
        }
    }
    if (!found) {
        rules.append(QJsonObject{{QStringLiteral("resource"), resource},
                                 {QStringLiteral("limitApp"), QStringLiteral("default")},
                                 {QStringLiteral("grade"), 1},
                                 {QStringLiteral("count"), count},
                                 {QStringLiteral("strategy"), 0},
                                 {QStringLiteral("controlBehavior"), 0}});
    }
    return QJsonDocument(rules).toJson(QJsonDocument::Compact);
}

QByteArray sentinelForm(const QByteArray &rules)
{
    return "type=flow&data=" + QUrl::toPercentEncoding(QString::fromUtf8(rules));
}

} // namespace

QJsonObject RenderedRequest::toJson() const
{
    QJsonObject headerObject;
    for (const auto &[name, value] : headers)
        headerObject.insert(QString::fromLatin1(name), QString::fromUtf8(value));
    QJsonObject o{{QStringLiteral("method"), QString::fromLatin1(method)},
                  {QStringLiteral("url"), url.toString(QUrl::RemoveUserInfo)}};
    if (!headers.empty())
        o.insert(QStringLiteral("headers"), headerObject);
    if (!body.isEmpty())
        o.insert(QStringLiteral("body"), QString::fromUtf8(body));
    return o;
}

QString RenderedRequest::toText() const
{
    QString text = QString::fromLatin1(method) + u' ' + url.toString(QUrl::RemoveUserInfo);
    if (!body.isEmpty())
        text += u' ' + QString::fromUtf8(body);
    return text;
}

std::optional<QMap<QString, double>> resolveVariables(const ActionSpec &action, const QMap<QString, QString> &overrides,
                                                      QString *error)
{
    QMap<QString, double> values;
    for (const config::ActionVariable &v : action.variables)
        values.insert(v.name, v.defaultValue);
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        const config::ActionVariable *v = action.variable(it.key());
        if (!v) {
            if (error)
                *error = QStringLiteral("%1 has no variable \"%2\"").arg(action.name, it.key());
            return std::nullopt;
        }
        bool ok = false;
        const double value = it.value().toDouble(&ok);
        // A number, and nothing else: a variable never carries text into a request.
        if (!ok || !std::isfinite(value)) {
            if (error)
                *error = QStringLiteral("%1: \"%2\" is not a number").arg(it.key(), it.value());
            return std::nullopt;
        }
        if ((v->min && value < *v->min) || (v->max && value > *v->max)) {
            if (error)
                *error = QStringLiteral("%1 = %2 is outside %3…%4")
                             .arg(it.key(), number(value), v->min ? number(*v->min) : QStringLiteral("-∞"),
                                  v->max ? number(*v->max) : QStringLiteral("∞"));
            return std::nullopt;
        }
        values.insert(it.key(), value);
    }
    return values;
}

std::optional<ActionRequests> renderAction(const ActionSpec &a, const config::ServiceConfig &service,
                                           const QMap<QString, double> &values, QString *error)
{
    ActionRequests out;
    const QString key = fill(a.key, values, service.name, false);
    const QString value = fill(a.value, values, service.name, false);
    switch (a.kind) {
    case ActionKind::Http: {
        const auto url = under(service.baseUrl, fill(a.path, values, service.name, true), error);
        if (!url)
            return std::nullopt;
        out.write = request(a.method.toLatin1(), *url, fill(a.body, values, service.name, false).toUtf8());
        bool hasContentType = false;
        for (const auto &[name, v] : a.headers) {
            out.write.headers.emplace_back(name.toLatin1(), fill(v, values, service.name, false).toUtf8());
            hasContentType = hasContentType || name.compare(QLatin1String("content-type"), Qt::CaseInsensitive) == 0;
        }
        if (!hasContentType && !a.body.isEmpty())
            out.write.headers.emplace_back("Content-Type", "application/json");
        if (!a.readPath.isEmpty()) {
            const auto readUrl = under(service.baseUrl, fill(a.readPath, values, service.name, true), error);
            if (!readUrl)
                return std::nullopt;
            out.read = request("GET", *readUrl);
        }
        return out;
    }
    case ActionKind::Etcd: {
        const auto put = under(a.endpoint, QStringLiteral("/v3/kv/put"), error);
        const auto range = under(a.endpoint, QStringLiteral("/v3/kv/range"), error);
        if (!put || !range)
            return std::nullopt;
        // The JSON gateway takes bytes fields as base64.
        out.write = request("POST", *put,
                            json({{QStringLiteral("key"), base64(key)}, {QStringLiteral("value"), base64(value)}}),
                            "application/json");
        out.read = request("POST", *range, json({{QStringLiteral("key"), base64(key)}}), "application/json");
        return out;
    }
    case ActionKind::Consul: {
        const auto url = under(a.endpoint, QStringLiteral("/v1/kv/") + key, error);
        if (!url)
            return std::nullopt;
        out.write = request("PUT", *url, value.toUtf8());
        QUrl raw = *url;
        raw.setQuery(QStringLiteral("raw"));
        out.read = request("GET", raw);
        return out;
    }
    case ActionKind::Envoy: {
        const auto modify = under(a.endpoint, QStringLiteral("/runtime_modify"), error);
        const auto runtime = under(a.endpoint, QStringLiteral("/runtime"), error);
        if (!modify || !runtime)
            return std::nullopt;
        QUrlQuery query;
        query.addQueryItem(key, value);
        QUrl url = *modify;
        url.setQuery(query);
        out.write = request("POST", url);
        out.read = request("GET", *runtime);
        return out;
    }
    case ActionKind::Sentinel: {
        const auto get = under(a.endpoint, QStringLiteral("/getRules?type=flow"), error);
        const auto set = under(a.endpoint, QStringLiteral("/setRules"), error);
        if (!get || !set)
            return std::nullopt;
        // Read, modify, write: the body is made once the rules are read
        // (the runner calls sentinelWrite); until then it shows the rule.
        out.read = request("GET", *get);
        out.write = request("POST", *set, sentinelForm(sentinelRules({}, key, value.toDouble())),
                            "application/x-www-form-urlencoded");
        return out;
    }
    case ActionKind::Webhook: {
        const QJsonObject message{
            {QStringLiteral("text"),
             fill(a.body.isEmpty() ? QStringLiteral("gotriage: ${service}") : a.body, values, service.name, false)}};
        out.write = request("POST", a.endpoint, json(message), "application/json");
        return out;
    }
    }
    return std::nullopt;
}

void completeWrite(const ActionSpec &a, const config::ServiceConfig &service, const QMap<QString, double> &values,
                   const QByteArray &readBody, ActionRequests &requests)
{
    if (a.kind != ActionKind::Sentinel)
        return;
    const QString key = fill(a.key, values, service.name, false);
    const double count = fill(a.value, values, service.name, false).toDouble();
    requests.write.body = sentinelForm(sentinelRules(readBody, key, count));
}

std::optional<QString> parseReadValue(const ActionSpec &a, const QByteArray &body, int status, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::optional<QString>();
    };
    if (a.kind == ActionKind::Consul && status == 404)
        return std::nullopt; // not set yet
    if (status < 200 || status >= 300)
        return fail(QStringLiteral("reading the value before: HTTP %1").arg(status));
    switch (a.kind) {
    case ActionKind::Http: {
        const QJsonValue v = QJsonDocument::fromJson(body).object().value(a.readField);
        if (v.isUndefined())
            return fail(QStringLiteral("the read response has no field \"%1\"").arg(a.readField));
        return v.isDouble() ? number(v.toDouble()) : v.toString();
    }
    case ActionKind::Etcd: {
        const QJsonArray kvs = QJsonDocument::fromJson(body).object().value(QStringLiteral("kvs")).toArray();
        if (kvs.isEmpty())
            return std::nullopt;
        return QString::fromUtf8(
            QByteArray::fromBase64(kvs.first().toObject().value(QStringLiteral("value")).toString().toLatin1()));
    }
    case ActionKind::Consul:
        return QString::fromUtf8(body);
    case ActionKind::Envoy: {
        const QJsonObject entries = QJsonDocument::fromJson(body).object().value(QStringLiteral("entries")).toObject();
        const QJsonValue entry = entries.value(a.key);
        if (entry.isUndefined())
            return std::nullopt;
        return entry.toObject().value(QStringLiteral("final_value")).toString();
    }
    case ActionKind::Sentinel: {
        const QJsonDocument doc = QJsonDocument::fromJson(body);
        if (!doc.isArray())
            return fail(QStringLiteral("getRules did not answer a JSON array"));
        for (const QJsonValue &rule : doc.array()) {
            if (rule.toObject().value(QStringLiteral("resource")).toString() == a.key)
                return number(rule.toObject().value(QStringLiteral("count")).toDouble());
        }
        return std::nullopt;
    }
    case ActionKind::Webhook:
        break;
    }
    return std::nullopt;
}

std::optional<RenderedRequest> renderRevert(const ActionSpec &a, const config::ServiceConfig &service,
                                            const QMap<QString, double> &values, const std::optional<QString> &previous,
                                            bool previousKnown, const QByteArray &previousRaw, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::optional<RenderedRequest>();
    };
    if (a.revert == ActionSpec::Revert::None)
        return fail(QStringLiteral("%1 has no revert").arg(a.name));
    if (a.revert == ActionSpec::Revert::Restore && !previousKnown)
        return fail(QStringLiteral("the value before was not read, so it cannot be restored"));
    QMap<QString, double> restored = values;
    if (a.kind == ActionKind::Http) {
        if (a.revert == ActionSpec::Revert::Restore) {
            bool ok = false;
            const double before = previous.value_or(QString()).toDouble(&ok);
            if (!ok)
                return fail(
                    QStringLiteral("the value before (\"%1\") is not a number").arg(previous.value_or(QString())));
            restored.insert(a.readField, before);
        }
        const auto requests = renderAction(a, service, restored, error);
        if (!requests)
            return std::nullopt;
        RenderedRequest r = requests->write;
        if (a.revert == ActionSpec::Revert::Explicit)
            r.body = fill(a.revertBody, values, service.name, false, previous.value_or(QString())).toUtf8();
        return r;
    }
    const QString key = fill(a.key, values, service.name, false);
    const QString value = a.revert == ActionSpec::Revert::Explicit
        ? fill(a.revertBody, values, service.name, false, previous.value_or(QString()))
        : previous.value_or(QString());
    const bool remove = a.revert == ActionSpec::Revert::Restore && !previous; // it was not set before
    switch (a.kind) {
    case ActionKind::Etcd: {
        if (remove) {
            const auto url = under(a.endpoint, QStringLiteral("/v3/kv/deleterange"), error);
            if (!url)
                return std::nullopt;
            return request("POST", *url, json({{QStringLiteral("key"), base64(key)}}), "application/json");
        }
        const auto url = under(a.endpoint, QStringLiteral("/v3/kv/put"), error);
        if (!url)
            return std::nullopt;
        return request("POST", *url,
                       json({{QStringLiteral("key"), base64(key)}, {QStringLiteral("value"), base64(value)}}),
                       "application/json");
    }
    case ActionKind::Consul: {
        const auto url = under(a.endpoint, QStringLiteral("/v1/kv/") + key, error);
        if (!url)
            return std::nullopt;
        return remove ? request("DELETE", *url) : request("PUT", *url, value.toUtf8());
    }
    case ActionKind::Envoy: {
        const auto url = under(a.endpoint, QStringLiteral("/runtime_modify"), error);
        if (!url)
            return std::nullopt;
        QUrl out = *url;
        QUrlQuery query;
        query.addQueryItem(key, remove ? QString() : value); // an empty value removes the override
        out.setQuery(query);
        return request("POST", out);
    }
    case ActionKind::Sentinel: {
        const auto url = under(a.endpoint, QStringLiteral("/setRules"), error);
        if (!url)
            return std::nullopt;
        // The list as it was read, whole.
        const QByteArray rules = a.revert == ActionSpec::Revert::Restore
            ? (previousRaw.isEmpty() ? QByteArray("[]") : previousRaw)
            : sentinelRules(previousRaw, key, value.toDouble());
        return request("POST", *url, sentinelForm(rules), "application/x-www-form-urlencoded");
    }
    case ActionKind::Http:
    case ActionKind::Webhook:
        break;
    }
    return fail(QStringLiteral("%1 actions are not reverted").arg(actionKindName(a.kind)));
}

} // namespace gotriage::triage
