#include "cliutil.h"
#include "commands.h"

#include "formats/metrics.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

namespace gotriage::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson jsonValue(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    return value;
}

std::string sampleLine(const formats::ParsedMetrics &metrics, const formats::SampleRef &sample)
{
    OrderedJson labels = OrderedJson::object();
    for (const formats::LabelRef &label : metrics.labelsOf(sample))
        labels[std::string(metrics.text(label.name))] = std::string(metrics.text(label.value));
    OrderedJson line;
    line["name"] = std::string(metrics.name(sample));
    line["labels"] = std::move(labels);
    line["value"] = jsonValue(sample.value);
    if (sample.hasTimestamp)
        line["timestamp_ms"] = sample.timestampMs;
    return line.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

void printSummary(const QString &path, const formats::ParsedMetrics &metrics)
{
    std::map<std::string_view, std::size_t> byType;
    for (const formats::SampleRef &sample : metrics.samples)
        ++byType[formats::metricTypeName(metrics.typeOf(sample))];
    printOut(path.toStdString() + ": "
             + (metrics.format == formats::ExpositionFormat::OpenMetrics ? "OpenMetrics" : "Prometheus text") + ", "
             + std::to_string(metrics.samples.size()) + " samples in " + std::to_string(metrics.families.size())
             + " families");
    for (const auto &[type, count] : byType)
        printOut("  " + std::string(type) + ": " + std::to_string(count) + " samples");
}

} // namespace

int parseMetricsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Parse a /metrics payload; problems go to stderr as FILE:LINE:COL."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("payload file, or - for standard input"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("print one JSON object per sample per line")});
    parser.addOption({QStringLiteral("format"),
                      QStringLiteral("text or openmetrics (default: sniffed from the payload)"),
                      QStringLiteral("format")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;

    const QString path = parser.positionalArguments().constFirst();
    const auto payload = readInput(path);
    if (!payload)
        return kExitUsage;

    formats::ExpositionFormat format = formats::detectExpositionFormat({}, *payload);
    if (parser.isSet(QStringLiteral("format"))) {
        const QString name = parser.value(QStringLiteral("format"));
        if (name == QLatin1String("text")) {
            format = formats::ExpositionFormat::PrometheusText;
        } else if (name == QLatin1String("openmetrics")) {
            format = formats::ExpositionFormat::OpenMetrics;
        } else {
            printErr(QStringLiteral("gotriage-cli: --format takes text or openmetrics, not \"%1\"").arg(name));
            return kExitUsage;
        }
    }

    const formats::ParsedMetrics metrics = formats::parseMetrics(*payload, format);
    if (parser.isSet(QStringLiteral("json"))) {
        for (const formats::SampleRef &sample : metrics.samples)
            printOut(sampleLine(metrics, sample));
    } else {
        printSummary(path, metrics);
    }
    return printProblems(path, metrics.problems) ? kExitRejected : kExitOk;
}

} // namespace gotriage::cli
