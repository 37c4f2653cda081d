#include "parseproblem.h"

#include <algorithm>
#include <string_view>

namespace gotriage::formats {

void ProblemList::add(std::uint32_t line, std::uint32_t column, Severity severity, std::string message)
{
    (severity == Severity::Error ? m_errors : m_warnings)++;
    if (m_items.size() < kMaxKept)
        m_items.push_back({line, column, severity, std::move(message)});
}

std::string formatProblem(const std::string &source, const ParseProblem &problem)
{
    std::string out = source;
    if (problem.line > 0) {
        out += ':' + std::to_string(problem.line);
        if (problem.column > 0)
            out += ':' + std::to_string(problem.column);
    }
    out += problem.severity == Severity::Warning ? ": warning: " : ": ";
    out += problem.message;
    return out;
}

TextPosition positionOf(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    TextPosition pos;
    pos.line = static_cast<std::uint32_t>(1 + std::count(before.begin(), before.end(), '\n'));
    const std::size_t lastNewline = before.rfind('\n');
    const std::size_t lineStart = lastNewline == std::string_view::npos ? 0 : lastNewline + 1;
    pos.column = static_cast<std::uint32_t>(offset - lineStart + 1);
    return pos;
}

TextPosition positionOfQuoted(std::string_view text, std::string_view message)
{
    const std::size_t open = message.find('\'');
    const std::size_t close = open == std::string_view::npos ? open : message.find('\'', open + 1);
    if (close == std::string_view::npos || close == open + 1)
        return {};
    const std::size_t at = text.find(message.substr(open + 1, close - open - 1));
    return at == std::string_view::npos ? TextPosition{} : positionOf(text, at);
}

} // namespace gotriage::formats
