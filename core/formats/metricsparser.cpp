#include "metrics.h"

#include "gofloat.h"
#include "utf8.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

namespace gotriage::formats {

namespace {

constexpr std::array<std::uint8_t, 256> makeCharClasses()
{
    std::array<std::uint8_t, 256> table{};
    for (int c = 0; c < 256; ++c) {
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        std::uint8_t bits = 0;
        if (alpha)
            bits |= 1U; // label name start
        if (alpha || digit)
            bits |= 2U; // label name char
        if (alpha || c == ':')
            bits |= 4U; // metric name start
        if (alpha || digit || c == ':')
            bits |= 8U; // metric name char
        table[static_cast<std::size_t>(c)] = bits;
    }
    return table;
}
constexpr auto kCharClasses = makeCharClasses();

inline bool hasClass(char c, std::uint8_t bit)
{
    return (kCharClasses[static_cast<unsigned char>(c)] & bit) != 0;
}
inline bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

inline std::uint64_t mix(std::uint64_t h)
{
    // splitmix64 finaliser: spreads std::hash output before the order-free sum.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

std::optional<MetricType> typeFromWord(std::string_view word, ExpositionFormat format)
{
    if (word == "counter")
        return MetricType::Counter;
    if (word == "gauge")
        return MetricType::Gauge;
    if (word == "histogram")
        return MetricType::Histogram;
    if (word == "summary")
        return MetricType::Summary;
    if (format == ExpositionFormat::PrometheusText) {
        if (word == "untyped")
            return MetricType::Unknown;
        return std::nullopt;
    }
    if (word == "unknown")
        return MetricType::Unknown;
    if (word == "gaugehistogram")
        return MetricType::GaugeHistogram;
    if (word == "stateset")
        return MetricType::StateSet;
    if (word == "info")
        return MetricType::Info;
    return std::nullopt;
}

bool belongsToFamily(std::string_view sample, std::string_view family)
{
    if (sample.size() < family.size() || sample.compare(0, family.size(), family) != 0)
        return false;
    const std::string_view suffix = sample.substr(family.size());
    static constexpr std::string_view kSuffixes[]
        = {"", "_total", "_created", "_bucket", "_sum", "_count", "_gcount", "_gsum", "_info"};
    return std::find(std::begin(kSuffixes), std::end(kSuffixes), suffix) != std::end(kSuffixes);
}

// Where a line went wrong: the column (0-based in the line) and why.
struct LineError {
    std::size_t column = 0;
    std::string message;
};

} // namespace

// Line-at-a-time parser. Views point into the caller's payload while parsing;
// the TextRefs it stores are offsets that stay valid in out.m_text, which
// starts as a copy of the payload and grows with unescaped strings.
class MetricsParser
{
public:
    MetricsParser(std::string_view payload, ExpositionFormat format, const MetricsLimits &limits, ParsedMetrics &out)
        : m_payload(payload), m_format(format), m_limits(limits), m_out(out)
    { }

    void run();

private:
    void parseComment(std::string_view line, std::uint32_t lineNo);
    std::optional<LineError> parseSample(std::string_view line, std::uint32_t lineNo);
    std::optional<LineError> parseLabels(std::string_view line, std::size_t &i, SampleRef &sample);
    void checkDuplicate(const SampleRef &sample, std::uint32_t lineNo);
    std::uint32_t familyFor(std::string_view name);

    TextRef refOf(std::string_view inPayload) const
    {
        return {static_cast<std::uint32_t>(inPayload.data() - m_payload.data()),
                static_cast<std::uint32_t>(inPayload.size())};
    }
    TextRef store(std::string_view text)
    {
        const TextRef ref{static_cast<std::uint32_t>(m_out.m_text.size()), static_cast<std::uint32_t>(text.size())};
        m_out.m_text.append(text);
        return ref;
    }
    std::string_view view(TextRef ref) const { return m_out.text(ref); }

