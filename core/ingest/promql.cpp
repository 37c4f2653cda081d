#include "promql.h"

#include "ingest/promapi.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <string_view>

namespace gotriage::ingest {

namespace {

// `{a="b",selector}`: matchers joined, none empty.
QString matchers(const QString &own, const QString &selector)
{
    QStringList parts;
    if (!own.isEmpty())
        parts << own;
    if (!selector.trimmed().isEmpty())
        parts << selector.trimmed();
    return u'{' + parts.join(u',') + u'}';
}

} // namespace

std::vector<PromVitalQuery> prometheusVitalQueries(const QString &selector, const QString &window)
{
    const auto m = [&selector](const QString &own = {}) { return matchers(own, selector); };
    const auto rate = [&](const QString &metric, const QString &own = {}) {
        return QStringLiteral("rate(%1%2[%3])").arg(metric, m(own), window);
    };
    // The request counters a Go service names *_requests_total, less the one
    // promhttp keeps of its own scrapes; summed per target.
    const QString requests
        = QStringLiteral("__name__=~\".+_requests_total\",__name__!=\"promhttp_metric_handler_requests_total\"");
    const auto perTarget = [](const QString &expr) { return QStringLiteral("sum by (job, instance) (%1)").arg(expr); };
    const auto name = [](vitals::Vital v) { return QString::fromLatin1(vitals::vitalName(v)); };
    using vitals::Vital;
    return {
        {QStringLiteral("scrape_up"), QStringLiteral("up%1").arg(m())},
        {QStringLiteral("scrape_ms"), QStringLiteral("scrape_duration_seconds%1 * 1000").arg(m())},
        {name(Vital::Cpu), rate(QStringLiteral("process_cpu_seconds_total"))},
        {name(Vital::Rss), QStringLiteral("process_resident_memory_bytes") + m()},
        {name(Vital::HeapInuse), QStringLiteral("go_memstats_heap_inuse_bytes") + m()},
        {name(Vital::HeapGoal), QStringLiteral("go_memstats_next_gc_bytes") + m()},
        {name(Vital::AllocRate), rate(QStringLiteral("go_memstats_alloc_bytes_total"))},
        {name(Vital::GcRate), rate(QStringLiteral("go_gc_duration_seconds_count"))},
        {name(Vital::Goroutines), QStringLiteral("go_goroutines") + m()},
        {name(Vital::Threads), QStringLiteral("go_threads") + m()},
        {name(Vital::Fds), QStringLiteral("process_open_fds") + m()},
        {name(Vital::FdsMax), QStringLiteral("process_max_fds") + m()},
        {name(Vital::ReqRate), perTarget(rate({}, requests))},
        {name(Vital::ErrRate), perTarget(rate({}, requests + QStringLiteral(",code=~\"5..\"")))},
        {name(Vital::ShedRate), perTarget(rate({}, requests + QStringLiteral(",code=\"429\"")))},
        {name(Vital::LatencyP99),
         QStringLiteral("histogram_quantile(0.99, sum by (job, instance, le) (%1))")
             .arg(rate({}, QStringLiteral("__name__=~\".+_request_duration_seconds_bucket\"")))},
        {name(Vital::GcCpu), QStringLiteral("go_memstats_gc_cpu_fraction") + m()},
        {name(Vital::GcPauseMean),
         QStringLiteral("%1 / %2").arg(rate(QStringLiteral("go_gc_duration_seconds_sum")),
                                       rate(QStringLiteral("go_gc_duration_seconds_count")))},
        {name(Vital::GcPauseRecentMax), QStringLiteral("go_gc_duration_seconds") + m(QStringLiteral("quantile=\"1\""))},
    };
}

namespace {

// A PromQL query in a query string, encoded by hand: it holds '+', '&' and
// '=' that the query string must not read as its own.
QUrl queryUrl(const QUrl &server, const QString &endpoint, const QString &promql, const QByteArray &rest)
{
    QUrl url = promapi::endpointUrl(server, endpoint);
    url.setQuery(QString::fromLatin1("query=" + QUrl::toPercentEncoding(promql) + rest), QUrl::StrictMode);
    return url;
}

QByteArray seconds(qint64 ms)
{
    return QByteArray::number(double(ms) / 1000.0, 'f', 3);
}

// One [seconds, "value"] pair; "NaN" and "±Inf" kept as such.
bool readPoint(const nlohmann::json &point, std::pair<qint64, double> *out, QString *error)
{
    if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_string()) {
        *error = QStringLiteral("a point that is not [time, \"value\"]");
        return false;
    }
    const std::string v = point[1].get<std::string>();
    double value = std::numeric_limits<double>::quiet_NaN();
    if (v == "+Inf")
        value = std::numeric_limits<double>::infinity();
    else if (v == "-Inf")
        value = -std::numeric_limits<double>::infinity();
    else if (v != "NaN") {
        bool ok = false;
        value = QByteArray::fromStdString(v).toDouble(&ok);
        if (!ok) {
            *error = QStringLiteral("a value \"%1\" that is not a number").arg(QString::fromStdString(v));
            return false;
        }
    }
    *out = {std::llround(point[0].get<double>() * 1000.0), value};
    return true;
}

// The series of a query's answer: `matrix` (values: a list of points) or
// `vector` (value: one point).
std::optional<std::vector<PromSeries>> parseResult(const QByteArray &body, const char *resultType, QString *error)
{
    const auto fail = [error](const QString &why) -> std::optional<std::vector<PromSeries>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const nlohmann::json json = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    QString why;
    const nlohmann::json *data = promapi::dataOf(json, body, &why);
    if (!data)
        return fail(why);
    if (promapi::text(*data, "resultType") != QLatin1String(resultType))
        return fail(QStringLiteral("the answer holds no %1 of values (resultType \"%2\")")
                        .arg(QLatin1String(resultType), promapi::text(*data, "resultType")));
    const auto result = data->find("result");
    if (result == data->end() || !result->is_array())
        return fail(QStringLiteral("the answer has no result list"));
    const bool matrix = std::string_view(resultType) == "matrix";
    std::vector<PromSeries> out;
    out.reserve(result->size());
    for (const nlohmann::json &series : *result) {
        const auto metric = series.is_object() ? series.find("metric") : series.end();
        const auto values = series.is_object() ? series.find(matrix ? "values" : "value") : series.end();
        if (!series.is_object() || metric == series.end() || !metric->is_object() || values == series.end()
            || (matrix && !values->is_array()))
            return fail(QStringLiteral("a series without its labels or values"));
        PromSeries s;
        for (const auto &[key, value] : metric->items()) {
            if (value.is_string())
                s.labels.emplace(QString::fromStdString(key), QString::fromStdString(value.get<std::string>()));
        }
        std::pair<qint64, double> point;
        if (!matrix) {
            if (!readPoint(*values, &point, &why))
                return fail(why);
            s.points.push_back(point);
        } else {
            s.points.reserve(values->size());
            for (const nlohmann::json &each : *values) {
                if (!readPoint(each, &point, &why))
                    return fail(why);
                s.points.push_back(point);
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace

QUrl queryRangeUrl(const QUrl &server, const QString &promql, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    return queryUrl(server, QStringLiteral("query_range"), promql,
                    "&start=" + seconds(fromMs) + "&end=" + seconds(toMs) + "&step=" + seconds(stepMs));
}

QUrl instantQueryUrl(const QUrl &server, const QString &promql, qint64 atMs)
{
    return queryUrl(server, QStringLiteral("query"), promql, "&time=" + seconds(atMs));
}

std::optional<std::vector<PromSeries>> parseQueryRange(const QByteArray &body, QString *error)
{
    return parseResult(body, "matrix", error);
}

std::optional<std::vector<PromSeries>> parseInstantQuery(const QByteArray &body, QString *error)
{
    return parseResult(body, "vector", error);
}

} // namespace gotriage::ingest
