#include "metrics.h"

#include <algorithm>
#include <cctype>

namespace gotriage::formats {

namespace {

bool containsIgnoreCase(std::string_view haystack, std::string_view needle)
{
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    return it != haystack.end();
}

} // namespace

ExpositionFormat detectExpositionFormat(std::string_view contentType, std::string_view payload)
{
    if (containsIgnoreCase(contentType, "application/openmetrics-text"))
        return ExpositionFormat::OpenMetrics;
    if (containsIgnoreCase(contentType, "text/plain"))
        return ExpositionFormat::PrometheusText;

    // No usable header (a file on disk, a proxy that rewrote it): sniff.
    std::string_view trimmed = payload;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
        trimmed.remove_suffix(1);
    const std::size_t lastLineStart = trimmed.rfind('\n');
    const std::string_view lastLine
        = lastLineStart == std::string_view::npos ? trimmed : trimmed.substr(lastLineStart + 1);
    if (lastLine == "# EOF")
        return ExpositionFormat::OpenMetrics;
    if (payload.starts_with("# UNIT ") || payload.find("\n# UNIT ") != std::string_view::npos)
        return ExpositionFormat::OpenMetrics;
    return ExpositionFormat::PrometheusText;
}

} // namespace gotriage::formats