    std::string_view m_payload;
    ExpositionFormat m_format;
    MetricsLimits m_limits;
    ParsedMetrics &m_out;
    std::uint32_t m_currentFamily = kNoFamily;
    std::uint32_t m_eofLine = 0;
    std::string m_scratch;
    // Open-addressing set of series hashes (0 = empty) for duplicate detection.
    std::vector<std::uint64_t> m_seriesHashes;
    std::vector<std::uint32_t> m_seriesSample;
    // The last text hashed at one place of a series (its name, its first
    // label's name...), kept as a copy: m_out.m_text may move as it grows.
    struct RememberedHash {
        char text[48];
        std::size_t size = SIZE_MAX;
        std::uint64_t hash = 0;
        std::uint64_t of(std::string_view s)
        {
            if (s.size() == size && std::memcmp(s.data(), text, size) == 0)
                return hash;
            hash = std::hash<std::string_view>()(s);
            size = s.size() <= sizeof text ? s.size() : SIZE_MAX;
            if (size != SIZE_MAX)
                std::memcpy(text, s.data(), size);
            return hash;
        }
    };
    std::array<RememberedHash, 8> m_hashes{};
    // le and quantile values already made canonical, by a hash of how they were written.
    struct CanonicalBound {
        char raw[32];
        char canonical[32];
        std::uint8_t rawLength = 0;
        std::uint8_t canonicalLength = 0;
        bool valid = false;
    };
    std::array<CanonicalBound, 64> m_bounds{};
};

void MetricsParser::run()
{
    // Offsets are 32-bit; the scrape body limit is far below this.
    if (m_payload.size() > UINT32_MAX / 2) {
        m_out.problems.error(0, 0, "payload larger than 2 GiB");
        return;
    }
    m_out.m_text.reserve(m_payload.size() + m_payload.size() / 8 + 64);
    m_out.m_text.assign(m_payload);
    std::size_t estimatedSamples = m_payload.size() / 48 + 16;
    if (m_limits.maxSamples > 0)
        estimatedSamples = std::min(estimatedSamples, m_limits.maxSamples + 1);
    m_out.samples.reserve(estimatedSamples);
    m_out.labels.reserve(estimatedSamples);
    std::size_t tableSize = 64;
    while (tableSize < estimatedSamples * 2)
        tableSize *= 2;
    m_seriesHashes.assign(tableSize, 0);
    m_seriesSample.assign(tableSize, 0);

    const char *p = m_payload.data();
    const char *const end = p + m_payload.size();
    std::uint32_t lineNo = 0;
    bool sawCr = false;
    while (p < end) {
        ++lineNo;
        const char *newline = static_cast<const char *>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const char *lineEnd = newline ? newline : end;
        std::string_view line(p, static_cast<std::size_t>(lineEnd - p));
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
            if (!sawCr) {
                m_out.problems.warning(lineNo, static_cast<std::uint32_t>(line.size() + 1),
                                       "CRLF line ending (the format uses LF; tolerated)");
                sawCr = true;
            }
        }
        if (!newline && !line.empty())
            m_out.problems.warning(lineNo, static_cast<std::uint32_t>(line.size() + 1),
                                   "last line has no newline (truncated payload?)");
        p = newline ? newline + 1 : end;

        if (m_eofLine != 0) {
            if (line.empty())
                continue;
            // Keep what follows an early "# EOF" (nothing good is thrown away)
            // but report it once: OpenMetrics consumers would drop it.
            if (m_eofLine != UINT32_MAX) {
                m_out.problems.error(m_eofLine, 1, "\"# EOF\" before the end of the payload; content follows it");
                m_eofLine = UINT32_MAX;
            }
        }
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            parseComment(line, lineNo);
            continue;
        }
        if (auto error = parseSample(line, lineNo))
            m_out.problems.error(lineNo, static_cast<std::uint32_t>(error->column + 1), std::move(error->message));
        if (m_out.limitExceeded)
            return; // the rest is not read: its size is the problem
    }
    if (m_format == ExpositionFormat::OpenMetrics && !m_out.sawEof)
        m_out.problems.warning(lineNo + 1, 0, "missing \"# EOF\" (truncated OpenMetrics payload?)");
    if (m_payload.empty())
        m_out.problems.warning(0, 0, "empty payload");
}

