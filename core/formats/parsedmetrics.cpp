#include "metrics.h"

namespace gotriage::formats {

std::string_view ParsedMetrics::label(const SampleRef &sample, std::string_view labelName) const
{
    for (const LabelRef &label : labelsOf(sample)) {
        if (text(label.name) == labelName)
            return text(label.value);
    }
    return {};
}

std::string_view metricTypeName(MetricType type)
{
    switch (type) {
    case MetricType::Unknown:
        return "unknown";
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    case MetricType::GaugeHistogram:
        return "gaugehistogram";
    case MetricType::Summary:
        return "summary";
    case MetricType::StateSet:
        return "stateset";
    case MetricType::Info:
        return "info";
    }
    return "unknown";
}

} // namespace gotriage::formats
