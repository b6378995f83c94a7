#pragma once
// Numbers as text, one way for every layer: overrides, CSV files, scenario
// fragments, targets files and messages.
#include <cstdio>
#include <cstdlib>
#include <string>

namespace khorgos {

/// The shortest text that reads back (strtod) as exactly `x`.
inline std::string exact(double x) {
    char text[32];
    for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(text, sizeof text, "%.*g", precision, x);
        if (std::strtod(text, nullptr) == x) break;
    }
    return text;
}

} // namespace khorgos