void MetricsParser::parseComment(std::string_view line, std::uint32_t lineNo)
{
    if (line == "# EOF") {
        if (m_format == ExpositionFormat::OpenMetrics) {
            m_out.sawEof = true;
            if (m_eofLine == 0)
                m_eofLine = lineNo;
        }
        return;
    }
    // "# KEYWORD name rest"; anything else after '#' is a plain comment.
    if (line.size() < 2 || line[1] != ' ')
        return;
    std::string_view rest = line.substr(2);
    const std::size_t keywordEnd = rest.find(' ');
    if (keywordEnd == std::string_view::npos)
        return;
    const std::string_view keyword = rest.substr(0, keywordEnd);
    const bool isHelp = keyword == "HELP";
    const bool isType = keyword == "TYPE";
    const bool isUnit = keyword == "UNIT" && m_format == ExpositionFormat::OpenMetrics;
    if (!isHelp && !isType && !isUnit)
        return;

    std::size_t i = 2 + keywordEnd + 1;
    while (i < line.size() && isBlank(line[i]))
        ++i;
    const std::size_t nameStart = i;
    if (i >= line.size() || !hasClass(line[i], 4)) {
        m_out.problems.error(lineNo, static_cast<std::uint32_t>(i + 1),
                             "expected a metric name after # " + std::string(keyword));
        return;
    }
    while (i < line.size() && hasClass(line[i], 8))
        ++i;
    const std::string_view name = line.substr(nameStart, i - nameStart);
    if (i < line.size() && !isBlank(line[i])) {
        m_out.problems.error(lineNo, static_cast<std::uint32_t>(i + 1), "invalid character in metric name");
        return;
    }
    std::string_view value;
    if (i < line.size())
        value = line.substr(i + 1);

    if (isType) {
        while (!value.empty() && isBlank(value.back()))
            value.remove_suffix(1);
        const auto type = typeFromWord(value, m_format);
        if (!type) {
            m_out.problems.error(lineNo, static_cast<std::uint32_t>(i + 2),
                                 "unknown metric type \"" + std::string(value) + "\"");
            return;
        }
        const std::uint32_t family = familyFor(name);
        m_out.families[family].type = *type;
        return;
    }
    const std::uint32_t family = familyFor(name);
    if (isUnit) {
        m_out.families[family].unit = refOf(value);
        return;
    }
    if (value.find('\\') == std::string_view::npos) {
        m_out.families[family].help = refOf(value);
        return;
    }
    m_scratch.clear();
    for (std::size_t k = 0; k < value.size(); ++k) {
        if (value[k] == '\\' && k + 1 < value.size()) {
            const char next = value[k + 1];
            if (next == 'n' || next == '\\' || (next == '"' && m_format == ExpositionFormat::OpenMetrics)) {
                m_scratch += next == 'n' ? '\n' : next;
                ++k;
                continue;
            }
        }
        m_scratch += value[k];
    }
    m_out.families[family].help = store(m_scratch);
}

std::uint32_t MetricsParser::familyFor(std::string_view name)
{
    // HELP and TYPE of one family are adjacent, so checking the current one suffices.
    if (m_currentFamily != kNoFamily && view(m_out.families[m_currentFamily].name) == name)
        return m_currentFamily;
    FamilyRef family;
    family.name = refOf(name);
    m_out.families.push_back(family);
    m_currentFamily = static_cast<std::uint32_t>(m_out.families.size() - 1);
    return m_currentFamily;
}

