#pragma once
// The machine-readable summaries of `khorgos run --json`, `batch --json` and
// `calibrate --json`: one JSON object on stdout, so scripts parse no text.
#include "io/numbers.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace khorgos {

/// A JSON string literal (UTF-8 passes through; control characters escaped).
inline std::string json(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}
inline std::string json(const char* text) {
    return json(std::string(text));
}
/// A number that reads back exactly; null for NaN and infinities (JSON has none).
inline std::string json(double x) {
    return std::isfinite(x) ? exact(x) : "null";
}
inline std::string json(std::uint64_t x) {
    return std::to_string(x);
}
inline std::string json(int x) {
    return std::to_string(x);
}
inline std::string json(bool x) {
    return x ? "true" : "false";
}

/// A JSON object built member by member; values are JSON text (see json()).
class JsonObject {
  public:
    JsonObject& add(const std::string& key, const std::string& value_json) {
        text_ += (text_.empty() ? "{" : ", ") + json(key) + ": " + value_json;
        return *this;
    }
    std::string str() const { return text_.empty() ? "{}" : text_ + "}"; }

  private:
    std::string text_;
};

/// A JSON array of JSON texts.
inline std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + items[i];
    return out + "]";
}

} // namespace khorgos
