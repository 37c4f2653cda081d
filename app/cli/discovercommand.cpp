#include "cliutil.h"
#include "commands.h"

#include "ingest/promtargets.h"
#include "ingest/requestexecutor.h"

#include <QCoreApplication>
#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace gotriage::cli {

namespace {

nlohmann::json labelsJson(const std::vector<std::pair<QString, QString>> &labels)
{
    nlohmann::json object = nlohmann::json::object();
    for (const auto &[key, value] : labels)
        object[key.toStdString()] = value.toStdString();
    return object;
}

// A fleet file gotriage --config reads: what the server scrapes, watched
// directly (the labels kept for the filter and grouping).
QByteArray fleetFile(const std::vector<config::ServiceConfig> &services)
{
    nlohmann::json list = nlohmann::json::array();
    for (const config::ServiceConfig &s : services) {
        nlohmann::json entry = {{"name", s.name.toStdString()},
                                {"url", s.baseUrl.toString().toStdString()},
                                {"labels", labelsJson(s.labels)},
                                {"interval_s", double(s.interval.count()) / 1000.0}};
        if (s.tier == config::Tier::Core)
            entry["tier"] = "core";
        if (s.paths.metrics != config::EndpointPaths().metrics)
            entry["paths"] = {{"metrics", s.paths.metrics.toStdString()}};
        list.push_back(std::move(entry));
    }
    return QByteArray::fromStdString(
        nlohmann::json{{"services", list}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

} // namespace

// The services a Prometheus-compatible server scrapes (/api/v1/targets),
// filtered by label matchers: listed, or written as a fleet file.
int discoverCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("List the targets a Prometheus-compatible server scrapes (its /api/v1/targets, Kubernetes "
                       "service discovery included) as the services gotriage would watch."));
    parser.addOption({QStringLiteral("prometheus"), QStringLiteral("the server, e.g. http://127.0.0.1:9090"),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("match"),
                      QStringLiteral("which targets, as PromQL matchers: 'job=~\"checkout.*\",env=\"prod\"'"),
                      QStringLiteral("MATCHERS")});
    parser.addOption(
        {QStringLiteral("fleet-out"), QStringLiteral("also write them as a fleet file"), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("one JSON object per service")});
    parser.addOption({QStringLiteral("timeout"), QStringLiteral("seconds the server may take (default 30)"),
                      QStringLiteral("SECONDS"), QStringLiteral("30")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    const QUrl server(parser.value(QStringLiteral("prometheus")), QUrl::StrictMode);
    bool timeoutOk = false;
    const double timeout = parser.value(QStringLiteral("timeout")).toDouble(&timeoutOk);
    if (!server.isValid() || server.host().isEmpty() || !parser.isSet(QStringLiteral("json")) || !timeoutOk
        || timeout <= 0 || timeout > 3600) {
        printErr(QStringLiteral("gotriage-cli: discover --prometheus URL [--match MATCHERS] [--fleet-out FILE] "
                                "[--timeout SECONDS] --json"));
        return kExitUsage;
    }
    QString error;
    const auto matchers = ingest::parseLabelMatchers(parser.value(QStringLiteral("match")), &error);
    if (!matchers) {
        printErr(QStringLiteral("gotriage-cli: --match: ") + error);
        return kExitUsage;
    }

    ingest::HttpRequest request;
    request.url = ingest::targetsUrl(server);
    request.origin = server;
    const auto ms = std::chrono::milliseconds(static_cast<qint64>(timeout * 1000));
    request.totalTimeout = ms;
    request.headersTimeout = ms;
    request.connectTimeout = std::min(ms, std::chrono::milliseconds(5000));
    request.bodyLimit = 256LL * 1024 * 1024; // 10 000 targets with their labels: tens of MB
    ingest::FetchResult answer;
    ingest::RequestExecutor executor;
    executor.start(std::move(request), [&answer](const ingest::FetchResult &result) {
        answer = result;
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    if (!answer.ok) {
        printErr(QStringLiteral("gotriage-cli: ") + answer.error);
        return kExitRejected;
    }
    int skipped = 0;
    const auto targets = ingest::parseTargets(answer.body, &error, &skipped);
    if (!targets) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(answer.url.toString(), error));
        return kExitRejected;
    }
    if (skipped > 0)
        printErr(QStringLiteral("gotriage-cli: %1: %2 targets without an http(s) scrape URL were left out")
                     .arg(answer.url.toString())
                     .arg(skipped));
    std::vector<ingest::PromTarget> chosen;
    for (const ingest::PromTarget &target : *targets) {
        if (ingest::matchesAll(*matchers, target))
            chosen.push_back(target);
    }
    const std::vector<config::ServiceConfig> services = ingest::servicesFromTargets(chosen);
    for (std::size_t i = 0; i < services.size(); ++i) {
        const ingest::PromTarget &t = chosen[i];
        printOut(nlohmann::json{{"service", services[i].name.toStdString()},
                                {"url", services[i].baseUrl.toString().toStdString()},
                                {"metrics_path", services[i].paths.metrics.toStdString()},
                                {"job", t.job.toStdString()},
                                {"instance", t.instance.toStdString()},
                                {"health", t.health.toStdString()},
                                {"last_error", t.lastError.toStdString()},
                                {"interval_s", double(services[i].interval.count()) / 1000.0},
                                {"labels", labelsJson(t.labels)}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    if (parser.isSet(QStringLiteral("fleet-out"))) {
        QSaveFile out(parser.value(QStringLiteral("fleet-out")));
        const QByteArray bytes = fleetFile(services);
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) {
            printErr(QStringLiteral("gotriage-cli: %1: %2").arg(out.fileName(), out.errorString()));
            return kExitUsage;
        }
    }
    printErr(QStringLiteral("%1: %2 of %3 targets").arg(server.toString()).arg(chosen.size()).arg(targets->size()));
    return kExitOk;
}

} // namespace gotriage::cli