std::optional<LineError> MetricsParser::parseSample(std::string_view line, std::uint32_t lineNo)
{
    const std::size_t n = line.size();
    std::size_t i = 0;
    if (!hasClass(line[0], 4))
        return LineError{0, "expected a metric name"};
    while (i < n && hasClass(line[i], 8))
        ++i;

    SampleRef sample;
    sample.name = refOf(line.substr(0, i));
    sample.line = lineNo;
    sample.firstLabel = static_cast<std::uint32_t>(m_out.labels.size());

    while (i < n && isBlank(line[i]))
        ++i;
    if (i < n && line[i] == '{') {
        if (auto error = parseLabels(line, i, sample)) {
            m_out.labels.resize(sample.firstLabel);
            return error;
        }
        while (i < n && isBlank(line[i]))
            ++i;
    } else if (i > 0 && i < n && !isBlank(line[i - 1])) {
        m_out.labels.resize(sample.firstLabel);
        return LineError{i, "invalid character in metric name"};
    }

    auto fail = [&](std::size_t column, std::string message) {
        m_out.labels.resize(sample.firstLabel);
        return LineError{column, std::move(message)};
    };

    if (i >= n)
        return fail(i, "missing value");
    std::size_t tokenEnd = i;
    while (tokenEnd < n && !isBlank(line[tokenEnd]))
        ++tokenEnd;
    const auto value = parseGoFloat(line.substr(i, tokenEnd - i));
    if (!value)
        return fail(i,
                    "invalid value \"" + std::string(line.substr(i, std::min<std::size_t>(tokenEnd - i, 64))) + "\"");
    sample.value = *value;
    i = tokenEnd;
    while (i < n && isBlank(line[i]))
        ++i;

    if (i < n && line[i] != '#') {
        tokenEnd = i;
        while (tokenEnd < n && !isBlank(line[tokenEnd]))
            ++tokenEnd;
        const std::string_view token = line.substr(i, tokenEnd - i);
        if (m_format == ExpositionFormat::PrometheusText) {
            const char *first = token.data() + (token.front() == '+' ? 1 : 0);
            const auto [ptr, ec] = std::from_chars(first, token.data() + token.size(), sample.timestampMs);
            if (ec != std::errc() || ptr != token.data() + token.size())
                return fail(i, "invalid timestamp \"" + std::string(token.substr(0, 64)) + "\" (integer milliseconds)");
        } else {
            // OpenMetrics timestamps are seconds, possibly fractional.
            const auto seconds = parseGoFloat(token);
            if (!seconds || !std::isfinite(*seconds) || std::fabs(*seconds) > 9.2e15)
                return fail(i, "invalid timestamp \"" + std::string(token.substr(0, 64)) + "\" (seconds)");
            sample.timestampMs = std::llround(*seconds * 1000.0);
        }
        sample.hasTimestamp = true;
        i = tokenEnd;
        while (i < n && isBlank(line[i]))
            ++i;
    }
    if (i < n) {
        // An exemplar ("# {trace_id=...} 0.67 [ts]") is tolerated and skipped.
        if (line[i] != '#' || line.substr(i, 3) != "# {" || line.find('}', i) == std::string_view::npos)
            return fail(i, "unexpected text after the sample");
    }

    const std::string_view name = line.substr(0, sample.name.size);
    if (m_currentFamily != kNoFamily && belongsToFamily(name, view(m_out.families[m_currentFamily].name)))
        sample.family = m_currentFamily;
    if (m_limits.maxSamples > 0 && m_out.samples.size() >= m_limits.maxSamples) {
        m_out.labels.resize(sample.firstLabel);
        m_out.limitExceeded
            = ParseProblem{lineNo, 1, Severity::Error, "more than " + std::to_string(m_limits.maxSamples) + " samples"};
        return std::nullopt;
    }
    checkDuplicate(sample, lineNo);
    m_out.samples.push_back(sample);
    return std::nullopt;
}

