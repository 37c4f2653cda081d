#include "findingjson.h"

#include "analysis/findingtext.h"
#include "analysis/serviceanalyzer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace gotriage::analysis {

namespace {

using Json = nlohmann::ordered_json;

// A field that does not fit: thrown inside this file only, caught by the readers.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Json number(double value)
{
    return std::isfinite(value) ? Json(value) : Json(value > 0 ? "inf" : "-inf");
}

void putOptional(Json &out, const char *name, const std::optional<double> &value)
{
    if (value)
        out[name] = number(*value);
}

std::string str(const QString &text)
{
    return text.toStdString();
}

QString qstr(const Json &value, const char *name)
{
    if (!value.is_string())
        throw FieldError(std::string(name) + " must be a string");
    return QString::fromStdString(value.get<std::string>());
}

double readNumber(const Json &value, const char *name)
{
    if (value.is_number())
        return value.get<double>();
    if (value.is_string() && (value == "inf" || value == "-inf"))
        return value == "inf" ? INFINITY : -INFINITY;
    throw FieldError(std::string(name) + " must be a number");
}

// A whole number that fits the field: what was written as one reads back as
// one; 1e300 or 2.5 in its place is an error, not a wrapped value.
std::int64_t readInteger(const Json &value, const char *name, std::int64_t least, std::int64_t most)
{
    std::int64_t v = 0;
    if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(most))
            throw FieldError(std::string(name) + " is out of range");
        v = static_cast<std::int64_t>(value.get<std::uint64_t>());
    } else if (value.is_number_integer()) {
        v = value.get<std::int64_t>();
    } else {
        throw FieldError(std::string(name) + " must be a whole number");
    }
    if (v < least || v > most)
        throw FieldError(std::string(name) + " is out of range");
    return v;
}

std::int64_t optionalInteger(const Json &in, const char *name, std::int64_t least, std::int64_t most)
{
    const auto it = in.find(name);
    return it == in.end() || it->is_null() ? 0 : readInteger(*it, name, least, most);
}

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinInt64 = std::numeric_limits<std::int64_t>::min();

std::optional<double> getOptional(const Json &in, const char *name)
{
    const auto it = in.find(name);
    if (it == in.end() || it->is_null())
        return std::nullopt;
    return readNumber(*it, name);
}

const Json &require(const Json &in, const char *name)
{
    const auto it = in.find(name);
    if (it == in.end())
        throw FieldError(std::string("missing field ") + name);
    return *it;
}

template<typename T> T named(std::optional<T> value, const Json &field, const char *name)
{
    if (!value)
        throw FieldError(std::string(name) + ": unknown value " + field.dump());
    return *value;
}

bool flag(const Json &in, const char *name)
{
    const auto it = in.find(name);
    if (it == in.end())
        return false;
    if (!it->is_boolean())
        throw FieldError(std::string(name) + " must be true or false");
    return it->get<bool>();
}

Json nextStepJson(const NextStep &s)
{
    Json out;
    out["action"] = str(actionName(s.action));
    if (s.count)
        out["count"] = s.count;
    if (s.spacingSeconds > 0)
        out["spacing_s"] = s.spacingSeconds;
    if (s.durationSeconds > 0)
        out["duration_s"] = s.durationSeconds;
    if (s.debugLevel)
        out["debug"] = s.debugLevel;
    if (s.compareWithBaseline)
        out["compare_with_baseline"] = true;
    if (s.thenContention)
        out["then_contention"] = true;
    if (s.syscallsOrIo)
        out["syscalls_or_io"] = true;
    if (!s.setting.isEmpty())
        out["setting"] = str(s.setting);
    return out;
}

// A span of a capture plan: none (0) up to a day. The writer leaves 0 out,
// so a negative one would not come back the same.
double optionalSpanSeconds(const Json &in, const char *name)
{
    const double seconds = getOptional(in, name).value_or(0);
    if (!(seconds >= 0 && seconds <= 86400))
        throw FieldError(std::string(name) + " must be from 0 to 86400 seconds");
    return seconds;
}

NextStep nextStepFrom(const Json &in)
{
    if (!in.is_object())
        throw FieldError("next must be an object");
    NextStep s;
    const Json &action = require(in, "action");
    s.action = named(actionFromName(qstr(action, "next.action")), action, "next.action");
    s.count = static_cast<int>(optionalInteger(in, "count", 0, 1000));
    s.spacingSeconds = optionalSpanSeconds(in, "spacing_s");
    s.durationSeconds = optionalSpanSeconds(in, "duration_s");
    s.debugLevel = static_cast<int>(optionalInteger(in, "debug", 0, 2));
    s.compareWithBaseline = flag(in, "compare_with_baseline");
    s.thenContention = flag(in, "then_contention");
    s.syscallsOrIo = flag(in, "syscalls_or_io");
    if (const auto it = in.find("setting"); it != in.end())
        s.setting = qstr(*it, "next.setting");
    return s;
}

