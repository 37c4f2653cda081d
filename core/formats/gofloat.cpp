#include "gofloat.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace gotriage::formats {

namespace {

bool equalsIgnoreCase(std::string_view text, std::string_view lowerWord)
{
    if (text.size() != lowerWord.size())
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != lowerWord[i])
            return false;
    }
    return true;
}

} // namespace

std::optional<double> parseGoFloat(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    bool negative = false;
    std::string_view body = text;
    if (body.front() == '+' || body.front() == '-') {
        negative = body.front() == '-';
        body.remove_prefix(1);
        if (body.empty())
            return std::nullopt;
    }
    const char first = body.front();
    if (body.size() <= 15) {
        // Counts and bucket totals are mostly small integers: up to 15
        // digits they are exact in a double, with no need for from_chars.
        std::uint64_t digits = 0;
        std::size_t k = 0;
        while (k < body.size() && static_cast<unsigned char>(body[k] - '0') <= 9) {
            digits = digits * 10 + static_cast<std::uint64_t>(body[k] - '0');
            ++k;
        }
        if (k == body.size()) {
            const auto value = static_cast<double>(digits);
            return negative ? -value : value;
        }
    }
    if ((first >= '0' && first <= '9') || first == '.') {
        double value = 0;
        const auto [end, ec]
            = std::from_chars(body.data(), body.data() + body.size(), value, std::chars_format::general);
        // Out-of-range values are still numbers to Go (±Inf or 0); from_chars
        // reports them as errors, so fall back to strtod for that rare case.
        if (ec == std::errc::result_out_of_range && end == body.data() + body.size()) {
            const std::string copy(body);
            value = std::strtod(copy.c_str(), nullptr);
        } else if (ec != std::errc() || end != body.data() + body.size()) {
            return std::nullopt;
        }
        return negative ? -value : value;
    }
    if (equalsIgnoreCase(body, "inf") || equalsIgnoreCase(body, "infinity"))
        return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    if (equalsIgnoreCase(body, "nan"))
        return std::numeric_limits<double>::quiet_NaN();
    return std::nullopt;
}

std::size_t formatGoFloat(double value, char *out)
{
    if (std::isnan(value)) {
        std::memcpy(out, "NaN", 3);
        return 3;
    }
    if (std::isinf(value)) {
        std::memcpy(out, value > 0 ? "+Inf" : "-Inf", 4);
        return 4;
    }
    // Shortest round-trip digits in scientific form: "d[.ddd]e±XX".
    char sci[32];
    const auto result = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
    const char *end = result.ptr;
    const char *p = sci;
    char *o = out;
    if (*p == '-') {
        *o++ = '-';
        ++p;
    }
    const char *ePos = static_cast<const char *>(std::memchr(p, 'e', static_cast<std::size_t>(end - p)));
    char digits[24];
    std::size_t nd = 0;
    for (const char *d = p; d < ePos; ++d) {
        if (*d != '.')
            digits[nd++] = *d;
    }
    int exp = 0;
    std::from_chars(ePos[1] == '+' ? ePos + 2 : ePos + 1, end, exp);

    // Go's 'g' with shortest precision uses exponent form when the decimal
    // exponent is below -4 or at least 6 (so 1e+06, but 100000).
    if (exp < -4 || exp >= 6) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            std::memcpy(o, digits + 1, nd - 1);
            o += nd - 1;
        }
        *o++ = 'e';
        *o++ = exp < 0 ? '-' : '+';
        const int absExp = exp < 0 ? -exp : exp;
        if (absExp < 10)
            *o++ = '0';
        o = std::to_chars(o, o + 4, absExp).ptr;
        return static_cast<std::size_t>(o - out);
    }
    if (exp < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = -1; i > exp; --i)
            *o++ = '0';
        std::memcpy(o, digits, nd);
        o += nd;
        return static_cast<std::size_t>(o - out);
    }
    // 0 <= exp < 6: plain decimal, padding the integer part with zeros.
    const std::size_t intDigits = static_cast<std::size_t>(exp) + 1;
    for (std::size_t i = 0; i < intDigits; ++i)
        *o++ = i < nd ? digits[i] : '0';
    if (nd > intDigits) {
        *o++ = '.';
        std::memcpy(o, digits + intDigits, nd - intDigits);
        o += nd - intDigits;
    }
    return static_cast<std::size_t>(o - out);
}

std::string formatGoFloat(double value)
{
    char buffer[32];
    return std::string(buffer, formatGoFloat(value, buffer));
}

} // namespace gotriage::formats
