#pragma once

#include <string_view>

namespace gotriage::formats {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
// Label values must be valid UTF-8 (the exposition formats say so, and the
// JSON gotriage writes would not be otherwise).
bool isValidUtf8(std::string_view text);

} // namespace gotriage::formats
