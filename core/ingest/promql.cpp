#include "promql.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

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

QUrl queryRangeUrl(const QUrl &server, const QString &promql, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    QUrl url = server;
    QString path = url.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    url.setPath(path + QStringLiteral("api/v1/query_range"));
    // Encoded by hand: a PromQL query holds '+', '&' and '=' that a query
    // string must not read as its own.
    const auto seconds = [](qint64 ms) { return QByteArray::number(double(ms) / 1000.0, 'f', 3); };
    url.setQuery(QString::fromLatin1("query=" + QUrl::toPercentEncoding(promql) + "&start=" + seconds(fromMs)
                                     + "&end=" + seconds(toMs) + "&step=" + seconds(stepMs)),
                 QUrl::StrictMode);
    return url;
}

std::optional<std::vector<PromSeries>> parseQueryRange(const QByteArray &body, QString *error)
{
    const auto fail = [error](const QString &why) -> std::optional<std::vector<PromSeries>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const nlohmann::json json = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return fail(QStringLiteral("not the JSON of Prometheus' HTTP API (it begins \"%1\")")
                        .arg(QString::fromUtf8(body.left(60)).simplified()));
    const auto text = [](const nlohmann::json &j, const char *key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
    };
    if (text(json, "status") != QLatin1String("success"))
        return fail(QStringLiteral("the server says: %1 (%2)").arg(text(json, "error"), text(json, "errorType")));
    const auto data = json.find("data");
    if (data == json.end() || !data->is_object() || text(*data, "resultType") != QLatin1String("matrix"))
        return fail(QStringLiteral("the answer holds no range of values (resultType \"%1\")")
                        .arg(data != json.end() && data->is_object() ? text(*data, "resultType") : QString()));
    const auto result = data->find("result");
    if (result == data->end() || !result->is_array())
        return fail(QStringLiteral("the answer has no result list"));
    std::vector<PromSeries> out;
    out.reserve(result->size());
    for (const nlohmann::json &series : *result) {
        const auto metric = series.find("metric");
        const auto values = series.find("values");
        if (!series.is_object() || metric == series.end() || !metric->is_object() || values == series.end()
            || !values->is_array())
            return fail(QStringLiteral("a series without its labels or values"));
        PromSeries s;
        for (const auto &[key, value] : metric->items()) {
            if (value.is_string())
                s.labels.emplace(QString::fromStdString(key), QString::fromStdString(value.get<std::string>()));
        }
        s.points.reserve(values->size());
        for (const nlohmann::json &point : *values) {
            // [seconds as a number, value as a string]
            if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_string())
                return fail(QStringLiteral("a point that is not [time, \"value\"]"));
            const std::string v = point[1].get<std::string>();
            double value = std::numeric_limits<double>::quiet_NaN();
            if (v == "+Inf")
                value = std::numeric_limits<double>::infinity();
            else if (v == "-Inf")
                value = -std::numeric_limits<double>::infinity();
            else if (v != "NaN") {
                bool ok = false;
                value = QByteArray::fromStdString(v).toDouble(&ok);
                if (!ok)
                    return fail(QStringLiteral("a value \"%1\" that is not a number").arg(QString::fromStdString(v)));
            }
            s.points.emplace_back(std::llround(point[0].get<double>() * 1000.0), value);
        }
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace gotriage::ingest
