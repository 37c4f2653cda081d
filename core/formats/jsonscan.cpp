#include "jsonscan.h"

#include <cmath>
#include <cstdlib>
#include <vector>

namespace gotriage::formats {

namespace {

class Scanner
{
public:
    Scanner(std::string_view text, JsonEvents &events) : m_text(text), m_events(events) { }

    bool run(JsonScanError *error)
    {
        const bool ok = document();
        if (!ok && error)
            *error = {m_failedAt, std::move(m_message)};
        return ok;
    }

private:
    bool fail(std::size_t at, std::string message)
    {
        m_failedAt = at;
        m_message = std::move(message);
        return false;
    }

    bool atEnd() const { return m_at >= m_text.size(); }
    char peek() const { return m_text[m_at]; }

    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\n' || peek() == '\r' || peek() == '\t'))
            ++m_at;
    }

    std::string unexpected() const
    {
        if (atEnd())
            return "unexpected end of input";
        const auto c = static_cast<unsigned char>(peek());
        if (c < 0x20 || c >= 0x7f) {
            static constexpr char kHex[] = "0123456789ABCDEF";
            return std::string("unexpected byte 0x") + kHex[c >> 4] + kHex[c & 15];
        }
        return std::string("unexpected '") + peek() + '\'';
    }

    // The document: one value, iteratively; `m_open` holds what encloses it
    // ('{' or '['), innermost last.
    bool document()
    {
        if (m_text.starts_with("\xEF\xBB\xBF"))
            m_at = 3; // a UTF-8 byte order mark, as nlohmann's parser allows
        skipSpace();
        if (!value())
            return false;
        while (!m_open.empty()) {
            const bool inObject = m_open.back() == '{';
            if (m_first) { // a container just opened, not empty
                m_first = false;
                if (!(inObject ? member() : value()))
                    return false;
                continue;
            }
            skipSpace();
            if (atEnd())
                return fail(m_at,
                            "unexpected end of input; expected ',' or '" + std::string(inObject ? "}" : "]") + "'");
            if (peek() == (inObject ? '}' : ']')) {
                ++m_at;
                m_open.pop_back();
                inObject ? m_events.endObject() : m_events.endArray();
                continue;
            }
            if (peek() != ',')
                return fail(m_at, unexpected() + "; expected ',' or '" + std::string(inObject ? "}" : "]") + "'");
            ++m_at;
            skipSpace();
            if (inObject && !member())
                return false;
            if (!inObject && !value())
                return false;
        }
        skipSpace();
        if (!atEnd())
            return fail(m_at, unexpected() + "; expected the end of input");
        return true;
    }

    // "key": then its value.
    bool member()
    {
        if (atEnd() || peek() != '"')
            return fail(m_at, unexpected() + "; expected a string as an object key");
        std::string_view name;
        if (!stringToken(name))
            return false;
        m_events.key(name);
        skipSpace();
        if (atEnd() || peek() != ':')
            return fail(m_at, unexpected() + "; expected ':'");
        ++m_at;
        skipSpace();
        return value();
    }

    // A value at m_at. A container is only opened: document() reads what
    // it holds, so that nesting never recurses.
    bool value()
    {
        if (atEnd())
            return fail(m_at, "unexpected end of input; expected a value");
        switch (peek()) {
        case '{':
            ++m_at;
            m_events.startObject();
            skipSpace();
            if (!atEnd() && peek() == '}') {
                ++m_at;
                m_events.endObject();
                return true;
            }
            m_open.push_back('{');
            m_first = true;
            return true;
        case '[':
            ++m_at;
            m_events.startArray();
            skipSpace();
            if (!atEnd() && peek() == ']') {
                ++m_at;
                m_events.endArray();
                return true;
            }
            m_open.push_back('[');
            m_first = true;
            return true;
        case '"': {
            std::string_view text;
            if (!stringToken(text))
                return false;
            m_events.string(text);
            return true;
        }
        case 't':
            return literal("true", [this] { m_events.boolean(true); });
        case 'f':
            return literal("false", [this] { m_events.boolean(false); });
        case 'n':
            return literal("null", [this] { m_events.null(); });
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
                return numberToken();
            return fail(m_at, unexpected() + "; expected a value");
        }
    }

    template<typename Emit> bool literal(std::string_view word, Emit emit)
    {
        for (std::size_t i = 0; i < word.size(); ++i, ++m_at) {
            if (atEnd() || peek() != word[i])
                return fail(m_at, unexpected() + "; expected '" + std::string(word) + "'");
        }
        emit();
        return true;
    }

    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool numberToken()
    {
        const std::size_t start = m_at;
        const bool negative = peek() == '-';
        if (negative)
            ++m_at;
        if (atEnd() || !isDigit(peek()))
            return fail(m_at, unexpected() + "; expected a digit");
        std::uint64_t magnitude = 0;
        bool overflow = false;
        if (peek() == '0') {
            ++m_at;
        } else {
            for (; !atEnd() && isDigit(peek()); ++m_at) {
                const auto digit = static_cast<std::uint64_t>(peek() - '0');
                overflow = overflow || magnitude > (UINT64_MAX - digit) / 10;
                magnitude = magnitude * 10 + digit;
            }
        }
        bool integral = true;
        if (!atEnd() && peek() == '.') {
            integral = false;
            ++m_at;
            if (atEnd() || !isDigit(peek()))
                return fail(m_at, unexpected() + "; expected a digit after '.'");
            while (!atEnd() && isDigit(peek()))
                ++m_at;
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            integral = false;
            ++m_at;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_at;
            if (atEnd() || !isDigit(peek()))
                return fail(m_at, unexpected() + "; expected a digit in the exponent");
            while (!atEnd() && isDigit(peek()))
                ++m_at;
        }
        const std::string_view text = m_text.substr(start, m_at - start);
        if (integral && !overflow) {
            if (!negative) {
                m_events.unsignedInteger(magnitude);
                return true;
            }
            if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
                m_events.integer(magnitude == 0 ? 0 : static_cast<std::int64_t>(0 - magnitude));
                return true;
            }
        }
        // strtod wants its own terminated copy; rare in expvar (a fraction).
        const std::string copy(text);
        const double value = std::strtod(copy.c_str(), nullptr);
        if (!std::isfinite(value))
            return fail(start, "number overflow parsing '" + copy + "'");
        m_events.number(value, text);
        return true;
    }