std::optional<LineError> MetricsParser::parseLabels(std::string_view line, std::size_t &i, SampleRef &sample)
{
    const std::size_t n = line.size();
    ++i; // '{'
    for (;;) {
        while (i < n && isBlank(line[i]))
            ++i;
        if (i >= n)
            return LineError{i, "unterminated label set"};
        if (line[i] == '}') {
            ++i;
            return std::nullopt;
        }
        const std::size_t nameStart = i;
        if (!hasClass(line[i], 1))
            return LineError{i, "expected a label name"};
        while (i < n && hasClass(line[i], 2))
            ++i;
        const std::string_view labelName = line.substr(nameStart, i - nameStart);
        while (i < n && isBlank(line[i]))
            ++i;
        if (i >= n || line[i] != '=')
            return LineError{i, "expected '=' after label name \"" + std::string(labelName) + "\""};
        ++i;
        while (i < n && isBlank(line[i]))
            ++i;
        if (i >= n || line[i] != '"')
            return LineError{i, "expected '\"' to open the value of label \"" + std::string(labelName) + "\""};
        ++i;

        const std::size_t valueStart = i;
        unsigned char highBits = 0;
        while (i < n && line[i] != '"' && line[i] != '\\') {
            highBits |= static_cast<unsigned char>(line[i]);
            ++i;
        }
        if (i >= n)
            return LineError{valueStart - 1, "unterminated value of label \"" + std::string(labelName) + "\""};
        TextRef valueRef;
        std::string_view value;
        if (line[i] == '"') {
            value = line.substr(valueStart, i - valueStart);
            valueRef = refOf(value);
        } else {
            m_scratch.assign(line.substr(valueStart, i - valueStart));
            while (i < n && line[i] != '"') {
                const char c = line[i];
                highBits |= static_cast<unsigned char>(c);
                if (c != '\\') {
                    m_scratch += c;
                    ++i;
                    continue;
                }
                if (i + 1 >= n)
                    break;
                const char next = line[i + 1];
                if (next == '\\' || next == '"')
                    m_scratch += next;
                else if (next == 'n')
                    m_scratch += '\n';
                else
                    return LineError{i, "invalid escape sequence \"\\" + std::string(1, next) + "\" in label value"};
                i += 2;
            }
            if (i >= n)
                return LineError{valueStart - 1, "unterminated value of label \"" + std::string(labelName) + "\""};
            valueRef = store(m_scratch);
            value = view(valueRef);
        }
        if (m_limits.maxLabelValueBytes > 0 && value.size() > m_limits.maxLabelValueBytes) {
            std::string message = "value of label \"" + std::string(labelName) + "\" is " + std::to_string(value.size())
                + " bytes, over the limit of " + std::to_string(m_limits.maxLabelValueBytes);
            m_out.limitExceeded
                = ParseProblem{sample.line, static_cast<std::uint32_t>(valueStart + 1), Severity::Error, message};
            return LineError{valueStart, std::move(message)};
        }
        if ((highBits & 0x80U) != 0 && !isValidUtf8(value))
            return LineError{valueStart, "label value is not valid UTF-8"};
        ++i; // closing quote

        if (labelName == "le" || labelName == "quantile") {
            // Every histogram series repeats its family's bounds: a bound
            // written the same way as one seen before is not parsed and
            // formatted again.
            CanonicalBound &cached = m_bounds[std::hash<std::string_view>()(value) % m_bounds.size()];
            if (!cached.valid || std::string_view(cached.raw, cached.rawLength) != value) {
                const auto number = parseGoFloat(value);
                if (!number)
                    return LineError{valueStart,
                                     "label " + std::string(labelName) + "=\"" + std::string(value.substr(0, 64))
                                         + "\" is not a number"};
                cached.valid = value.size() <= sizeof cached.raw;
                if (cached.valid) {
                    std::memcpy(cached.raw, value.data(), value.size());
                    cached.rawLength = static_cast<std::uint8_t>(value.size());
                }
                cached.canonicalLength = static_cast<std::uint8_t>(formatGoFloat(*number, cached.canonical));
            }
            const std::string_view canonicalView(cached.canonical, cached.canonicalLength);
            if (canonicalView != value)
                valueRef = store(canonicalView);
        }
        const TextRef nameRef = refOf(labelName);
        for (std::uint32_t k = sample.firstLabel; k < m_out.labels.size(); ++k) {
            if (view(m_out.labels[k].name) == labelName)
                return LineError{nameStart, "duplicate label \"" + std::string(labelName) + "\""};
        }
        m_out.labels.push_back({nameRef, valueRef});
        ++sample.labelCount;

        while (i < n && isBlank(line[i]))
            ++i;
        if (i >= n)
            return LineError{i, "unterminated label set"};
        if (line[i] == ',') {
            ++i;
            continue;
        }
        if (line[i] == '}')
            continue;
        return LineError{i, "expected ',' or '}' after a label"};
    }
}

