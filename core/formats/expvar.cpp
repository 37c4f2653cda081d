#include "expvar.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace gotriage::formats {

namespace {

using Json = nlohmann::json;

template<typename T> std::optional<T> readUnsigned(const Json &object, const char *key, ProblemList &problems)
{
    const auto it = object.find(key);
    if (it == object.end())
        return std::nullopt;
    if (it->is_number_unsigned() && it->get<std::uint64_t>() <= std::numeric_limits<T>::max())
        return static_cast<T>(it->get<std::uint64_t>());
    if (it->is_number_integer() && it->get<std::int64_t>() >= 0)
        return static_cast<T>(it->get<std::int64_t>());
    problems.error(0, 0,
                   std::string("memstats.") + key + ": expected an unsigned integer, got " + it->dump().substr(0, 40));
    return std::nullopt;
}

bool readRing(const Json &object, const char *key, std::array<std::uint64_t, 256> &ring, ProblemList &problems)
{
    const auto it = object.find(key);
    if (it == object.end())
        return false;
    if (!it->is_array() || it->size() != ring.size()) {
        problems.error(0, 0, std::string("memstats.") + key + ": expected an array of 256 unsigned integers");
        return false;
    }
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const Json &element = (*it)[i];
        if (!element.is_number_unsigned() && !(element.is_number_integer() && element.get<std::int64_t>() >= 0)) {
            problems.error(
                0, 0, std::string("memstats.") + key + "[" + std::to_string(i) + "]: expected an unsigned integer");
            return false;
        }
        ring[i] = element.get<std::uint64_t>();
    }
    return true;
}

MemStats readMemStats(const Json &m, ProblemList &problems)
{
    MemStats s;
    s.alloc = readUnsigned<std::uint64_t>(m, "Alloc", problems);
    s.totalAlloc = readUnsigned<std::uint64_t>(m, "TotalAlloc", problems);
    s.sys = readUnsigned<std::uint64_t>(m, "Sys", problems);
    s.mallocs = readUnsigned<std::uint64_t>(m, "Mallocs", problems);
    s.frees = readUnsigned<std::uint64_t>(m, "Frees", problems);
    s.heapAlloc = readUnsigned<std::uint64_t>(m, "HeapAlloc", problems);
    s.heapSys = readUnsigned<std::uint64_t>(m, "HeapSys", problems);
    s.heapIdle = readUnsigned<std::uint64_t>(m, "HeapIdle", problems);
    s.heapInuse = readUnsigned<std::uint64_t>(m, "HeapInuse", problems);
    s.heapReleased = readUnsigned<std::uint64_t>(m, "HeapReleased", problems);
    s.heapObjects = readUnsigned<std::uint64_t>(m, "HeapObjects", problems);
    s.stackInuse = readUnsigned<std::uint64_t>(m, "StackInuse", problems);
    s.stackSys = readUnsigned<std::uint64_t>(m, "StackSys", problems);
    s.nextGC = readUnsigned<std::uint64_t>(m, "NextGC", problems);
    s.lastGC = readUnsigned<std::uint64_t>(m, "LastGC", problems);
    s.pauseTotalNs = readUnsigned<std::uint64_t>(m, "PauseTotalNs", problems);
    s.numGC = readUnsigned<std::uint32_t>(m, "NumGC", problems);
    s.numForcedGC = readUnsigned<std::uint32_t>(m, "NumForcedGC", problems);
    if (const auto it = m.find("GCCPUFraction"); it != m.end()) {
        if (it->is_number())
            s.gcCpuFraction = it->get<double>();
        else
            problems.error(0, 0, "memstats.GCCPUFraction: expected a number");
    }
    const bool hasPauses = readRing(m, "PauseNs", s.pauseNs, problems);
    const bool hasEnds = readRing(m, "PauseEnd", s.pauseEnd, problems);
    s.hasPauseRing = hasPauses && hasEnds && s.numGC.has_value();
    return s;
}

} // namespace