// The fields analyze --json has always printed come first, as they were.
Json findingJson(const Finding &f, const FindingChange *change)
{
    Json out;
    if (change)
        out["ts_ms"] = change->tsMs;
    out["service"] = str(f.service);
    out["kind"] = str(kindName(f.kind));
    out["severity"] = str(severityName(f.severity));
    if (change)
        out["change"] = str(changeTypeName(change->type));
    out["evidence"] = str(f.evidence);
    out["eta_s"] = f.etaSeconds && std::isfinite(*f.etaSeconds) ? Json(std::llround(*f.etaSeconds)) : Json(nullptr);
    out["next_step"] = str(f.nextStep);
    // The structured fields.
    out["key"] = str(f.key().toString());
    if (f.remark != ConfigRemark::None)
        out["remark"] = str(remarkName(f.remark));
    if (f.signal) {
        const std::string_view name = vitals::vitalName(*f.signal);
        out["signal"] = std::string(name);
    }
    putOptional(out, "rate_per_s", f.ratePerSecond);
    putOptional(out, "rate_low_per_s", f.rateLowPerSecond);
    putOptional(out, "rate_high_per_s", f.rateHighPerSecond);
    putOptional(out, "relative_rate_per_min", f.relativeRatePerMinute);
    putOptional(out, "window_s", f.windowSeconds);
    putOptional(out, "interval_s", f.intervalSeconds);
    if (f.statistic != Statistic::None)
        out["statistic"] = str(statisticName(f.statistic));
    putOptional(out, "statistic_value", f.statisticValue); // every field the words use is written
    if (f.flatBefore)
        out["flat_before"] = true;
    putOptional(out, "level", f.level);
    putOptional(out, "limit", f.limit);
    putOptional(out, "eta_seconds", f.etaSeconds);
    putOptional(out, "eta_low_seconds", f.etaLowSeconds);
    putOptional(out, "eta_high_seconds", f.etaHighSeconds);
    putOptional(out, "gc_cpu_share", f.gcCpuShare);
    putOptional(out, "alloc_rate", f.allocRate);
    putOptional(out, "request_relative_rate_per_min", f.requestRelativeRatePerMinute);
    putOptional(out, "age_s", f.ageSeconds);
    if (!f.detail.isEmpty())
        out["detail"] = str(f.detail);
    out["next"] = nextStepJson(f.next);
    out["since_ms"] = f.sinceMs;
    return out;
}

Finding findingFrom(const Json &in)
{
    if (!in.is_object())
        throw FieldError("not a JSON object");
    Finding f;
    f.service = qstr(require(in, "service"), "service");
    const Json &kind = require(in, "kind");
    f.kind = named(kindFromName(qstr(kind, "kind")), kind, "kind");
    const Json &severity = require(in, "severity");
    f.severity = named(severityFromName(qstr(severity, "severity")), severity, "severity");
    if (const auto it = in.find("remark"); it != in.end())
        f.remark = named(remarkFromName(qstr(*it, "remark")), *it, "remark");
    if (const auto it = in.find("signal"); it != in.end()) {
        const QString name = qstr(*it, "signal");
        f.signal = named(vitals::vitalFromName(name.toStdString()), *it, "signal");
    }
    f.ratePerSecond = getOptional(in, "rate_per_s");
    f.rateLowPerSecond = getOptional(in, "rate_low_per_s");
    f.rateHighPerSecond = getOptional(in, "rate_high_per_s");
    f.relativeRatePerMinute = getOptional(in, "relative_rate_per_min");
    f.windowSeconds = getOptional(in, "window_s");
    f.intervalSeconds = getOptional(in, "interval_s");
    if (const auto it = in.find("statistic"); it != in.end())
        f.statistic = named(statisticFromName(qstr(*it, "statistic")), *it, "statistic");
    f.statisticValue = getOptional(in, "statistic_value");
    f.flatBefore = flag(in, "flat_before");
    f.level = getOptional(in, "level");
    f.limit = getOptional(in, "limit");
    f.etaSeconds = getOptional(in, "eta_seconds");
    f.etaLowSeconds = getOptional(in, "eta_low_seconds");
    f.etaHighSeconds = getOptional(in, "eta_high_seconds");
    f.gcCpuShare = getOptional(in, "gc_cpu_share");
    f.allocRate = getOptional(in, "alloc_rate");
    f.requestRelativeRatePerMinute = getOptional(in, "request_relative_rate_per_min");
    f.ageSeconds = getOptional(in, "age_s");
    if (const auto it = in.find("detail"); it != in.end())
        f.detail = qstr(*it, "detail");
    if (const auto it = in.find("next"); it != in.end())
        f.next = nextStepFrom(*it);
    f.sinceMs = optionalInteger(in, "since_ms", kMinInt64, kMaxInt64);
    // The words come from the numbers, as they did when it was written.
    describe(f);
    return f;
}