    // A string token at m_at (its opening quote); `out` views the text, or
    // m_buffer when it held escapes.
    bool stringToken(std::string_view &out)
    {
        const std::size_t start = ++m_at;
        // The common case: no escape, plain ASCII.
        while (!atEnd() && peek() != '"' && peek() != '\\' && static_cast<unsigned char>(peek()) >= 0x20
               && static_cast<unsigned char>(peek()) < 0x80)
            ++m_at;
        if (!atEnd() && peek() == '"') {
            out = m_text.substr(start, m_at - start);
            ++m_at;
            return true;
        }
        m_buffer.assign(m_text.substr(start, m_at - start));
        while (true) {
            if (atEnd())
                return fail(m_at, "unexpected end of input in a string");
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++m_at;
                out = m_buffer;
                return true;
            }
            if (c < 0x20)
                return fail(m_at, unexpected() + " in a string (control characters must be escaped)");
            if (c == '\\') {
                if (!escape())
                    return false;
                continue;
            }
            if (c >= 0x80) {
                if (!utf8())
                    return false;
                continue;
            }
            m_buffer.push_back(static_cast<char>(c));
            ++m_at;
        }
    }

    bool escape()
    {
        const std::size_t at = m_at++;
        if (atEnd())
            return fail(m_at, "unexpected end of input in an escape");
        const char c = peek();
        ++m_at;
        // The one-character escapes, and what each stands for.
        static constexpr std::string_view kEscaped = "\"\\/bfnrt";
        static constexpr std::string_view kMeant = "\"\\/\b\f\n\r\t";
        if (const std::size_t which = kEscaped.find(c); which != std::string_view::npos) {
            m_buffer.push_back(kMeant[which]);
            return true;
        }
        if (c != 'u')
            return fail(at, "invalid escape '\\" + std::string(1, c) + "' in a string");
        std::uint32_t code = 0;
        if (!hex4(code))
            return false;
        if (code >= 0xD800 && code <= 0xDBFF) { // a high surrogate: its low half must follow
            std::uint32_t low = 0;
            if (m_text.substr(m_at, 2) != "\\u")
                return fail(m_at, "a high surrogate \\u escape without its low half");
            m_at += 2;
            if (!hex4(low))
                return false;
            if (low < 0xDC00 || low > 0xDFFF)
                return fail(m_at - 6, "a high surrogate \\u escape without its low half");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return fail(at, "a low surrogate \\u escape without its high half");
        }
        appendUtf8(code);
        return true;
    }

    bool hex4(std::uint32_t &code)
    {
        for (int i = 0; i < 4; ++i, ++m_at) {
            if (atEnd())
                return fail(m_at, "unexpected end of input in a \\u escape");
            const char c = peek();
            const int digit = isDigit(c) ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
            if (digit < 0)
                return fail(m_at, unexpected() + "; expected a hex digit in a \\u escape");
            code = code * 16 + static_cast<std::uint32_t>(digit);
        }
        return true;
    }

    void appendUtf8(std::uint32_t code)
    {
        if (code < 0x80) {
            m_buffer.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            m_buffer.push_back(static_cast<char>(0xC0 | (code >> 6)));
            m_buffer.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            m_buffer.push_back(static_cast<char>(0xE0 | (code >> 12)));
            m_buffer.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            m_buffer.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            m_buffer.push_back(static_cast<char>(0xF0 | (code >> 18)));
            m_buffer.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            m_buffer.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            m_buffer.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
    }

    // One UTF-8 sequence, well formed (no overlong form, no surrogate, at
    // most U+10FFFF), copied as it is.
    bool utf8()
    {
        const auto lead = static_cast<unsigned char>(peek());
        int length = 0;
        unsigned char low = 0x80, high = 0xBF; // the bounds of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return fail(m_at, "ill-formed UTF-8 byte in a string");
        }
        for (int i = 1; i < length; ++i) {
            const std::size_t at = m_at + static_cast<std::size_t>(i);
            const auto c = at < m_text.size() ? static_cast<unsigned char>(m_text[at]) : 0;
            if (i == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF))
                return fail(at, "ill-formed UTF-8 byte in a string");
        }
        m_buffer.append(m_text.substr(m_at, static_cast<std::size_t>(length)));
        m_at += static_cast<std::size_t>(length);
        return true;
    }

    std::string_view m_text;
    JsonEvents &m_events;
    std::size_t m_at = 0;
    std::vector<char> m_open;
    bool m_first = false; // the innermost container was just opened and is not empty
    std::string m_buffer; // a string with escapes, unescaped
    std::size_t m_failedAt = 0;
    std::string m_message;
};

} // namespace

bool scanJson(std::string_view text, JsonEvents &events, JsonScanError *error)
{
    return Scanner(text, events).run(error);
}

} // namespace gotriage::formats
