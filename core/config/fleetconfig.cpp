#include "fleetconfig.h"

#include "actioncatalog.h"

#include "formats/parseproblem.h"

#include <QFile>
#include <QSet>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

namespace gotriage::config {

namespace {

using Json = nlohmann::json;

QString fromUtf8(const std::string &text)
{
    return QString::fromStdString(text);
}

// Levenshtein distance, for "did you mean": keys are short, so the
// quadratic table is a few hundred cells.
std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// "unknown key (ignored); did you mean `limits`?" when one known key is close.
QString unknownKey(std::string_view key, std::span<const std::string_view> known)
{
    std::string_view best;
    std::size_t bestDistance = std::max<std::size_t>(2, key.size() / 3) + 1;
    for (const std::string_view candidate : known) {
        const std::size_t d = editDistance(key, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    if (best.empty())
        return QStringLiteral("unknown key (ignored)");
    return QStringLiteral("unknown key (ignored); did you mean `%1`?")
        .arg(QString::fromUtf8(best.data(), static_cast<qsizetype>(best.size())));
}

constexpr std::array<std::string_view, 20> kServiceKeys = {"name",
                                                           "url",
                                                           "tier",
                                                           "interval_s",
                                                           "vars_interval_s",
                                                           "timeout_s",
                                                           "connect_timeout_s",
                                                           "body_limit_bytes",
                                                           "sample_limit",
                                                           "label_value_length_limit",
                                                           "request_counter",
                                                           "latency_histogram",
                                                           "tls_config",
                                                           "authorization",
                                                           "basic_auth",
                                                           "labels",
                                                           "paths",
                                                           "limits",
                                                           "auto_capture",
                                                           "allow_link_local"};

// "actions" is read by config/actioncatalog (the triage's action catalog).
constexpr std::array<std::string_view, 4> kFleetKeys = {"services", "defaults", "actions", "prometheus"};

// A fleet file that does not parse as JSON but reads like YAML (Prometheus'
// own configs are YAML, so this is the natural first guess of a new user).
bool looksLikeYaml(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (line.empty() || line.front() == '#')
            continue;
        if (line.starts_with("---") || line.starts_with("- "))
            return true;
        const std::size_t colon = line.find(':');
        return colon != std::string_view::npos && colon > 0 && line.front() != '{' && line.front() != '['
            && line.front() != '"';
    }
    return false;
}

QString describe(const Json &value)
{
    return fromUtf8(value.dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, 60));
}

// Walks one fleet file, collecting problems with their JSON paths.
class FleetReader
{
public:
    explicit FleetReader(QString source) : m_source(std::move(source)) { }

    FleetConfig read(std::string_view text);

private:
    void error(const QString &path, const QString &message) { add(path, message, true); }
    void warning(const QString &path, const QString &message) { add(path, message, false); }
    void add(const QString &path, const QString &message, bool isError)
    {
        ConfigProblem problem;
        problem.file = m_source;
        problem.jsonPath = path;
        problem.isError = isError;
        problem.message = message;
        m_config.problems.push_back(std::move(problem));
    }

    void readFleetObject(const Json &root);
    void readFileSd(const Json &root);
    void readHistoryServer(const Json &value, const QString &path);
    std::optional<ServiceConfig> readService(const Json &entry, const QString &path, const ServiceConfig &defaults,
                                             bool isDefaults);
    bool readPaths(const Json &value, const QString &path, EndpointPaths &paths);
    bool readLimits(const Json &value, const QString &path, ServiceLimits &limits);
    bool readLabels(const Json &value, const QString &path, std::vector<std::pair<QString, QString>> &labels);
    std::optional<QUrl> readUrl(const Json &value, const QString &path);
    std::optional<std::chrono::milliseconds> readSeconds(const Json &value, const QString &path,
                                                         std::chrono::milliseconds min, std::chrono::milliseconds max);
    std::optional<QString> readString(const Json &value, const QString &path);
    bool readStringFields(const Json &value, const QString &path,
                          std::initializer_list<std::pair<std::string_view, QString *>> fields,
                          std::initializer_list<std::string_view> handledElsewhere = {});
    bool readTls(const Json &value, const QString &path, TlsSettings &tls);
    bool readBearer(const Json &value, const QString &path, AuthSettings &auth);
    bool readBasicAuth(const Json &value, const QString &path, AuthSettings &auth);
    void addService(ServiceConfig service, const QString &path);

