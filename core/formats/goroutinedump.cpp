#include "goroutinedump.h"

#include <charconv>

namespace gotriage::formats {

namespace {

bool parseInt(std::string_view text, std::int64_t &out)
{
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// "main.(*T).m(0xc000, {0x1, 0x2})" -> "main.(*T).m": the argument list is
// the last balanced parenthesis group that closes the line.
std::string_view functionName(std::string_view line)
{
    if (line.empty() || line.back() != ')')
        return line;
    int depth = 0;
    for (std::size_t i = line.size(); i-- > 0;) {
        if (line[i] == ')' || line[i] == '}')
            ++depth;
        else if (line[i] == '(' || line[i] == '{') {
            if (--depth == 0)
                return line.substr(0, i);
        }
    }
    return line;
}

// "\t/src/x.go:12 +0x1d" -> file and line.
bool parseLocation(std::string_view line, GoroutineFrame &frame)
{
    std::string_view s = trimmed(line);
    if (const std::size_t offset = s.rfind(" +0x"); offset != std::string_view::npos)
        s = s.substr(0, offset);
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    if (!parseInt(s.substr(colon + 1), frame.line))
        return false;
    frame.file = std::string(s.substr(0, colon));
    return true;
}

// "goroutine 18 [chan receive, 5 minutes, locked to thread]:"; Go >= 1.22
// may print more between the id and the bracket ("gp=0x… m=…").
bool parseHeader(std::string_view line, Goroutine &g, std::string &why)
{
    constexpr std::string_view kPrefix = "goroutine ";
    // The caller saw the prefix; what follows may be nothing at all.
    std::string_view s = trimmed(line.substr(kPrefix.size()));
    const std::size_t space = s.find(' ');
    if (space == std::string_view::npos || !parseInt(s.substr(0, space), g.id)) {
        why = "a goroutine header without its number";
        return false;
    }
    const std::size_t open = s.find('[', space);
    const std::size_t close = s.rfind("]:");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        why = "a goroutine header without its [state]";
        return false;
    }
    std::string_view inside = s.substr(open + 1, close - open - 1);
    bool first = true;
    while (!inside.empty()) {
        const std::size_t comma = inside.find(", ");
        const std::string_view part = inside.substr(0, comma);
        inside = comma == std::string_view::npos ? std::string_view() : inside.substr(comma + 2);
        if (first) {
            g.state = std::string(part);
            first = false;
        } else if (part == "locked to thread") {
            g.lockedToThread = true;
        } else if (part.ends_with(" minutes") || part.ends_with(" minute")) {
            std::int64_t minutes = 0;
            if (parseInt(part.substr(0, part.find(' ')), minutes))
                g.waitMinutes = static_cast<int>(minutes);
        } else {
            g.state += ", ";
            g.state += part; // a wait reason of its own with a comma
        }
    }
    if (g.state.empty()) {
        why = "a goroutine header with an empty [state]";
        return false;
    }
    return true;
}

} // namespace

ParsedGoroutineDump parseGoroutineDump(std::string_view text, const GoroutineDumpLimits &limits)
{
    ParsedGoroutineDump out;
    if (text.size() > limits.maxBytes) {
        out.problems.error(0, 0, "the dump is larger than " + std::to_string(limits.maxBytes / (1024 * 1024)) + " MiB");
        return out;
    }
    std::uint32_t lineNumber = 0;
    std::size_t position = 0;
    std::optional<Goroutine> current;
    std::uint32_t currentLine = 0;
    bool skipping = false; // inside a block whose header failed
    const auto finishCurrent = [&] {
        if (!current)
            return;
        if (out.goroutines.size() >= limits.maxGoroutines) {
            if (!out.problems.hasErrors())
                out.problems.error(currentLine, 1,
                                   "more than " + std::to_string(limits.maxGoroutines)
                                       + " goroutines: the rest is not read");
        } else {
            out.goroutines.push_back(std::move(*current));
        }
        current.reset();
    };
    while (position < text.size()) {
        std::size_t end = text.find('\n', position);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(position, end - position);
        position = end + 1;
        ++lineNumber;
        const std::string_view content = trimmed(line);
        if (content.empty()) {
            finishCurrent();
            skipping = false;
            continue;
        }
        if (line.starts_with("goroutine ")) {
            finishCurrent();
            Goroutine g;
            std::string why;
            if (!parseHeader(line, g, why)) {
                out.problems.error(lineNumber, 1, why);
                skipping = true;
                continue;
            }
            current = std::move(g);
            currentLine = lineNumber;
            skipping = false;
            continue;
        }
        if (skipping)
            continue;
        if (!current) {
            out.problems.error(lineNumber, 1, "a line outside any goroutine block");
            skipping = true;
            continue;
        }
        if (content == "...additional frames elided...") {
            current->framesElided = true;
            continue;
        }
        if (line.front() == '\t' || line.front() == ' ') {
            // The location of the frame (or the creator) just named.
            GoroutineFrame *frame = current->createdBy ? &*current->createdBy
                : current->frames.empty()              ? nullptr
                                                       : &current->frames.back();
            if (!frame || !frame->file.empty() || !parseLocation(line, *frame)) {
                out.problems.error(lineNumber, 1, "a frame location that is not FILE:LINE, or not after a function");
                current.reset();
                skipping = true;
            }
            continue;
        }
        if (content.starts_with("created by ")) {
            std::string_view creator = content.substr(11);
            if (const std::size_t in = creator.rfind(" in goroutine "); in != std::string_view::npos) {
                std::int64_t parent = 0;
                if (parseInt(creator.substr(in + 14), parent))
                    current->createdByGoroutine = parent;
                creator = creator.substr(0, in);
            }
            current->createdBy = GoroutineFrame{std::string(creator), {}, 0};
            continue;
        }
        if (current->createdBy) {
            out.problems.error(lineNumber, 1, "a frame after `created by`");
            current.reset();
            skipping = true;
            continue;
        }
        current->frames.push_back({std::string(functionName(content)), {}, 0});
    }
    finishCurrent();
    return out;
}

} // namespace gotriage::formats
