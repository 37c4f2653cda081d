#include "trafficreader.h"

#include "formats/gofloat.h"
#include "formats/metrics.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace gotriage::vitals {

namespace {

constexpr std::array<std::string_view, 4> kStatusLabels = {"code", "status", "status_code", "grpc_code"};
constexpr std::array<std::string_view, 6> kRouteLabels = {"handler", "path", "route", "endpoint", "url", "uri"};
// gRPC codes that mean the server failed, as opposed to the caller
// (NotFound, InvalidArgument, PermissionDenied ... are the client's 4xx).
constexpr std::array<std::string_view, 6> kGrpcServerErrors
    = {"Unknown", "DeadlineExceeded", "Unimplemented", "Internal", "Unavailable", "DataLoss"};
constexpr std::string_view kOwnScrapeCounter = "promhttp_metric_handler_requests_total";
constexpr std::size_t kMaxAlternatives = 4;

bool isStatusLabel(std::string_view name)
{
    return std::find(kStatusLabels.begin(), kStatusLabels.end(), name) != kStatusLabels.end();
}

std::string_view statusLabelOf(const formats::ParsedMetrics &m, const formats::SampleRef &s, std::string_view *value)
{
    for (const formats::LabelRef &label : m.labelsOf(s)) {
        const std::string_view name = m.text(label.name);
        if (isStatusLabel(name)) {
            *value = m.text(label.value);
            return name;
        }
    }
    return {};
}

bool isOwnScrape(const formats::ParsedMetrics &m, const formats::SampleRef &s, std::string_view metricsPath)
{
    for (const formats::LabelRef &label : m.labelsOf(s)) {
        if (std::find(kRouteLabels.begin(), kRouteLabels.end(), m.text(label.name)) == kRouteLabels.end())
            continue;
        const std::string_view value = m.text(label.value);
        if (value == metricsPath || value.starts_with("/debug/"))
            return true;
    }
    return false;
}

bool isConventionalHistogram(std::string_view family)
{
    return family.ends_with("_request_duration_seconds") || family == "grpc_server_handling_seconds";
}

// A counter that looks like requests ranks above any counter with a code.
int counterRank(std::string_view name)
{
    return name.ends_with("requests_total") || name == "grpc_server_handled_total" ? 0 : 1;
}

QString quoted(std::string_view name)
{
    return QStringLiteral("`%1`").arg(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())));
}

void appendUnique(QStringList &list, std::string_view name)
{
    const QString q = quoted(name);
    if (list.size() < static_cast<qsizetype>(kMaxAlternatives) && !list.contains(q))
        list << q;
}

} // namespace

TrafficReader::TrafficReader(QString namedCounter, QString namedHistogram, QString metricsPath)
    : m_counter(namedCounter.toStdString())
    , m_histogram(namedHistogram.toStdString())
    , m_metricsPath(metricsPath.isEmpty() ? std::string("/metrics") : metricsPath.toStdString())
    , m_counterNamed(!namedCounter.isEmpty())
    , m_histogramNamed(!namedHistogram.isEmpty())
{
    if (!m_histogram.empty())
        m_bucket = m_histogram + "_bucket";
}

bool TrafficReader::isShed(std::string_view statusLabel, std::string_view value)
{
    return statusLabel == "grpc_code" ? value == "RESOURCE_EXHAUSTED" || value == "8" : value == "429";
}

bool TrafficReader::isServerError(std::string_view statusLabel, std::string_view value)
{
    if (statusLabel == "grpc_code")
        return std::find(kGrpcServerErrors.begin(), kGrpcServerErrors.end(), value) != kGrpcServerErrors.end();
    return value.starts_with('5');
}

void TrafficReader::detect(const formats::ParsedMetrics &m)
{
    int bestRank = 2;
    for (const formats::SampleRef &s : m.samples) {
        const std::string_view name = m.name(s);
        const formats::MetricType type = m.typeOf(s);
        if (m_counter.empty() && type == formats::MetricType::Counter && name != kOwnScrapeCounter
            && counterRank(name) < bestRank) {
            std::string_view value;
            if (!statusLabelOf(m, s, &value).empty()) {
                m_counter = name;
                bestRank = counterRank(name);
            }
        }
        if (m_histogram.empty() && type == formats::MetricType::Histogram && name.ends_with("_bucket")) {
            const std::string_view family = m.text(m.families[s.family].name);
            if (isConventionalHistogram(family)) {
                m_histogram = family;
                m_bucket = m_histogram + "_bucket";
            }
        }
    }
}

