#pragma once

#include "signals/vital.h"

#include <QStringList>

#include <map>
#include <string>

namespace gotriage::formats {
class ParsedMetrics;
}

namespace gotriage::vitals {

// The golden-signal counters of one /metrics payload.
struct TrafficReadings {
    double requests = kUnknown; // every response the counter saw
    double errors = kUnknown; // HTTP 5xx and gRPC server-side codes; unknown without a status label
    double shed = kUnknown; // refused by a limiter: HTTP 429, gRPC RESOURCE_EXHAUSTED; unknown without a status label
    std::map<double, double> latencyBuckets; // upper bound -> cumulative count, label sets summed
    QStringList problems; // a named counter or histogram that cannot be used, and what is there instead
};

// Finds and reads a service's request counter and request-duration
// histogram. A name the fleet file gives is used as is; otherwise the first
// counter with a status label (`code`, `status`, `status_code`, `grpc_code`)
// and the first conventional histogram (`*_request_duration_seconds`,
// `grpc_server_handling_seconds`) are chosen, once, and kept. Series whose
// handler or path label names the metrics path or /debug/... are gotriage's
// own scrapes and are left out: a quiet service must not look busy because
// it is watched.
class TrafficReader
{
public:
    TrafficReader(QString namedCounter, QString namedHistogram, QString metricsPath);

    TrafficReadings read(const formats::ParsedMetrics &metrics);

    const std::string &counter() const { return m_counter; }
    const std::string &histogram() const { return m_histogram; } // without _bucket
    bool counterNamed() const { return m_counterNamed; }
    bool histogramNamed() const { return m_histogramNamed; }

    static bool isServerError(std::string_view statusLabel, std::string_view value);
    static bool isShed(std::string_view statusLabel, std::string_view value);

private:
    void detect(const formats::ParsedMetrics &metrics);

    std::string m_counter;
    std::string m_histogram;
    std::string m_bucket; // m_histogram + "_bucket"
    std::string m_metricsPath;
    bool m_counterNamed;
    bool m_histogramNamed;
    static constexpr int kRedetectEvery = 30; // scrapes between searches for what is missing
    int m_scrapesUntilDetect = 0;
};

} // namespace gotriage::vitals