    QString m_source;
    FleetConfig m_config;
    QSet<QString> m_names;
};

FleetConfig FleetReader::read(std::string_view text)
{
    Json root;
    try {
        root = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &e) {
        const auto pos = formats::positionOf(text, e.byte > 0 ? e.byte - 1 : 0);
        std::string message = e.what();
        if (const std::size_t colon = message.find(": "); colon != std::string::npos)
            message = message.substr(colon + 2);
        ConfigProblem problem;
        problem.file = m_source;
        problem.line = static_cast<int>(pos.line);
        problem.column = static_cast<int>(pos.column);
        problem.message = QStringLiteral("invalid JSON: ") + fromUtf8(message);
        if (looksLikeYaml(text))
            problem.message = QStringLiteral("this looks like YAML, but fleet files are JSON: "
                                             "{\"services\": [{\"name\": \"api\", \"url\": \"http://host:port\"}]} (")
                + problem.message + QStringLiteral(")");
        m_config.problems.push_back(std::move(problem));
        return std::move(m_config);
    } catch (const Json::exception &e) {
        // Not a syntax error but a value JSON cannot hold here (a number
        // that overflows a double: found by fuzz_fleetconfig). The library
        // gives no position: the quoted token in its message leads to it.
        std::string message = e.what();
        if (const std::size_t bracket = message.find("] "); bracket != std::string::npos)
            message = message.substr(bracket + 2);
        const auto pos = formats::positionOfQuoted(text, message);
        ConfigProblem problem;
        problem.file = m_source;
        problem.line = static_cast<int>(pos.line);
        problem.column = static_cast<int>(pos.column);
        problem.message = QStringLiteral("invalid JSON: ") + fromUtf8(message);
        m_config.problems.push_back(std::move(problem));
        return std::move(m_config);
    }
    if (root.is_array())
        readFileSd(root);
    else if (root.is_object())
        readFleetObject(root);
    else
        error(QStringLiteral("$"), QStringLiteral("expected an object with \"services\" or a file_sd target list"));
    return std::move(m_config);
}

void FleetReader::readFleetObject(const Json &root)
{
    for (const auto &[key, value] : root.items()) {
        if (std::find(kFleetKeys.begin(), kFleetKeys.end(), key) == kFleetKeys.end())
            warning(QStringLiteral("$.") + fromUtf8(key), unknownKey(key, kFleetKeys));
    }
    if (const auto it = root.find("prometheus"); it != root.end())
        readHistoryServer(*it, QStringLiteral("$.prometheus"));
    ServiceConfig defaults;
    if (const auto it = root.find("defaults"); it != root.end()) {
        if (auto parsed = readService(*it, QStringLiteral("$.defaults"), defaults, true))
            defaults = std::move(*parsed);
    }
    const auto services = root.find("services");
    if (services == root.end()) {
        error(QStringLiteral("$.services"), QStringLiteral("missing (a list of services to watch)"));
        return;
    }
    if (!services->is_array()) {
        error(QStringLiteral("$.services"), QStringLiteral("expected an array, got ") + describe(*services));
        return;
    }
    for (std::size_t i = 0; i < services->size(); ++i) {
        const QString path = QStringLiteral("$.services[%1]").arg(i);
        if (auto service = readService((*services)[i], path, defaults, false))
            addService(std::move(*service), path);
    }
}

// "prometheus": "http://host:9090", or {"url": ..., "backfill_s": 7200}.
void FleetReader::readHistoryServer(const Json &value, const QString &path)
{
    HistoryServer server;
    if (value.is_string()) {
        const auto url = readUrl(value, path);
        if (!url)
            return;
        server.url = *url;
        m_config.historyServer = std::move(server);
        return;
    }
    if (!value.is_object()) {
        error(path,
              QStringLiteral("expected the server's URL, or {\"url\": ..., \"backfill_s\": 7200}, got ")
                  + describe(value));
        return;
    }
    for (const auto &[key, field] : value.items()) {
        const QString keyPath = path + QStringLiteral(".") + fromUtf8(key);
        if (key == "url") {
            if (const auto url = readUrl(field, keyPath))
                server.url = *url;
            else
                return;
        } else if (key == "backfill_s") {
            // 0 is allowed: the server is named, but no history is wanted.
            if (field.is_number() && field.get<double>() == 0) {
                server.backfill = std::chrono::milliseconds(0);
                continue;
            }
            if (const auto backfill = readSeconds(field, keyPath, std::chrono::minutes(1), kMaxBackfill))
                server.backfill = *backfill;
            else
                return;
        } else {
            warning(keyPath, unknownKey(key, std::array<std::string_view, 2>{"url", "backfill_s"}));
        }
    }
    if (server.url.isEmpty()) {
        error(path + QStringLiteral(".url"), QStringLiteral("missing (the server's http:// URL)"));
        return;
    }
    m_config.historyServer = std::move(server);
}

void FleetReader::readFileSd(const Json &root)
{
    for (std::size_t g = 0; g < root.size(); ++g) {
        const QString groupPath = QStringLiteral("$[%1]").arg(g);
        const Json &group = root[g];
        if (!group.is_object()) {
            error(groupPath, QStringLiteral("expected a target group object"));
            continue;
        }
        ServiceConfig base;
        QString scheme = QStringLiteral("http");
        if (const auto labels = group.find("labels"); labels != group.end()) {
            std::vector<std::pair<QString, QString>> all;
            if (readLabels(*labels, groupPath + QStringLiteral(".labels"), all)) {
                for (auto &[key, value] : all) {
                    // Prometheus' reserved labels steer the scrape; they are not service labels.
                    if (key == QLatin1String("__scheme__"))
                        scheme = value;
                    else if (key == QLatin1String("__metrics_path__"))
                        base.paths.metrics = value;
                    else if (key == QLatin1String("tier"))
                        base.tier = value == QLatin1String("core") ? Tier::Core : Tier::NonCore;
                    else if (!key.startsWith(QLatin1String("__")))
                        base.labels.emplace_back(key, value);
                }
            }
        }
        const auto targets = group.find("targets");
        if (targets == group.end() || !targets->is_array()) {
            error(groupPath + QStringLiteral(".targets"), QStringLiteral("expected an array of \"host:port\" strings"));
            continue;
        }
        for (std::size_t t = 0; t < targets->size(); ++t) {
            const QString path = groupPath + QStringLiteral(".targets[%1]").arg(t);
            const Json &target = (*targets)[t];
            if (!target.is_string() || target.get<std::string>().empty()) {
                error(path, QStringLiteral("expected a \"host:port\" string"));
                continue;
            }
            const QString hostPort = fromUtf8(target.get<std::string>());
            const QUrl url(scheme + QStringLiteral("://") + hostPort);
            if (!url.isValid() || url.host().isEmpty() || !url.path().isEmpty()) {
                error(path, QStringLiteral("\"%1\" is not a host:port target").arg(hostPort));
                continue;
            }
            ServiceConfig service = base;
            service.name = hostPort;
            service.baseUrl = url;
            addService(std::move(service), path);
        }
    }
}

std::optional<ServiceConfig> FleetReader::readService(const Json &entry, const QString &path,
                                                      const ServiceConfig &defaults, bool isDefaults)
{
    if (!entry.is_object()) {
        error(path, QStringLiteral("expected an object, got ") + describe(entry));
        return std::nullopt;
    }
    ServiceConfig service = defaults;
    bool ok = true;
    for (const auto &[key, value] : entry.items()) {
        const QString keyPath = path + QStringLiteral(".") + fromUtf8(key);
        if (key == "name" && !isDefaults) {
            if (!value.is_string() || value.get<std::string>().empty()) {
                error(keyPath, QStringLiteral("expected a non-empty string"));
                ok = false;
            } else {
                service.name = fromUtf8(value.get<std::string>());
            }
        } else if (key == "url" && !isDefaults) {
            if (auto url = readUrl(value, keyPath))
                service.baseUrl = *url;
            else
                ok = false;
        } else if (key == "tier") {
            if (value == "core") {
                service.tier = Tier::Core;
            } else if (value == "non-core") {
                service.tier = Tier::NonCore;
            } else {
                error(keyPath, QStringLiteral("expected \"core\" or \"non-core\", got ") + describe(value));
                ok = false;
            }
        } else if (key == "interval_s") {
            if (const auto interval = readSeconds(value, keyPath, kMinInterval, kMaxInterval))
                service.interval = *interval;
            else
                ok = false;
        } else if (key == "vars_interval_s") {
            if (const auto varsInterval = readSeconds(value, keyPath, kMinInterval, kMaxInterval))
                service.varsIntervalSetting = *varsInterval;
            else
                ok = false;
        } else if (key == "timeout_s") {
            if (const auto timeout = readSeconds(value, keyPath, std::chrono::milliseconds(50), kMaxInterval))
                service.timeout = *timeout;
            else
                ok = false;
        } else if (key == "connect_timeout_s") {
            if (const auto timeout = readSeconds(value, keyPath, std::chrono::milliseconds(50), kMaxInterval))
                service.connectTimeout = *timeout;
            else
                ok = false;
        } else if (key == "body_limit_bytes") {
            if (value.is_number_unsigned() && value.get<std::uint64_t>() >= 1024
                && value.get<std::uint64_t>() <= (1ULL << 31)) {
                service.bodyLimit = static_cast<qint64>(value.get<std::uint64_t>());
            } else {
                error(keyPath, QStringLiteral("expected a byte count between 1024 and 2147483648"));
                ok = false;
            }
        } else if (key == "sample_limit" || key == "label_value_length_limit") {
            // 0 lifts the bound, as in Prometheus.
            if (value.is_number_unsigned() && value.get<std::uint64_t>() <= UINT32_MAX) {
                (key == "sample_limit" ? service.sampleLimit : service.labelValueLengthLimit)
                    = static_cast<std::size_t>(value.get<std::uint64_t>());
            } else {
                error(keyPath,
                      QStringLiteral("expected a count between 0 (no limit) and 4294967295, got ") + describe(value));
                ok = false;
            }
        } else if (key == "request_counter" || key == "latency_histogram") {
            if (const auto name = readString(value, keyPath))
                (key == "request_counter" ? service.requestCounter : service.latencyHistogram) = *name;
            else
                ok = false;
        } else if (key == "tls_config") {
            ok = readTls(value, keyPath, service.tls) && ok;
        } else if (key == "authorization") {
            ok = readBearer(value, keyPath, service.auth) && ok;
        } else if (key == "basic_auth") {
            ok = readBasicAuth(value, keyPath, service.auth) && ok;
        } else if (key == "labels") {
            service.labels.clear();
            ok = readLabels(value, keyPath, service.labels) && ok;
        } else if (key == "paths") {
            ok = readPaths(value, keyPath, service.paths) && ok;
        } else if (key == "limits") {
            ok = readLimits(value, keyPath, service.limits) && ok;
        } else if (key == "auto_capture" || key == "allow_link_local") {
            if (value.is_boolean()) {
                (key == "auto_capture" ? service.autoCapture : service.allowLinkLocal) = value.get<bool>();
            } else {
                error(keyPath, QStringLiteral("expected true or false, got ") + describe(value));
                ok = false;
            }
        } else {
            warning(keyPath, unknownKey(key, kServiceKeys));
        }
    }
    if (!isDefaults) {
        if (service.name.isEmpty() && !entry.contains("name")) {
            error(path + QStringLiteral(".name"), QStringLiteral("missing"));
            ok = false;
        }
        if (service.baseUrl.isEmpty() && !entry.contains("url")) {
            error(path + QStringLiteral(".url"), QStringLiteral("missing"));
            ok = false;
        }
    }
    if (!ok && !isDefaults)
        return std::nullopt;
    return service;
}

std::optional<QUrl> FleetReader::readUrl(const Json &value, const QString &path)
{
    if (!value.is_string()) {
        error(path, QStringLiteral("expected a URL string, got ") + describe(value));
        return std::nullopt;
    }
    const QUrl url(fromUtf8(value.get<std::string>()), QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        || url.host().isEmpty()) {
        error(path, QStringLiteral("expected an absolute http:// or https:// URL, got ") + describe(value));
        return std::nullopt;
    }
    if (url.hasQuery() || url.hasFragment()) {
        error(path, QStringLiteral("the base URL must not have a query or fragment"));
        return std::nullopt;
    }
    const QString urlPath = url.path();
    if (urlPath.endsWith(QLatin1String("/metrics")) || urlPath.contains(QLatin1String("/debug/"))) {
        // Kept as given (a service may live under a prefix), but said, because
        // the endpoints are appended to it: /metrics/metrics answers 404.
        QUrl base = url;
        base.setPath(QString());
        warning(path,
                QStringLiteral("`url` is the service's base URL: gotriage appends `paths.metrics` (/metrics) "
                               "and the other endpoints to it; did you mean \"%1\"?")
                    .arg(base.toString()));
    }
    return url;
}

std::optional<std::chrono::milliseconds> FleetReader::readSeconds(const Json &value, const QString &path,
                                                                  std::chrono::milliseconds min,
                                                                  std::chrono::milliseconds max)
{
    const double seconds = value.is_number() ? value.get<double>() : -1.0;
    const auto duration = std::chrono::milliseconds(std::llround(seconds * 1000));
    if (!value.is_number() || !std::isfinite(seconds) || duration < min || duration > max) {
        error(path,
              QStringLiteral("expected seconds between %1 and %2, got %3")
                  .arg(static_cast<double>(min.count()) / 1000.0)
                  .arg(static_cast<double>(max.count()) / 1000.0)
                  .arg(describe(value)));
        return std::nullopt;
    }
    return duration;
}

std::optional<QString> FleetReader::readString(const Json &value, const QString &path)
{
    if (!value.is_string() || value.get<std::string>().empty()) {
        error(path, QStringLiteral("expected a non-empty string, got ") + describe(value));
        return std::nullopt;
    }
    return fromUtf8(value.get<std::string>());
}

bool FleetReader::readStringFields(const Json &value, const QString &path,
                                   std::initializer_list<std::pair<std::string_view, QString *>> fields,
                                   std::initializer_list<std::string_view> handledElsewhere)
{
    if (!value.is_object()) {
        error(path, QStringLiteral("expected an object"));
        return false;
    }
    bool ok = true;
    for (const auto &[key, item] : value.items()) {
        if (std::find(handledElsewhere.begin(), handledElsewhere.end(), key) != handledElsewhere.end())
            continue;
        const QString keyPath = path + QStringLiteral(".") + fromUtf8(key);
        const std::string &name = key; // clang 14 cannot capture a structured binding
        const auto field = std::find_if(fields.begin(), fields.end(), [&](const auto &f) { return f.first == name; });
        if (field == fields.end()) {
            QString message = QStringLiteral("unknown key (ignored)");
            for (const auto &[known, target] : fields) {
                if (editDistance(key, known) <= std::max<std::size_t>(2, key.size() / 3)) {
                    message += QStringLiteral("; did you mean `%1`?").arg(fromUtf8(std::string(known)));
                    break;
                }
            }
            warning(keyPath, message);
        } else if (const auto text = readString(item, keyPath)) {
            *field->second = *text;
        } else {
            ok = false;
        }
    }
    return ok;
}

bool FleetReader::readTls(const Json &value, const QString &path, TlsSettings &tls)
{
    bool ok = readStringFields(value, path,
                               {{"ca_file", &tls.caFile},
                                {"cert_file", &tls.certFile},
                                {"key_file", &tls.keyFile},
                                {"server_name", &tls.serverName}},
                               {"insecure_skip_verify"});
    if (const auto insecure = value.find("insecure_skip_verify"); ok && insecure != value.end()) {
        const QString keyPath = path + QStringLiteral(".insecure_skip_verify");
        if (!insecure->is_boolean()) {
            error(keyPath, QStringLiteral("expected true or false"));
            return false;
        }
        tls.insecureSkipVerify = insecure->get<bool>();
        if (tls.insecureSkipVerify)
            warning(keyPath, QStringLiteral("TLS certificates of this service are not verified"));
    }
    if (ok && tls.certFile.isEmpty() != tls.keyFile.isEmpty()) {
        error(path, QStringLiteral("cert_file and key_file go together"));
        ok = false;
    }
    return ok;
}

bool FleetReader::readBearer(const Json &value, const QString &path, AuthSettings &auth)
{
    if (value.is_object() && value.contains("credentials")) {
        error(path + QStringLiteral(".credentials"),
              QStringLiteral("secrets are not accepted in the fleet file; use credentials_file or credentials_env"));
        return false;
    }
    if (value.is_object()) {
        if (const auto type = value.find("type"); type != value.end() && *type != "Bearer") {
            error(path + QStringLiteral(".type"), QStringLiteral("only \"Bearer\" is supported"));
            return false;
        }
    }
    auth = AuthSettings{};
    auth.kind = AuthSettings::Kind::Bearer;
    bool ok = readStringFields(value, path,
                               {{"credentials_file", &auth.credentialsFile},
                                {"credentials_env", &auth.credentialsEnv},
                                {"credentials_keychain", &auth.credentialsKeychain}},
                               {"type"});
    const int given = int(!auth.credentialsFile.isEmpty()) + int(!auth.credentialsEnv.isEmpty())
        + int(!auth.credentialsKeychain.isEmpty());
    if (ok && given != 1) {
        error(path, QStringLiteral("give exactly one of credentials_file, credentials_env and credentials_keychain"));
        ok = false;
    }
    return ok;
}

bool FleetReader::readBasicAuth(const Json &value, const QString &path, AuthSettings &auth)
{
    if (value.is_object() && value.contains("password")) {
        error(path + QStringLiteral(".password"),
              QStringLiteral("secrets are not accepted in the fleet file; use password_file"));
        return false;
    }
    auth = AuthSettings{};
    auth.kind = AuthSettings::Kind::Basic;
    bool ok = readStringFields(value, path,
                               {{"username", &auth.username},
                                {"password_file", &auth.passwordFile},
                                {"password_keychain", &auth.passwordKeychain}});
    if (ok && (auth.username.isEmpty() || auth.passwordFile.isEmpty() == auth.passwordKeychain.isEmpty())) {
        error(path, QStringLiteral("needs username and one of password_file and password_keychain"));
        ok = false;
    }
    return ok;
}

bool FleetReader::readLabels(const Json &value, const QString &path, std::vector<std::pair<QString, QString>> &labels)
{
    if (!value.is_object()) {
        error(path, QStringLiteral("expected an object of string values"));
        return false;
    }
    bool ok = true;
    for (const auto &[key, labelValue] : value.items()) {
        if (!labelValue.is_string()) {
            error(path + QStringLiteral(".") + fromUtf8(key), QStringLiteral("expected a string"));
            ok = false;
            continue;
        }
        labels.emplace_back(fromUtf8(key), fromUtf8(labelValue.get<std::string>()));
    }
    std::sort(labels.begin(), labels.end());
    return ok;
}

bool FleetReader::readPaths(const Json &value, const QString &path, EndpointPaths &paths)
{
    if (!value.is_object()) {
        error(path, QStringLiteral("expected an object with metrics, vars and pprof paths"));
        return false;
    }
    bool ok = true;
    for (const auto &[key, pathValue] : value.items()) {
        const QString keyPath = path + QStringLiteral(".") + fromUtf8(key);
        QString *target = key == "metrics" ? &paths.metrics
            : key == "vars"                ? &paths.vars
            : key == "pprof"               ? &paths.pprof
                                           : nullptr;
        if (!target) {
            warning(keyPath, QStringLiteral("unknown endpoint (ignored; known: metrics, vars, pprof)"));
            continue;
        }
        if (pathValue.is_null()) {
            target->clear(); // the service does not serve it
        } else if (pathValue.is_string() && pathValue.get<std::string>().starts_with('/')) {
            *target = fromUtf8(pathValue.get<std::string>());
        } else {
            error(keyPath, QStringLiteral("expected a path starting with '/', or null, got ") + describe(pathValue));
            ok = false;
        }
    }
    return ok;
}

bool FleetReader::readLimits(const Json &value, const QString &path, ServiceLimits &limits)
{
    if (!value.is_object()) {
        error(path, QStringLiteral("expected an object"));
        return false;
    }
    bool ok = true;
    for (const auto &[key, limitValue] : value.items()) {
        const QString keyPath = path + QStringLiteral(".") + fromUtf8(key);
        std::optional<double> *target = key == "goroutines" ? &limits.goroutines
            : key == "memory_bytes"                         ? &limits.memoryBytes
            : key == "cpu_cores"                            ? &limits.cpuCores
            : key == "threads"                              ? &limits.threads
                                                            : nullptr;
        if (!target) {
            warning(keyPath,
                    QStringLiteral("unknown limit (ignored; known: goroutines, memory_bytes, cpu_cores, threads)"));
            continue;
        }
        if (!limitValue.is_number() || !(limitValue.get<double>() > 0) || !std::isfinite(limitValue.get<double>())) {
            error(keyPath, QStringLiteral("expected a positive number, got ") + describe(limitValue));
            ok = false;
            continue;
        }
        *target = limitValue.get<double>();
    }
    return ok;
}

void FleetReader::addService(ServiceConfig service, const QString &path)
{
    if (m_names.contains(service.name)) {
        error(path, QStringLiteral("duplicate service name \"%1\"").arg(service.name));
        return;
    }
    m_names.insert(service.name);
    m_config.services.push_back(std::move(service));
}

} // namespace

QString tierName(Tier tier)
{
    return tier == Tier::Core ? QStringLiteral("core") : QStringLiteral("non-core");
}

std::chrono::milliseconds ServiceConfig::totalTimeout() const
{
    const auto cap = interval * 4 / 5;
    return timeout ? std::min(*timeout, cap) : cap;
}

QUrl ServiceConfig::endpointUrl(const QString &path) const
{
    QUrl url = baseUrl;
    QString basePath = url.path();
    if (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    url.setPath(basePath + path);
    return url;
}

QString ConfigProblem::toString() const
{
    QString text = file;
    if (line > 0)
        text += QStringLiteral(":%1:%2").arg(line).arg(column);
    text += QStringLiteral(": ");
    if (!isError)
        text += QStringLiteral("warning: ");
    if (!jsonPath.isEmpty())
        text += jsonPath + QStringLiteral(": ");
    return text + message;
}

bool FleetConfig::hasErrors() const
{
    return std::any_of(problems.begin(), problems.end(), [](const ConfigProblem &p) { return p.isError; });
}

FleetConfig parseFleetConfig(std::string_view text, const QString &sourceName)
{
    FleetConfig config = FleetReader(sourceName).read(text);
    config.actions = std::make_shared<const ActionCatalog>(parseActionCatalog(text, sourceName));
    return config;
}

FleetConfig loadFleetConfig(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        FleetConfig config;
        ConfigProblem problem;
        problem.file = path;
        problem.message = QStringLiteral("cannot read: ") + file.errorString();
        config.problems.push_back(std::move(problem));
        config.actions = std::make_shared<const ActionCatalog>();
        return config;
    }
    const QByteArray bytes = file.readAll();
    return parseFleetConfig(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())), path);
}

} // namespace gotriage::config