ParsedExpvar parseExpvar(std::string_view payload, ExpvarOptions options)
{
    ParsedExpvar result;
    Json root;
    try {
        root = Json::parse(payload.begin(), payload.end());
    } catch (const Json::parse_error &error) {
        const TextPosition pos = positionOf(payload, error.byte > 0 ? error.byte - 1 : 0);
        std::string message = error.what();
        // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: ";
        // the position is ours to give, keep the explanation.
        if (const std::size_t colon = message.find(": "); colon != std::string::npos)
            message = message.substr(colon + 2);
        result.problems.error(pos.line, pos.column, "invalid JSON: " + message);
        return result;
    } catch (const Json::exception &error) {
        // A value JSON cannot hold (a number that overflows a double; found
        // by fuzz_expvar, it took the ingest thread down). The library gives
        // no position: the quoted token in its message leads to it.
        std::string message = error.what();
        if (const std::size_t bracket = message.find("] "); bracket != std::string::npos)
            message = message.substr(bracket + 2);
        const TextPosition pos = positionOfQuoted(payload, message);
        result.problems.error(pos.line, pos.column, "invalid JSON: " + message);
        return result;
    }
    if (!root.is_object()) {
        result.problems.error(1, 1, "expected a JSON object at the top level");
        return result;
    }
    if (const auto it = root.find("memstats"); it == root.end()) {
        result.problems.error(0, 0, "no \"memstats\" variable (is expvar imported?)");
    } else if (!it->is_object()) {
        result.problems.error(0, 0, "memstats: expected an object");
    } else {
        result.memstats = readMemStats(*it, result.problems);
        if (options == ExpvarOptions::KeepMemstatsJson)
            result.memstatsJson = it->dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (const auto it = root.find("goroutines"); it != root.end()) {
        if (it->is_number_integer())
            result.goroutines = it->get<std::int64_t>();
        else
            result.problems.warning(0, 0, "goroutines: expected an integer");
    }
    if (const auto it = root.find("cmdline"); it != root.end() && it->is_array()) {
        for (const Json &arg : *it) {
            if (arg.is_string())
                result.cmdline.push_back(arg.get<std::string>());
        }
        result.cmdline = redactCommandLine(std::move(result.cmdline));
    }
    return result;
}

namespace {

bool namesASecret(std::string_view flag)
{
    std::string lower(flag);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const std::string_view word : {"password", "passwd", "secret", "token", "key", "credential", "auth"}) {
        if (lower.find(word) != std::string::npos)
            return true;
    }
    return false;
}

// "scheme://user:pass@host..." → "scheme://<redacted>@host...", anywhere in `arg`.
std::string redactUserInfo(std::string arg)
{
    for (std::size_t scheme = arg.find("://"); scheme != std::string::npos; scheme = arg.find("://", scheme + 3)) {
        const std::size_t start = scheme + 3;
        const std::size_t end = arg.find_first_of("/?# ", start);
        const std::size_t at = arg.rfind('@', end == std::string::npos ? arg.size() : end);
        if (at == std::string::npos || at < start || arg.compare(start, at - start, kRedacted) == 0)
            continue;
        arg.replace(start, at - start, kRedacted);
    }
    return arg;
}

} // namespace

std::vector<std::string> redactCommandLine(std::vector<std::string> args)
{
    bool nextIsSecret = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string &arg = args[i];
        if (nextIsSecret && !arg.starts_with('-')) {
            arg = kRedacted;
            nextIsSecret = false;
            continue;
        }
        nextIsSecret = false;
        if (i > 0 && arg.starts_with('-')) {
            const std::size_t equals = arg.find('=');
            const std::string_view name = std::string_view(arg).substr(0, equals);
            if (namesASecret(name)) {
                if (equals == std::string::npos)
                    nextIsSecret = true; // "--token VALUE"
                else
                    arg.replace(equals + 1, std::string::npos, kRedacted);
                continue;
            }
        }
        arg = redactUserInfo(std::move(arg));
    }
    return args;
}

PauseWindow pausesSince(const MemStats &memstats, std::optional<std::uint32_t> previousNumGC)
{
    PauseWindow window;
    if (!memstats.hasPauseRing)
        return window;
    const std::uint32_t numGC = *memstats.numGC;
    constexpr std::uint64_t kRing = 256;
    // NumGC is a uint32 that may wrap; unsigned difference handles it.
    std::uint64_t fresh = previousNumGC ? static_cast<std::uint32_t>(numGC - *previousNumGC) : numGC;
    if (fresh > kRing) {
        window.lostCycles = previousNumGC ? fresh - kRing : 0;
        fresh = kRing;
    }
    window.pauses.reserve(fresh);
    for (std::uint64_t back = fresh; back > 0; --back) {
        // 1-based cycle number, wrapping like the runtime's uint32; 2^32 is a
        // multiple of 256, so the ring index stays right across the wrap.
        const auto gc = static_cast<std::uint32_t>(numGC - static_cast<std::uint32_t>(back) + 1U);
        const std::size_t index = static_cast<std::uint32_t>(gc - 1U) % kRing;
        window.pauses.push_back({gc, memstats.pauseNs[index], memstats.pauseEnd[index]});
    }
    return window;
}

} // namespace gotriage::formats
