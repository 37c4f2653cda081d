#include "actioncatalog.h"

#include <QFile>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

#include <array>

namespace gotriage::config {

namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<ActionKind, const char *>, 6> kKinds = {{
    {ActionKind::Http, "http"},
    {ActionKind::Etcd, "etcd"},
    {ActionKind::Consul, "consul"},
    {ActionKind::Envoy, "envoy"},
    {ActionKind::Sentinel, "sentinel"},
    {ActionKind::Webhook, "webhook"},
}};

QString text(const Json &value)
{
    return QString::fromStdString(value.get<std::string>());
}

// ${name}: what a template may refer to.
const QRegularExpression &placeholder()
{
    static const QRegularExpression re(QStringLiteral("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    return re;
}

class Reader
{
public:
    explicit Reader(QString source) : m_source(std::move(source)) { }

    void read(const Json &actions, ActionCatalog &out)
    {
        m_out = &out;
        if (!actions.is_array()) {
            error(QStringLiteral("$.actions"), QStringLiteral("expected an array of actions"));
            return;
        }
        for (std::size_t i = 0; i < actions.size(); ++i) {
            const QString path = QStringLiteral("$.actions[%1]").arg(i);
            if (auto action = readAction(actions[i], path)) {
                if (out.find(action->name)) {
                    error(path + QStringLiteral(".name"),
                          QStringLiteral("duplicate action name \"%1\"").arg(action->name));
                    continue;
                }
                out.actions.push_back(std::move(*action));
            }
        }
    }

    void error(const QString &path, const QString &message)
    {
        ConfigProblem p;
        p.file = m_source;
        p.jsonPath = path;
        p.message = message;
        m_out->problems.push_back(std::move(p));
    }

private:
    std::optional<QString> string(const Json &o, const char *key, const QString &path, bool required)
    {
        const auto it = o.find(key);
        if (it == o.end()) {
            if (required)
                error(path + u'.' + QLatin1String(key), QStringLiteral("missing"));
            return required ? std::nullopt : std::optional<QString>(QString());
        }
        if (!it->is_string()) {
            error(path + u'.' + QLatin1String(key), QStringLiteral("expected a string"));
            return std::nullopt;
        }
        return text(*it);
    }

    // Every ${name} in `value` is a declared variable or ${service}.
    bool checkTemplate(const QString &value, const ActionSpec &a, const QString &path)
    {
        for (auto m = placeholder().globalMatch(value); m.hasNext();) {
            const QString name = m.next().captured(1);
            if (name != QLatin1String("service") && name != QLatin1String("previous") && !a.variable(name)) {
                error(path, QStringLiteral("${%1} is not a declared variable").arg(name));
                return false;
            }
        }
        return true;
    }

    // The action's own credentials, by reference only: a secret in the
    // fleet file is refused.
    bool readAuth(const Json &o, const QString &path, bool basic, AuthSettings &auth)
    {
        if (!o.is_object()) {
            error(path, QStringLiteral("expected an object"));
            return false;
        }
        auth = AuthSettings{};
        auth.kind = basic ? AuthSettings::Kind::Basic : AuthSettings::Kind::Bearer;
        const std::vector<std::pair<const char *, QString *>> fields = basic
            ? std::vector<std::pair<const char *, QString *>>{{"username", &auth.username},
                                                              {"password_file", &auth.passwordFile},
                                                              {"password_keychain", &auth.passwordKeychain}}
            : std::vector<std::pair<const char *, QString *>>{{"credentials_file", &auth.credentialsFile},
                                                              {"credentials_env", &auth.credentialsEnv},
                                                              {"credentials_keychain", &auth.credentialsKeychain}};
        bool ok = true;
        for (const auto &[key, value] : o.items()) {
            const QString keyPath = path + u'.' + QString::fromStdString(key);
            if (key == "password" || key == "credentials") {
                error(keyPath,
                      QStringLiteral("secrets are not accepted in the fleet file; name a file, an "
                                     "environment variable or a keychain entry"));
                ok = false;
                continue;
            }
            if (!basic && key == "type") {
                if (value != "Bearer") {
                    error(keyPath, QStringLiteral("only \"Bearer\" is supported"));
                    ok = false;
                }
                continue;
            }
            const std::string name = key;
            const auto field
                = std::find_if(fields.begin(), fields.end(), [&name](const auto &f) { return name == f.first; });
            if (field == fields.end()) {
                error(keyPath, QStringLiteral("unknown key"));
                ok = false;
            } else if (!value.is_string() || value.get<std::string>().empty()) {
                error(keyPath, QStringLiteral("expected a non-empty string"));
                ok = false;
            } else {
                *field->second = text(value);
            }
        }
        const int sources = basic ? int(!auth.passwordFile.isEmpty()) + int(!auth.passwordKeychain.isEmpty())
                                  : int(!auth.credentialsFile.isEmpty()) + int(!auth.credentialsEnv.isEmpty())
                + int(!auth.credentialsKeychain.isEmpty());
        if (ok && (sources != 1 || (basic && auth.username.isEmpty()))) {
            error(path,
                  basic ? QStringLiteral("needs username and one of password_file and password_keychain")
                        : QStringLiteral("give exactly one of credentials_file, credentials_env and "
                                         "credentials_keychain"));
            ok = false;
        }
        return ok;
    }

    std::optional<ActionSpec> readAction(const Json &o, const QString &path)
    {
        if (!o.is_object()) {
            error(path, QStringLiteral("expected an object"));
            return std::nullopt;
        }
        ActionSpec a;
        const auto name = string(o, "name", path, true);
        const auto kind = string(o, "kind", path, false);
        if (!name || !kind)
            return std::nullopt;
        a.name = *name;
        if (a.name.isEmpty()) {
            error(path + QStringLiteral(".name"), QStringLiteral("expected a non-empty string"));
            return std::nullopt;
        }
        if (!kind->isEmpty()) {
            const auto k = actionKindFromName(*kind);
            if (!k) {
                error(path + QStringLiteral(".kind"),
                      QStringLiteral("expected http, etcd, consul, envoy, sentinel or webhook, got \"%1\"").arg(*kind));
                return std::nullopt;
            }
            a.kind = *k;
        }
        bool ok = true;
        for (const auto &[key, value] : o.items()) {
            const QString keyPath = path + u'.' + QString::fromStdString(key);
            if (key == "name" || key == "kind") {
                continue;
            } else if (key == "description" || key == "method" || key == "path" || key == "body" || key == "read_path"
                       || key == "read_field" || key == "key" || key == "value" || key == "expect_vital"
                       || key == "expect_at_most") {
                if (!value.is_string()) {
                    error(keyPath, QStringLiteral("expected a string"));
                    ok = false;
                    continue;
                }
                const QString v = text(value);
                (key == "description"        ? a.description
                     : key == "method"       ? a.method
                     : key == "path"         ? a.path
                     : key == "body"         ? a.body
                     : key == "read_path"    ? a.readPath
                     : key == "read_field"   ? a.readField
                     : key == "key"          ? a.key
                     : key == "value"        ? a.value
                     : key == "expect_vital" ? a.expectVital
                                             : a.expectAtMost)
                    = v;
            } else if (key == "endpoint") {
                const QUrl url(value.is_string() ? text(value) : QString(), QUrl::StrictMode);
                if (!url.isValid() || url.host().isEmpty()
                    || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
                    error(keyPath, QStringLiteral("expected an absolute http:// or https:// URL"));
                    ok = false;
                } else {
                    a.endpoint = url;
                }
            } else if (key == "headers") {
                if (!value.is_object()) {
                    error(keyPath, QStringLiteral("expected an object of header names to values"));
                    ok = false;
                    continue;
                }
                for (const auto &[h, v] : value.items()) {
                    if (!v.is_string()) {
                        error(keyPath + u'.' + QString::fromStdString(h), QStringLiteral("expected a string"));
                        ok = false;
                    } else {
                        a.headers.emplace_back(QString::fromStdString(h), text(v));
                    }
                }
            } else if (key == "variables") {
                ok = readVariables(value, keyPath, a) && ok;
            } else if (key == "applies_to") {
                ok = readSelector(value, keyPath, a.appliesTo) && ok;
            } else if (key == "revert") {
                if (value == "restore") {
                    a.revert = ActionSpec::Revert::Restore;
                } else if (value == "none") {
                    a.revert = ActionSpec::Revert::None;
                } else if (value.is_object() && value.contains("body") && value["body"].is_string()) {
                    a.revert = ActionSpec::Revert::Explicit;
                    a.revertBody = text(value["body"]);
                } else {
                    error(keyPath, QStringLiteral("expected \"restore\", \"none\" or {\"body\": \"…\"}"));
                    ok = false;
                }
            } else if (key == "ttl_s") {
                if (!value.is_number() || value.get<double>() < 1 || value.get<double>() > 86400) {
                    error(keyPath, QStringLiteral("expected seconds between 1 and 86400"));
                    ok = false;
                } else {
                    a.ttl = std::chrono::seconds(static_cast<long long>(value.get<double>()));
                }
            } else if (key == "on") {
                if (!value.is_array()) {
                    error(keyPath, QStringLiteral("expected a list of events"));
                    ok = false;
                    continue;
                }
                for (const Json &e : value) {
                    if (e == "incident_opened" || e == "action_sent" || e == "action_reverted")
                        a.on << text(e);
                    else {
                        error(keyPath, QStringLiteral("expected incident_opened, action_sent or action_reverted"));
                        ok = false;
                    }
                }
            } else if (key == "authorization" || key == "basic_auth") {
                ok = readAuth(value, keyPath, key == "basic_auth", a.auth) && ok;
            } else {
                error(keyPath, QStringLiteral("unknown key"));
                ok = false;
            }
        }
        a.method = a.method.toUpper();
        if (a.method != QLatin1String("POST") && a.method != QLatin1String("PUT") && a.method != QLatin1String("GET")
            && a.method != QLatin1String("DELETE") && a.method != QLatin1String("PATCH")) {
            error(path + QStringLiteral(".method"), QStringLiteral("expected GET, POST, PUT, PATCH or DELETE"));
            ok = false;
        }
        // What each kind needs.
        if (a.kind == ActionKind::Http) {
            if (!a.path.startsWith(u'/')) {
                error(path + QStringLiteral(".path"),
                      QStringLiteral("expected a path on the service, starting with / (the host comes from the "
                                     "service's url)"));
                ok = false;
            }
            if (a.revert == ActionSpec::Revert::Restore && (a.readPath.isEmpty() || a.readField.isEmpty())) {
                error(path + QStringLiteral(".revert"),
                      QStringLiteral("\"restore\" needs read_path and read_field to read the value before"));
                ok = false;
            } else if (a.revert == ActionSpec::Revert::Restore && !a.variable(a.readField)) {
                // The value read is put back through the same template.
                error(
                    path + QStringLiteral(".read_field"),
                    QStringLiteral("\"%1\" must also be a variable, to restore it through the body").arg(a.readField));
                ok = false;
            }
        } else if (a.endpoint.isEmpty()) {
            error(path + QStringLiteral(".endpoint"), QStringLiteral("missing (the store's or proxy's URL)"));
            ok = false;
        }
        if ((a.kind == ActionKind::Etcd || a.kind == ActionKind::Consul || a.kind == ActionKind::Envoy
             || a.kind == ActionKind::Sentinel)
            && (a.key.isEmpty() || a.value.isEmpty())) {
            error(path, QStringLiteral("%1 needs \"key\" and \"value\"").arg(actionKindName(a.kind)));
            ok = false;
        }
        for (const auto &[field, value] :
             std::initializer_list<std::pair<const char *, const QString *>>{{"path", &a.path},
                                                                             {"body", &a.body},
                                                                             {"read_path", &a.readPath},
                                                                             {"key", &a.key},
                                                                             {"value", &a.value},
                                                                             {"revert", &a.revertBody},
                                                                             {"expect_at_most", &a.expectAtMost}})
            ok = checkTemplate(*value, a, path + u'.' + QLatin1String(field)) && ok;
        for (const auto &[header, value] : a.headers)
            ok = checkTemplate(value, a, path + QStringLiteral(".headers.") + header) && ok;
        if (!ok)
            return std::nullopt;
        return a;
    }

    bool readVariables(const Json &value, const QString &path, ActionSpec &a)
    {
        if (!value.is_object()) {
            error(path, QStringLiteral("expected an object: {\"rps\": {\"default\": 50, \"min\": 1, \"max\": 10000}}"));
            return false;
        }
        bool ok = true;
        for (const auto &[name, spec] : value.items()) {
            const QString varPath = path + u'.' + QString::fromStdString(name);
            ActionVariable v;
            v.name = QString::fromStdString(name);
            if (!spec.is_object() || !spec.contains("default") || !spec["default"].is_number()) {
                error(varPath, QStringLiteral("expected {\"default\": N} with optional \"min\" and \"max\""));
                ok = false;
                continue;
            }
            v.defaultValue = spec["default"].get<double>();
            if (spec.contains("min") && spec["min"].is_number())
                v.min = spec["min"].get<double>();
            if (spec.contains("max") && spec["max"].is_number())
                v.max = spec["max"].get<double>();
            if ((v.min && v.defaultValue < *v.min) || (v.max && v.defaultValue > *v.max)) {
                error(varPath, QStringLiteral("the default is outside min and max"));
                ok = false;
                continue;
            }
            a.variables.push_back(v);
        }
        return ok;
    }

    bool readSelector(const Json &value, const QString &path, ActionSelector &s)
    {
        if (!value.is_object()) {
            error(path, QStringLiteral("expected {\"tier\": …, \"services\": […], \"labels\": {…}}"));
            return false;
        }
        bool ok = true;
        for (const auto &[key, v] : value.items()) {
            const QString keyPath = path + u'.' + QString::fromStdString(key);
            if (key == "tier" && (v == "core" || v == "non-core")) {
                s.tier = v == "core" ? Tier::Core : Tier::NonCore;
            } else if (key == "services" && v.is_array()) {
                for (const Json &name : v) {
                    if (name.is_string())
                        s.services << text(name);
                }
            } else if (key == "labels" && v.is_object()) {
                for (const auto &[lk, lv] : v.items()) {
                    if (lv.is_string())
                        s.labels.emplace_back(QString::fromStdString(lk), text(lv));
                }
            } else {
                error(keyPath, QStringLiteral("expected tier (\"core\"/\"non-core\"), services [names] or labels {…}"));
                ok = false;
            }
        }
        return ok;
    }

    QString m_source;
    ActionCatalog *m_out = nullptr;
};

} // namespace

QString actionKindName(ActionKind kind)
{
    for (const auto &[k, name] : kKinds) {
        if (k == kind)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<ActionKind> actionKindFromName(const QString &name)
{
    for (const auto &[k, n] : kKinds) {
        if (name == QLatin1String(n))
            return k;
    }
    return std::nullopt;
}

bool ActionSelector::matches(const ServiceConfig &service) const
{
    if (tier && service.tier != *tier)
        return false;
    if (!services.isEmpty() && !services.contains(service.name))
        return false;
    for (const auto &label : labels) {
        if (std::find(service.labels.begin(), service.labels.end(), label) == service.labels.end())
            return false;
    }
    return true;
}

const ActionVariable *ActionSpec::variable(const QString &variableName) const
{
    for (const ActionVariable &v : variables) {
        if (v.name == variableName)
            return &v;
    }
    return nullptr;
}

const ActionSpec *ActionCatalog::find(const QString &name) const
{
    for (const ActionSpec &a : actions) {
        if (a.name == name)
            return &a;
    }
    return nullptr;
}

std::vector<const ActionSpec *> ActionCatalog::forService(const ServiceConfig &service) const
{
    std::vector<const ActionSpec *> out;
    for (const ActionSpec &a : actions) {
        if (a.kind != ActionKind::Webhook && a.appliesTo.matches(service))
            out.push_back(&a);
    }
    return out;
}

ActionCatalog parseActionCatalog(std::string_view fleetText, const QString &sourceName)
{
    ActionCatalog out;
    Reader reader(sourceName);
    const Json root = Json::parse(fleetText.begin(), fleetText.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return out; // the fleet file's own reader names syntax problems
    if (const auto it = root.find("actions"); it != root.end())
        reader.read(*it, out);
    return out;
}

ActionCatalog loadActionCatalog(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ActionCatalog out;
        ConfigProblem p;
        p.file = path;
        p.message = file.errorString();
        out.problems.push_back(p);
        return out;
    }
    const QByteArray text = file.readAll();
    return parseActionCatalog(std::string_view(text.constData(), static_cast<std::size_t>(text.size())), path);
}

} // namespace gotriage::config