TrafficReadings TrafficReader::read(const formats::ParsedMetrics &m)
{
    // What a service lacks is looked for again now and then, not on every
    // scrape: client libraries register a labelled family only once it has
    // seen its first request, so it may well appear later.
    if ((m_counter.empty() || m_histogram.empty()) && m_scrapesUntilDetect-- <= 0) {
        detect(m);
        m_scrapesUntilDetect = kRedetectEvery;
    }

    TrafficReadings r;
    bool sawCounter = false, sawBucket = false, counterHasStatus = false;
    QStringList counterLabels;
    for (const formats::SampleRef &s : m.samples) {
        const std::string_view name = m.name(s);
        if (!m_bucket.empty() && name == m_bucket) {
            sawBucket = true;
            if (isOwnScrape(m, s, m_metricsPath))
                continue;
            if (const auto le = formats::parseGoFloat(m.label(s, "le")))
                r.latencyBuckets[*le] += s.value;
            continue;
        }
        if (m_counter.empty() || name != m_counter)
            continue;
        sawCounter = true;
        // Own scrapes count for nothing, but they show the counter is there:
        // a server that only gotriage talks to serves 0 requests/s, not "—".
        const double count = isOwnScrape(m, s, m_metricsPath) ? 0.0 : s.value;
        r.requests = (isKnown(r.requests) ? r.requests : 0.0) + count;
        std::string_view value;
        const std::string_view status = statusLabelOf(m, s, &value);
        if (status.empty()) {
            for (const formats::LabelRef &label : m.labelsOf(s))
                appendUnique(counterLabels, m.text(label.name));
            continue;
        }
        counterHasStatus = true;
        r.errors = (isKnown(r.errors) ? r.errors : 0.0) + (isServerError(status, value) ? count : 0.0);
        r.shed = (isKnown(r.shed) ? r.shed : 0.0) + (isShed(status, value) ? count : 0.0);
    }
    if (!counterHasStatus) {
        r.errors = kUnknown; // a counter without a status label says nothing about errors
        r.shed = kUnknown;
    }

    if (m_counterNamed && !sawCounter) {
        QStringList others;
        for (const formats::SampleRef &s : m.samples) {
            std::string_view value;
            if (m.typeOf(s) == formats::MetricType::Counter && m.name(s) != kOwnScrapeCounter
                && !statusLabelOf(m, s, &value).empty())
                appendUnique(others, m.name(s));
        }
        r.problems << QStringLiteral("request_counter %1 is not in the metrics; %2")
                          .arg(quoted(m_counter),
                               others.isEmpty() ? QStringLiteral("no counter there has a status label (code, status, "
                                                                 "status_code or grpc_code)")
                                                : QStringLiteral("counters with a status label there: %1")
                                                      .arg(others.join(QStringLiteral(", "))));
    } else if (m_counterNamed && sawCounter && !counterHasStatus) {
        r.problems << QStringLiteral("request_counter %1 has no status label (code, status, status_code or "
                                     "grpc_code), so its errors cannot be counted; its labels: %2")
                          .arg(quoted(m_counter),
                               counterLabels.isEmpty() ? QStringLiteral("none")
                                                       : counterLabels.join(QStringLiteral(", ")));
    }
    if (m_histogramNamed && !sawBucket) {
        QStringList others;
        for (const formats::FamilyRef &family : m.families) {
            if (family.type == formats::MetricType::Histogram)
                appendUnique(others, m.text(family.name));
        }
        r.problems << QStringLiteral("latency_histogram %1 is not in the metrics; %2")
                          .arg(quoted(m_histogram),
                               others.isEmpty()
                                   ? QStringLiteral("there is no histogram there")
                                   : QStringLiteral("histograms there: %1").arg(others.join(QStringLiteral(", "))));
    }
    return r;
}

} // namespace gotriage::vitals
