#pragma once

#include <QString>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace gotriage::config {

enum class Tier { Core, NonCore };

QString tierName(Tier tier);

// Where a service serves each endpoint, relative to its base URL. An empty
// path means the service does not serve that endpoint (it is not polled).
struct EndpointPaths {
    QString metrics = QStringLiteral("/metrics");
    QString vars = QStringLiteral("/debug/vars");
    QString pprof = QStringLiteral("/debug/pprof/");
};

// Limits that time-to-limit projections aim at. Unset means "use what the
// service itself exposes" (process_max_fds, GOMEMLIMIT) or "no projection".
struct ServiceLimits {
    std::optional<double> goroutines;
    std::optional<double> memoryBytes;
    std::optional<double> cpuCores;
    std::optional<double> threads;
};

// TLS settings, named as in Prometheus' scrape_config tls_config.
struct TlsSettings {
    QString caFile; // PEM; added to the system CAs
    QString certFile; // client certificate (PEM)
    QString keyFile; // client key (PEM, unencrypted)
    QString serverName; // name to verify instead of the URL's host
    bool insecureSkipVerify = false; // per service only; shown as a warning
};

// Credentials are never written in the fleet file: it names where they are.
struct AuthSettings {
    enum class Kind { None, Bearer, Basic };
    Kind kind = Kind::None;
    QString credentialsFile; // Bearer: token file
    QString credentialsEnv; // Bearer: environment variable holding the token
    QString credentialsKeychain; // Bearer: the desktop keychain's entry (actions only)
    QString username; // Basic
    QString passwordFile; // Basic
    QString passwordKeychain; // Basic: the keychain's entry (actions only)
};

inline constexpr qint64 kDefaultBodyLimit = 16 * 1024 * 1024;
// Bounds on one /metrics payload, with Prometheus's names. A Go service
// exports a few hundred series; 200 000 is a cardinality explosion already,
// and parsing more would cost the watcher, not the service, the memory.
inline constexpr std::size_t kDefaultSampleLimit = 200'000;
inline constexpr std::size_t kDefaultLabelValueLengthLimit = 16 * 1024;
inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{2000};

struct ServiceConfig {
    QString name;
    QUrl baseUrl;
    Tier tier = Tier::NonCore;
    std::vector<std::pair<QString, QString>> labels; // sorted by key
    std::chrono::milliseconds interval{1000};
    // /debug/vars runs ReadMemStats, which stops the world: beside /metrics
    // it is polled at this slower pace (its pause ring keeps 256 cycles, so
    // no pause is missed below ~50 GC/s). Only a service without /metrics
    // has it polled at every interval.
    std::chrono::milliseconds varsIntervalSetting{5000};
    EndpointPaths paths;
    ServiceLimits limits;
    TlsSettings tls;
    AuthSettings auth;
    std::chrono::milliseconds connectTimeout = kDefaultConnectTimeout;
    std::optional<std::chrono::milliseconds> timeout; // total; capped at 0.8 × interval
    qint64 bodyLimit = kDefaultBodyLimit; // uncompressed bytes per response
    std::size_t sampleLimit = kDefaultSampleLimit; // samples per /metrics payload
    std::size_t labelValueLengthLimit = kDefaultLabelValueLengthLimit; // bytes per label value
    QString requestCounter; // counter with a status-code label, for req_rate/err_rate
    QString latencyHistogram; // request-duration histogram, for latency_p99
    // When a finding is raised, capture its evidence (dumps, profiles) by
    // itself. Off for a service whose pprof must not be touched.
    bool autoCapture = true;
    // Link-local and cloud metadata addresses (169.254.169.254, fd00:ec2::254)
    // are refused unless this is set: they hand out the machine's credentials.
    bool allowLinkLocal = false;

    // The total time one scrape may take: the configured timeout, at most 0.8 × interval.
    std::chrono::milliseconds totalTimeout() const;
    std::chrono::milliseconds varsInterval() const { return std::max(interval, varsIntervalSetting); }
    QUrl endpointUrl(const QString &path) const;
};

// A problem in a fleet file. Either a text position (JSON syntax) or a JSON
// path ("$.services[2].url") locates it; toString() gives the full message.
struct ConfigProblem {
    QString file;
    int line = 0;
    int column = 0;
    QString jsonPath;
    bool isError = true;
    QString message;

    QString toString() const;
};

struct ActionCatalog;

// A Prometheus-compatible server that scrapes the fleet's services (the
// fleet file's "prometheus"): their past hours are read from it when they
// are first watched, so that trends and findings are there at once.
struct HistoryServer {
    QUrl url;
    std::chrono::milliseconds backfill{std::chrono::hours(2)};
};

inline constexpr std::chrono::milliseconds kMaxBackfill{std::chrono::hours(24 * 7)};

struct FleetConfig {
    std::vector<ServiceConfig> services;
    std::optional<HistoryServer> historyServer;
    std::vector<ConfigProblem> problems;
    // The file's "actions" list (actioncatalog.h), read from the same bytes;
    // set by parseFleetConfig(), its problems kept apart.
    std::shared_ptr<const ActionCatalog> actions;

    bool hasErrors() const;
};

inline constexpr std::chrono::milliseconds kMinInterval{100};
inline constexpr std::chrono::milliseconds kMaxInterval{3600 * 1000};

// Parses a fleet file: either {"services":[...]} or a Prometheus file_sd
// target list ([{"targets":[...], "labels":{...}}]). Pure: no I/O. A bad
// service entry is reported and skipped; the other services are kept.
FleetConfig parseFleetConfig(std::string_view text, const QString &sourceName);

// Reads and parses a fleet file; an unreadable file is one problem, not a throw.
FleetConfig loadFleetConfig(const QString &path);

} // namespace gotriage::config
