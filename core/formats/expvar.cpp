#include "expvar.h"

#include "jsonscan.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace gotriage::formats {

namespace {

using Json = nlohmann::json;

// One JSON scalar as the SAX parser hands it over, and its text for a message.
struct Scalar {
    enum class Kind { Null, Bool, Integer, Unsigned, Float, String };
    explicit Scalar(Kind k) : kind(k) { }
    template<typename T> Scalar &with(T Scalar::*field, T value)
    {
        this->*field = value;
        return *this;
    }

    Kind kind;
    bool boolean = false;
    std::int64_t integer = 0; // negative: the parser hands non-negative integers as Unsigned
    std::uint64_t unsignedValue = 0;
    double number = 0;
    std::string_view text; // Float: as written; String: the unescaped value

    std::string shown() const
    {
        switch (kind) {
        case Kind::Null:
            return "null";
        case Kind::Bool:
            return boolean ? "true" : "false";
        case Kind::Integer:
            return std::to_string(integer);
        case Kind::Unsigned:
            return std::to_string(unsignedValue);
        case Kind::Float:
            return std::string(text);
        case Kind::String:
            return '"' + std::string(text.substr(0, 38)) + '"';
        }
        return {};
    }
};

struct CounterField {
    std::string_view name;
    std::optional<std::uint64_t> MemStats::*field;
};
constexpr CounterField kCounters[] = {
    {"Alloc", &MemStats::alloc},
    {"TotalAlloc", &MemStats::totalAlloc},
    {"Sys", &MemStats::sys},
    {"Mallocs", &MemStats::mallocs},
    {"Frees", &MemStats::frees},
    {"HeapAlloc", &MemStats::heapAlloc},
    {"HeapSys", &MemStats::heapSys},
    {"HeapIdle", &MemStats::heapIdle},
    {"HeapInuse", &MemStats::heapInuse},
    {"HeapReleased", &MemStats::heapReleased},
    {"HeapObjects", &MemStats::heapObjects},
    {"StackInuse", &MemStats::stackInuse},
    {"StackSys", &MemStats::stackSys},
    {"NextGC", &MemStats::nextGC},
    {"LastGC", &MemStats::lastGC},
    {"PauseTotalNs", &MemStats::pauseTotalNs},
};

// The fields gotriage reads, taken from the scanner's events as they come:
// no document is built. A payload is some 10 KB, most of it memstats'
// BySize table and the two rings of 256 integers, read every 5 s from
// every service. nlohmann's document for it (a std::map per object, a node
// per number) took 74 us a payload; its SAX parser alone, 55 us, most of it
// its lexer keeping each token's text for its messages (bench parse-vars).
class ExpvarReader : public JsonEvents
{
public:
    explicit ExpvarReader(ParsedExpvar &out) : m_out(out) { }

    bool rootIsObject() const { return m_rootIsObject; }
    bool sawMemstats() const { return m_sawMemstats; }
    bool hasPauseRing() const { return m_hasPauses && m_hasEnds; }

    void null() override { value(Scalar(Scalar::Kind::Null)); }
    void boolean(bool b) override { value(Scalar(Scalar::Kind::Bool).with(&Scalar::boolean, b)); }
    void integer(std::int64_t i) override { value(Scalar(Scalar::Kind::Integer).with(&Scalar::integer, i)); }
    void unsignedInteger(std::uint64_t u) override
    {
        value(Scalar(Scalar::Kind::Unsigned).with(&Scalar::unsignedValue, u));
    }
    void number(double d, std::string_view text) override
    {
        value(Scalar(Scalar::Kind::Float).with(&Scalar::number, d).with(&Scalar::text, text));
    }
    void string(std::string_view text) override { value(Scalar(Scalar::Kind::String).with(&Scalar::text, text)); }
    void key(std::string_view name) override { m_key.assign(name); }
    void startObject() override { open(false); }
    void startArray() override { open(true); }
    void endObject() override { close(); }
    void endArray() override { close(); }

private:
    // What the containers open are, innermost last.
    enum class Place { Top, Memstats, Ring, Cmdline, Skipped };
    struct Ring {
        std::array<std::uint64_t, 256> *values = nullptr;
        bool *complete = nullptr;
        std::string name;
        std::size_t count = 0;
        std::optional<std::size_t> badElement;
    };

