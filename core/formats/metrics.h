#pragma once

#include "parseproblem.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::formats {

enum class ExpositionFormat : std::uint8_t {
    PrometheusText, // text/plain; version=0.0.4
    OpenMetrics, // application/openmetrics-text; version=0.0.1 or 1.0.0
};

enum class MetricType : std::uint8_t {
    Unknown, // "untyped" in the text format, "unknown" in OpenMetrics
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    StateSet,
    Info,
};

std::string_view metricTypeName(MetricType type);

// A slice of ParsedMetrics' text store. Offsets rather than pointers keep the
// result cheap to move and free of dangling views.
struct TextRef {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
};

struct LabelRef {
    TextRef name;
    TextRef value; // unescaped; `le` and `quantile` normalised (see gofloat.h)
};

inline constexpr std::uint32_t kNoFamily = UINT32_MAX;

struct SampleRef {
    TextRef name;
    std::uint32_t firstLabel = 0;
    std::uint32_t labelCount = 0;
    double value = 0;
    std::int64_t timestampMs = 0; // valid when hasTimestamp
    bool hasTimestamp = false;
    std::uint32_t family = kNoFamily; // index into families(), when declared
    std::uint32_t line = 0;
};

struct FamilyRef {
    TextRef name;
    MetricType type = MetricType::Unknown;
    TextRef help;
    TextRef unit;
};

// Bounds on one payload, as Prometheus's sample_limit and
// label_value_length_limit; 0 means none. Past a bound the parse stops: a
// payload that large is a bug in the exporter, and the watcher must not pay
// for it in memory.
struct MetricsLimits {
    std::size_t maxSamples = 0;
    std::size_t maxLabelValueBytes = 0;
};

// The parsed form of one /metrics payload: an immutable value once returned.
// It owns a copy of the payload plus the unescaped strings, and every TextRef
// points into that store, so a parse costs a handful of allocations whatever
// the number of samples.
class ParsedMetrics
{
public:
    ExpositionFormat format = ExpositionFormat::PrometheusText;
    std::vector<SampleRef> samples;
    std::vector<LabelRef> labels;
    std::vector<FamilyRef> families;
    ProblemList problems;
    // Where the parse stopped at a MetricsLimits bound, and why; what was
    // read before it is kept, but the payload as a whole is not usable.
    std::optional<ParseProblem> limitExceeded;
    bool sawEof = false;

    std::string_view text(TextRef ref) const { return {m_text.data() + ref.offset, ref.size}; }
    std::string_view name(const SampleRef &sample) const { return text(sample.name); }
    std::span<const LabelRef> labelsOf(const SampleRef &sample) const
    {
        return {labels.data() + sample.firstLabel, sample.labelCount};
    }
    // The value of label `labelName` on `sample`, or an empty view.
    std::string_view label(const SampleRef &sample, std::string_view labelName) const;
    MetricType typeOf(const SampleRef &sample) const
    {
        return sample.family == kNoFamily ? MetricType::Unknown : families[sample.family].type;
    }

private:
    friend class MetricsParser;
    std::string m_text;
};

// Parses a payload in the given format. Never throws on bad input: a bad line
// is skipped and reported in problems, the rest is kept.
ParsedMetrics parseMetrics(std::string_view payload, ExpositionFormat format, const MetricsLimits &limits = {});

// Picks the format from a Content-Type header; when the header is empty or
// names neither format, sniffs the payload (an OpenMetrics payload ends with
// "# EOF" or declares a "# UNIT").
ExpositionFormat detectExpositionFormat(std::string_view contentType, std::string_view payload);

// The Accept header gotriage sends: OpenMetrics first, text as the fallback.
inline constexpr std::string_view kMetricsAcceptHeader = "application/openmetrics-text;version=1.0.0;q=0.6,"
                                                         "application/openmetrics-text;version=0.0.1;q=0.5,"
                                                         "text/plain;version=0.0.4;q=0.3,*/*;q=0.1";

} // namespace gotriage::formats