void MetricsParser::checkDuplicate(const SampleRef &sample, std::uint32_t lineNo)
{
    // A family's samples share their name and label names (a histogram's
    // buckets, one after another): those hashes are remembered, by position,
    // and only the label values hashed anew.
    std::uint64_t hash = mix(m_hashes[0].of(view(sample.name)));
    std::size_t position = 1;
    for (const LabelRef &label : m_out.labelsOf(sample)) {
        const std::string_view name = view(label.name);
        const std::uint64_t nameHash
            = position < m_hashes.size() ? m_hashes[position++].of(name) : std::hash<std::string_view>()(name);
        hash += mix(nameHash * 31 + std::hash<std::string_view>()(view(label.value)));
    }
    hash |= 1; // 0 marks an empty slot

    auto sameSeries = [&](const SampleRef &other) {
        if (view(other.name) != view(sample.name) || other.labelCount != sample.labelCount)
            return false;
        for (const LabelRef &label : m_out.labelsOf(sample)) {
            const std::string_view otherValue = m_out.label(other, view(label.name));
            if (otherValue.data() == nullptr || otherValue != view(label.value))
                return false;
        }
        return true;
    };

    if (m_out.samples.size() * 2 >= m_seriesHashes.size()) {
        // Grow: rehash every kept sample. Rare, the table is sized from the payload.
        const std::size_t newSize = m_seriesHashes.size() * 2;
        std::vector<std::uint64_t> oldHashes(newSize, 0);
        oldHashes.swap(m_seriesHashes);
        std::vector<std::uint32_t> oldSamples(newSize, 0);
        oldSamples.swap(m_seriesSample);
        for (std::size_t k = 0; k < oldHashes.size(); ++k) {
            if (oldHashes[k] == 0)
                continue;
            std::size_t slot = oldHashes[k] & (newSize - 1);
            while (m_seriesHashes[slot] != 0)
                slot = (slot + 1) & (newSize - 1);
            m_seriesHashes[slot] = oldHashes[k];
            m_seriesSample[slot] = oldSamples[k];
        }
    }
    const std::size_t mask = m_seriesHashes.size() - 1;
    std::size_t slot = hash & mask;
    while (m_seriesHashes[slot] != 0) {
        if (m_seriesHashes[slot] == hash && sameSeries(m_out.samples[m_seriesSample[slot]])) {
            m_out.problems.warning(lineNo, 1,
                                   "duplicate series " + std::string(view(sample.name)) + " (first at line "
                                       + std::to_string(m_out.samples[m_seriesSample[slot]].line) + ")");
            return;
        }
        slot = (slot + 1) & mask;
    }
    m_seriesHashes[slot] = hash;
    m_seriesSample[slot] = static_cast<std::uint32_t>(m_out.samples.size());
}

ParsedMetrics parseMetrics(std::string_view payload, ExpositionFormat format, const MetricsLimits &limits)
{
    ParsedMetrics result;
    result.format = format;
    MetricsParser(payload, format, limits, result).run();
    return result;
}

} // namespace gotriage::formats