    void value(const Scalar &v)
    {
        if (m_places.empty())
            return; // a scalar at the top: not an object
        switch (m_places.back()) {
        case Place::Top:
            if (m_key == "memstats") {
                m_sawMemstats = true;
                m_out.memstats.reset();
                m_out.problems.error(0, 0, "memstats: expected an object");
            } else if (m_key == "goroutines") {
                if (v.kind == Scalar::Kind::Integer)
                    m_out.goroutines = v.integer;
                else if (v.kind == Scalar::Kind::Unsigned && v.unsignedValue <= INT64_MAX)
                    m_out.goroutines = static_cast<std::int64_t>(v.unsignedValue);
                else
                    m_out.problems.warning(0, 0, "goroutines: expected an integer");
            }
            break;
        case Place::Memstats:
            memstatsField(v);
            break;
        case Place::Ring:
            ringElement(&v);
            break;
        case Place::Cmdline:
            if (v.kind == Scalar::Kind::String)
                m_out.cmdline.emplace_back(v.text);
            break;
        case Place::Skipped:
            break;
        }
    }

    void open(bool array)
    {
        if (m_places.empty()) {
            m_rootIsObject = !array;
            m_places.push_back(array ? Place::Skipped : Place::Top);
            return;
        }
        Place next = Place::Skipped;
        switch (m_places.back()) {
        case Place::Top:
            if (m_key == "memstats") {
                m_sawMemstats = true;
                if (array) {
                    m_out.memstats.reset();
                    m_out.problems.error(0, 0, "memstats: expected an object");
                } else {
                    m_out.memstats.emplace(); // of two, the last counts, as in a document
                    m_hasPauses = m_hasEnds = false;
                    next = Place::Memstats;
                }
            } else if (m_key == "goroutines") {
                m_out.problems.warning(0, 0, "goroutines: expected an integer");
            } else if (m_key == "cmdline" && array) {
                m_out.cmdline.clear();
                next = Place::Cmdline;
            }
            break;
        case Place::Memstats:
            next = memstatsContainer(array);
            break;
        case Place::Ring:
            ringElement(nullptr);
            break;
        case Place::Cmdline:
        case Place::Skipped:
            break;
        }
        m_places.push_back(next);
    }

    void close()
    {
        if (m_places.back() == Place::Ring)
            closeRing();
        m_places.pop_back();
    }

    bool isRing() const { return m_key == "PauseNs" || m_key == "PauseEnd"; }

    void memstatsField(const Scalar &v)
    {
        MemStats &m = *m_out.memstats;
        for (const CounterField &counter : kCounters) {
            if (m_key == counter.name) {
                m.*counter.field
                    = unsignedOf<std::uint64_t>(v.kind == Scalar::Kind::Unsigned, v.unsignedValue, v.shown());
                return;
            }
        }
        if (m_key == "NumGC" || m_key == "NumForcedGC") {
            (m_key == "NumGC" ? m.numGC : m.numForcedGC)
                = unsignedOf<std::uint32_t>(v.kind == Scalar::Kind::Unsigned, v.unsignedValue, v.shown());
        } else if (m_key == "GCCPUFraction") {
            fraction(v.kind == Scalar::Kind::Float          ? std::optional(v.number)
                         : v.kind == Scalar::Kind::Unsigned ? std::optional(static_cast<double>(v.unsignedValue))
                         : v.kind == Scalar::Kind::Integer  ? std::optional(static_cast<double>(v.integer))
                                                            : std::nullopt);
        } else if (isRing()) {
            notARing();
        }
    }

