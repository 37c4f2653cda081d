#include "updatejson.h"

#include <QFile>

#include <nlohmann/json.hpp>

#include <cmath>

namespace gotriage::ingest {

namespace {

using Json = nlohmann::ordered_json;

Json orNull(const std::optional<double> &value)
{
    return value && std::isfinite(*value) ? Json(*value) : Json(nullptr);
}

// A whole number of a field that may be absent; anything else (text, 2.5,
// 1e300) reads as absent rather than as a wrapped value.
qint64 optionalInteger(const Json &object, const char *name)
{
    const auto it = object.find(name);
    if (it == object.end() || !it->is_number_integer())
        return 0;
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return 0;
    return it->get<qint64>();
}

std::optional<double> optionalNumber(const Json &object, const char *name)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_number() ? std::optional(it->get<double>()) : std::nullopt;
}

} // namespace

std::string toJsonLine(const SourceUpdate &update)
{
    const ScrapeResult &scrape = *update.scrape;
    Json vitals = Json::object();
    for (const vitals::VitalInfo &info : vitals::kVitals) {
        const double value = update.vitals[info.vital];
        vitals[std::string(info.name)] = std::isfinite(value) ? Json(value) : Json(nullptr);
    }
    Json line;
    line["service"] = scrape.service.toStdString();
    line["ts_ms"] = scrape.tsMs;
    line["up"] = scrape.up;
    line["error"] = scrape.error.isEmpty() ? Json(nullptr) : Json(scrape.error.toStdString());
    line["duration_ms"] = scrape.durationMs;
    line["bytes"] = scrape.bytes;
    line["vitals"] = std::move(vitals);
    // gc_pause (and gc_cpu without the runtime's CPU classes) come from
    // /debug/vars, read every few scrapes and carried in between: their age.
    line["vars_age_ms"] = update.vitals.varsTsMs > 0 ? Json(scrape.tsMs - update.vitals.varsTsMs) : Json(nullptr);
    line["restarted"] = update.restarted;
    const vitals::RuntimeInfo &r = update.runtime;
    Json runtime = Json::object();
    if (!r.goVersion.isEmpty())
        runtime["go_version"] = r.goVersion.toStdString();
    if (r.gomaxprocs)
        runtime["gomaxprocs"] = orNull(r.gomaxprocs);
    if (r.gogcPercent)
        runtime["gogc_percent"] = orNull(r.gogcPercent);
    if (r.gomemlimitBytes)
        runtime["gomemlimit_bytes"] = orNull(r.gomemlimitBytes);
    if (r.startTimeSeconds)
        runtime["start_time_s"] = orNull(r.startTimeSeconds);
    line["runtime"] = std::move(runtime);
    if (!scrape.problems.isEmpty()) {
        Json problems = Json::array();
        for (const QString &problem : scrape.problems)
            problems.push_back(problem.toStdString());
        line["problems"] = std::move(problems);
    }
    return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<SourceUpdate> updateFromJsonLine(std::string_view text, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<SourceUpdate> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const Json line = Json::parse(text.begin(), text.end(), nullptr, false);
    if (line.is_discarded() || !line.is_object())
        return fail(QStringLiteral("not a JSON object"));
    const auto service = line.find("service");
    const auto ts = line.find("ts_ms");
    const auto up = line.find("up");
    const auto vitalsIt = line.find("vitals");
    if (service == line.end() || !service->is_string() || service->get<std::string>().empty())
        return fail(QStringLiteral("`service` must be a non-empty string"));
    if (ts == line.end() || !ts->is_number_integer()
        || (ts->is_number_unsigned() && ts->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)))
        return fail(QStringLiteral("`ts_ms` must be an integer"));
    if (up == line.end() || !up->is_boolean())
        return fail(QStringLiteral("`up` must be true or false"));
    if (vitalsIt == line.end() || !vitalsIt->is_object())
        return fail(QStringLiteral("`vitals` must be an object"));

    auto scrape = std::make_shared<ScrapeResult>();
    scrape->service = QString::fromStdString(service->get<std::string>());
    scrape->tsMs = ts->get<qint64>();
    scrape->up = up->get<bool>();
    if (const auto e = line.find("error"); e != line.end() && e->is_string())
        scrape->error = QString::fromStdString(e->get<std::string>());
    scrape->durationMs = optionalInteger(line, "duration_ms");
    scrape->bytes = optionalInteger(line, "bytes");
    if (const auto p = line.find("problems"); p != line.end() && p->is_array()) {
        for (const Json &problem : *p) {
            if (problem.is_string())
                scrape->problems << QString::fromStdString(problem.get<std::string>());
        }
    }

    SourceUpdate update;
    update.vitals.tsMs = scrape->tsMs;
    for (const auto &[name, value] : vitalsIt->items()) {
        const auto vital = vitals::vitalFromName(name);
        if (!vital)
            continue; // a vital a newer gotriage wrote: not ours to guess
        if (value.is_number())
            update.vitals[*vital] = value.get<double>();
        else if (!value.is_null())
            return fail(QStringLiteral("vital `%1` must be a number or null").arg(QString::fromStdString(name)));
    }
    if (const qint64 age = optionalInteger(line, "vars_age_ms"); age > 0 && age <= scrape->tsMs)
        update.vitals.varsTsMs = scrape->tsMs - age;
    if (const auto r = line.find("restarted"); r != line.end() && r->is_boolean())
        update.restarted = r->get<bool>();
    if (const auto r = line.find("runtime"); r != line.end() && r->is_object()) {
        if (const auto v = r->find("go_version"); v != r->end() && v->is_string())
            update.runtime.goVersion = QString::fromStdString(v->get<std::string>());
        update.runtime.gomaxprocs = optionalNumber(*r, "gomaxprocs");
        update.runtime.gogcPercent = optionalNumber(*r, "gogc_percent");
        update.runtime.gomemlimitBytes = optionalNumber(*r, "gomemlimit_bytes");
        update.runtime.startTimeSeconds = optionalNumber(*r, "start_time_s");
    }
    update.health.up = scrape->up;
    update.health.lastError = scrape->error;
    update.scrape = std::move(scrape);
    return update;
}

std::optional<UpdateLog> readUpdateLog(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    UpdateLog log;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        QString why;
        auto update
            = updateFromJsonLine(std::string_view(line.constData(), static_cast<std::size_t>(line.size())), &why);
        if (update)
            log.updates.push_back(std::move(*update));
        else
            log.problems << QStringLiteral("%1:%2: %3").arg(path).arg(lineNumber).arg(why);
    }
    return log;
}

} // namespace gotriage::ingest
