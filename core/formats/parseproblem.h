#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gotriage::formats {

// An error rejected input (a line, a field); a warning lost nothing.
enum class Severity : std::uint8_t { Warning, Error };

// One thing wrong with a payload. Line and column are 1-based; 0 means
// "not tied to a position" (e.g. a missing trailer).
struct ParseProblem {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    Severity severity = Severity::Error;
    std::string message;
};

// Collects problems up to a bound so that a payload of pure garbage costs
// bounded memory; what is past the bound is only counted.
class ProblemList
{
public:
    static constexpr std::size_t kMaxKept = 200;

    void add(std::uint32_t line, std::uint32_t column, Severity severity, std::string message);
    void error(std::uint32_t line, std::uint32_t column, std::string message)
    {
        add(line, column, Severity::Error, std::move(message));
    }
    void warning(std::uint32_t line, std::uint32_t column, std::string message)
    {
        add(line, column, Severity::Warning, std::move(message));
    }

    const std::vector<ParseProblem> &items() const { return m_items; }
    std::size_t errorCount() const { return m_errors; }
    std::size_t warningCount() const { return m_warnings; }
    // Problems counted but not kept because kMaxKept was reached.
    std::size_t dropped() const { return m_errors + m_warnings - m_items.size(); }
    bool hasErrors() const { return m_errors > 0; }

private:
    std::vector<ParseProblem> m_items;
    std::size_t m_errors = 0;
    std::size_t m_warnings = 0;
};

// "file:line:col: message" — the form compilers use, so editors can jump to it.
std::string formatProblem(const std::string &source, const ParseProblem &problem);

// 1-based line and column of a byte offset, for parsers that only know offsets.
struct TextPosition {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
};
TextPosition positionOf(std::string_view text, std::size_t offset);
// The position of the first 'quoted' token of `message` in `text` (an error
// that names the offending text but not where it is); 1:1 when not found.
TextPosition positionOfQuoted(std::string_view text, std::string_view message);

} // namespace gotriage::formats