    // A container as a memstats field: a ring, or a field of the wrong type
    // (the table BySize, and any field gotriage does not read, is skipped).
    Place memstatsContainer(bool array)
    {
        MemStats &m = *m_out.memstats;
        if (isRing() && array) {
            const bool ns = m_key == "PauseNs";
            m_ring = Ring{ns ? &m.pauseNs : &m.pauseEnd, ns ? &m_hasPauses : &m_hasEnds, m_key, 0, std::nullopt};
            *m_ring.complete = false;
            return Place::Ring;
        }
        const std::string shown = array ? "[...]" : "{...}";
        for (const CounterField &counter : kCounters) {
            if (m_key == counter.name)
                m.*counter.field = unsignedOf<std::uint64_t>(false, 0, shown);
        }
        if (m_key == "NumGC" || m_key == "NumForcedGC")
            (m_key == "NumGC" ? m.numGC : m.numForcedGC) = unsignedOf<std::uint32_t>(false, 0, shown);
        else if (m_key == "GCCPUFraction")
            fraction(std::nullopt);
        else if (isRing())
            notARing();
        return Place::Skipped;
    }

    template<typename T> std::optional<T> unsignedOf(bool isUnsigned, std::uint64_t value, const std::string &shown)
    {
        if (isUnsigned && value <= std::numeric_limits<T>::max())
            return static_cast<T>(value);
        m_out.problems.error(0, 0, "memstats." + m_key + ": expected an unsigned integer, got " + shown.substr(0, 40));
        return std::nullopt;
    }

    void fraction(std::optional<double> number)
    {
        m_out.memstats->gcCpuFraction = number;
        if (!number)
            m_out.problems.error(0, 0, "memstats.GCCPUFraction: expected a number");
    }

    void notARing()
    {
        (m_key == "PauseNs" ? m_hasPauses : m_hasEnds) = false;
        m_out.problems.error(0, 0, "memstats." + m_key + ": expected an array of 256 unsigned integers");
    }

    // One element of a ring; null for a container.
    void ringElement(const Scalar *v)
    {
        const std::size_t index = m_ring.count++;
        const bool ok = v && v->kind == Scalar::Kind::Unsigned;
        if (!ok && !m_ring.badElement)
            m_ring.badElement = index;
        if (ok && index < m_ring.values->size())
            (*m_ring.values)[index] = v->unsignedValue;
    }

    void closeRing()
    {
        if (m_ring.count != m_ring.values->size())
            m_out.problems.error(0, 0, "memstats." + m_ring.name + ": expected an array of 256 unsigned integers");
        else if (m_ring.badElement)
            m_out.problems.error(0, 0,
                                 "memstats." + m_ring.name + "[" + std::to_string(*m_ring.badElement)
                                     + "]: expected an unsigned integer");
        else
            *m_ring.complete = true;
    }

    ParsedExpvar &m_out;
    std::vector<Place> m_places;
    std::string m_key; // of the value that comes next, in the innermost object
    Ring m_ring; // the one being read (Place::Ring)
    bool m_hasPauses = false;
    bool m_hasEnds = false;
    bool m_rootIsObject = false;
    bool m_sawMemstats = false;
};

// Every memstats field as served, for display and export: a document, once.
std::string memstatsJson(std::string_view payload)
{
    const Json root = Json::parse(payload.begin(), payload.end(), nullptr, false);
    const auto it = root.is_object() ? root.find("memstats") : root.end();
    return it != root.end() && it->is_object() ? it->dump(-1, ' ', false, Json::error_handler_t::replace)
                                               : std::string();
}

} // namespace

ParsedExpvar parseExpvar(std::string_view payload, ExpvarOptions options)
{
    ParsedExpvar result;
    ExpvarReader reader(result);
    if (JsonScanError error; !scanJson(payload, reader, &error)) {
        ParsedExpvar failed; // what was read before the text stopped being JSON is not a payload
        const TextPosition pos = positionOf(payload, error.offset);
        failed.problems.error(pos.line, pos.column, "invalid JSON: " + error.message);
        return failed;
    }
    if (!reader.rootIsObject()) {
        ParsedExpvar wrong;
        wrong.problems.error(1, 1, "expected a JSON object at the top level");
        return wrong;
    }
    if (!reader.sawMemstats())
        result.problems.error(0, 0, "no \"memstats\" variable (is expvar imported?)");
    if (result.memstats) {
        result.memstats->hasPauseRing = reader.hasPauseRing() && result.memstats->numGC.has_value();
        if (options == ExpvarOptions::KeepMemstatsJson)
            result.memstatsJson = memstatsJson(payload);
    }
    result.cmdline = redactCommandLine(std::move(result.cmdline));
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
