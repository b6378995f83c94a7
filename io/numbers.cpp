#include "io/numbers.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace khorgos {

std::string exact(double x) {
    char text[32];
    for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(text, sizeof text, "%.*g", precision, x);
        if (std::strtod(text, nullptr) == x) break;
    }
    return text;
}

std::string figure(double x) {
    if (std::isnan(x)) return "n/a";
    char text[32];
    if (x != 0 && (std::abs(x) < 10 || std::abs(x) >= 1e7))
        std::snprintf(text, sizeof text, "%.3g", x);
    else
        std::snprintf(text, sizeof text, "%.0f", x);
    return text;
}

std::string duration(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%lds", s);
    return text;
}

} // namespace khorgos
