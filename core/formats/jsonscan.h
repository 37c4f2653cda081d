#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gotriage::formats {

// What a JSON document holds, in order, as scanJson() reads it: no document
// is built. Strings and keys are valid only during the call.
class JsonEvents
{
public:
    virtual ~JsonEvents() = default;
    virtual void null() = 0;
    virtual void boolean(bool value) = 0;
    virtual void integer(std::int64_t value) = 0; // negative; 0 and up come as unsignedInteger
    virtual void unsignedInteger(std::uint64_t value) = 0;
    virtual void number(double value, std::string_view text) = 0; // a fraction, an exponent, or past 64 bits
    virtual void string(std::string_view value) = 0; // unescaped
    virtual void key(std::string_view name) = 0; // unescaped
    virtual void startObject() = 0;
    virtual void endObject() = 0;
    virtual void startArray() = 0;
    virtual void endArray() = 0;
};

struct JsonScanError {
    std::size_t offset = 0; // of the byte where the text stopped being JSON (its size: it ended early)
    std::string message;
};

// Reads `text` as one JSON value (RFC 8259, UTF-8, nothing after it but
// whitespace), handing each part to `events`. On malformed text it stops
// where the fault is and returns false with `error` filled; what was handed
// over until then is not a document. Nesting costs no stack: hostile depth
// is safe.
bool scanJson(std::string_view text, JsonEvents &events, JsonScanError *error);

} // namespace gotriage::formats