Json trendJson(const TrendEstimate &t)
{
    Json out;
    out["valid"] = t.valid;
    out["window"] = t.window;
    out["span_s"] = number(t.spanSeconds);
    out["covered_s"] = number(t.coveredSeconds);
    out["slope_per_s"] = number(t.slopePerSecond);
    out["slope_low_per_s"] = number(t.slopeLowPerSecond);
    out["slope_high_per_s"] = number(t.slopeHighPerSecond);
    out["level"] = number(t.level);
    out["z"] = number(t.z);
    out["p"] = number(t.p);
    out["points"] = t.points;
    out["hinge_z"] = number(t.hingeZ);
    out["from_hinge"] = t.fromHinge;
    out["flat_before"] = t.flatBefore;
    out["noise"] = number(t.noise);
    out["significant"] = t.significant;
    out["evaluated_ms"] = t.evaluatedMs;
    return out;
}

TrendEstimate trendFrom(const Json &in)
{
    if (!in.is_object())
        throw FieldError("trend must be an object");
    TrendEstimate t;
    t.valid = flag(in, "valid");
    t.window = static_cast<std::size_t>(readInteger(require(in, "window"), "trend.window", 0, 1000));
    t.spanSeconds = readNumber(require(in, "span_s"), "trend.span_s");
    t.coveredSeconds = readNumber(require(in, "covered_s"), "trend.covered_s");
    t.slopePerSecond = readNumber(require(in, "slope_per_s"), "trend.slope_per_s");
    t.slopeLowPerSecond = readNumber(require(in, "slope_low_per_s"), "trend.slope_low_per_s");
    t.slopeHighPerSecond = readNumber(require(in, "slope_high_per_s"), "trend.slope_high_per_s");
    t.level = readNumber(require(in, "level"), "trend.level");
    t.z = readNumber(require(in, "z"), "trend.z");
    t.p = readNumber(require(in, "p"), "trend.p");
    t.points = static_cast<int>(readInteger(require(in, "points"), "trend.points", 0, 1'000'000'000));
    t.hingeZ = readNumber(require(in, "hinge_z"), "trend.hinge_z");
    t.fromHinge = flag(in, "from_hinge");
    t.flatBefore = flag(in, "flat_before");
    t.noise = readNumber(require(in, "noise"), "trend.noise");
    t.significant = flag(in, "significant");
    t.evaluatedMs = readInteger(require(in, "evaluated_ms"), "trend.evaluated_ms", kMinInt64, kMaxInt64);
    return t;
}

std::string dump(const Json &json)
{
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

template<typename T, typename Read> std::optional<T> parse(std::string_view text, QString *error, Read read)
{
    try {
        return read(Json::parse(text.begin(), text.end()));
    } catch (const Json::exception &e) {
        if (error)
            *error = QStringLiteral("invalid JSON: %1").arg(QString::fromUtf8(e.what()));
    } catch (const FieldError &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
    }
    return std::nullopt;
}

} // namespace

std::string toJson(const Finding &finding)
{
    return dump(findingJson(finding, nullptr));
}

std::string toJson(const FindingChange &change)
{
    return dump(findingJson(change.finding, &change));
}

std::string toJson(const Projection &p)
{
    Json out;
    out["signal"] = std::string(vitals::vitalName(p.vital));
    out["segment_start_ms"] = p.segmentStartMs;
    putOptional(out, "limit", p.limit);
    putOptional(out, "eta_seconds", p.etaSeconds);
    putOptional(out, "eta_low_seconds", p.etaLowSeconds);
    putOptional(out, "eta_high_seconds", p.etaHighSeconds);
    out["material"] = p.material;
    out["trend"] = trendJson(p.trend);
    return dump(out);
}

std::optional<Finding> findingFromJson(std::string_view text, QString *error)
{
    return parse<Finding>(text, error, [](const Json &in) { return findingFrom(in); });
}

std::optional<FindingChange> findingChangeFromJson(std::string_view text, QString *error)
{
    return parse<FindingChange>(text, error, [](const Json &in) {
        FindingChange change;
        change.finding = findingFrom(in);
        change.tsMs = readInteger(require(in, "ts_ms"), "ts_ms", kMinInt64, kMaxInt64);
        const Json &type = require(in, "change");
        change.type = named(changeTypeFromName(qstr(type, "change")), type, "change");
        return change;
    });
}

std::optional<Projection> projectionFromJson(std::string_view text, QString *error)
{
    return parse<Projection>(text, error, [](const Json &in) {
        if (!in.is_object())
            throw FieldError("not a JSON object");
        Projection p;
        const Json &signal = require(in, "signal");
        p.vital = named(vitals::vitalFromName(qstr(signal, "signal").toStdString()), signal, "signal");
        p.segmentStartMs = readInteger(require(in, "segment_start_ms"), "segment_start_ms", kMinInt64, kMaxInt64);
        p.limit = getOptional(in, "limit");
        p.etaSeconds = getOptional(in, "eta_seconds");
        p.etaLowSeconds = getOptional(in, "eta_low_seconds");
        p.etaHighSeconds = getOptional(in, "eta_high_seconds");
        p.material = flag(in, "material");
        p.trend = trendFrom(require(in, "trend"));
        return p;
    });
}

} // namespace gotriage::analysis
