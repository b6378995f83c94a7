#include "input/toml_reader.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace khorgos {

toml::table parse_toml_file(const std::string& path, const FileSource& files) {
    const std::optional<std::string> text = files.read(path);
    if (!text) throw InputError(path, 0, 0, "", "cannot open the file (missing or unreadable)");
    return parse_toml_text(*text, path);
}

namespace {
/// toml++ bounds the nesting of arrays and inline tables (256) but not that of
/// dotted keys: `a.a.a...` tens of thousands of parts deep overflows the stack
/// inside toml::parse (tests/fuzz/regressions/deep_dotted_key.toml). So count
/// the parts of each dotted key (or table header) outside strings and
/// comments, and refuse more than kMaxKeyParts before parsing.
constexpr int kMaxKeyParts = 64;

void check_key_depth(const std::string& text, const std::string& name) {
    int line = 1, dots = 0;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = i + 1;
            dots = 0;
        } else if (c == '#') {
            while (i + 1 < text.size() && text[i + 1] != '\n')
                ++i;
        } else if (c == '"' || c == '\'') {
            // Skip a string, basic or literal, single- or multi-line.
            const bool multi = text.compare(i, 3, std::string(3, c)) == 0;
            i += multi ? 3 : 1;
            for (; i < text.size(); ++i) {
                if (text[i] == '\n') {
                    ++line;
                    line_start = i + 1;
                }
                if (c == '"' && text[i] == '\\') {
                    if (i + 1 < text.size() && text[i + 1] == '\n') {
                        ++line;
                        line_start = i + 2;
                    }
                    ++i;
                    continue;
                }
                if (text[i] == c && (!multi || text.compare(i, 3, std::string(3, c)) == 0)) {
                    if (multi) i += 2;
                    break;
                }
            }
        } else if (c == '.') {
            if (++dots >= kMaxKeyParts)
                throw InputError(name, line, static_cast<int>(i - line_start + 1), "",
                                 "a dotted key of more than " + std::to_string(kMaxKeyParts) +
                                     " parts (nested too deeply)");
        } else if (c == '=' || c == ',' || c == '{' || c == '}' || c == '[' || c == ']') {
            dots = 0;
        }
    }
}
} // namespace

toml::table parse_toml_text(const std::string& text, const std::string& name) {
    check_key_depth(text, name);
    try {
        return toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        throw InputError(name, static_cast<int>(e.source().begin.line),
                         static_cast<int>(e.source().begin.column), "",
                         "not valid TOML: " + std::string(e.description()));
    }
}

void fail_at(const toml::node& node, const std::string& fallback_file, const std::string& key,
             const std::string& message) {
    const auto& source = node.source();
    const std::string file = source.path ? *source.path : fallback_file;
    throw InputError(file, static_cast<int>(source.begin.line),
                     static_cast<int>(source.begin.column), key, message);
}

namespace {
std::string type_name(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a number";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    default:
        return "nothing";
    }
}

std::string number_text(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}
} // namespace

double number_at(const toml::node& node, const std::string& file, const std::string& key,
                 double lower, double upper) {
    if (!node.is_number()) fail_at(node, file, key, "expected a number, got " + type_name(node));
    const double x = node.value<double>().value_or(NAN);
    if (!std::isfinite(x))
        fail_at(node, file, key, "must be a finite number, got " + number_text(x));
    if (x < lower || x > upper)
        fail_at(node, file, key,
                "must be between " + number_text(lower) + " and " + number_text(upper) + ", got " +
                    number_text(x));
    return x;
}

bool TableReader::has(const std::string& key) {
    seen_.insert(key);
    return table_.contains(key);
}

const toml::node& TableReader::require(const std::string& key) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) fail_at(table_, file_, prefix_ + key, "is required but missing");
    return *node;
}

const toml::node& TableReader::node(const std::string& key) {
    return require(key);
}

double TableReader::number(const std::string& key, double lower, double upper) {
    return number_at(require(key), file_, prefix_ + key, lower, upper);
}

double TableReader::number(const std::string& key, double lower, double upper, double fallback) {
    return has(key) ? number(key, lower, upper) : fallback;
}

std::int64_t TableReader::integer(const std::string& key, std::int64_t lower, std::int64_t upper) {
    const toml::node& n = require(key);
    if (!n.is_integer())
        fail_at(n, file_, prefix_ + key, "expected an integer, got " + type_name(n));
    const std::int64_t x = n.value<std::int64_t>().value_or(0);
    if (x < lower || x > upper)
        fail_at(n, file_, prefix_ + key,
                "must be between " + std::to_string(lower) + " and " + std::to_string(upper) +
                    ", got " + std::to_string(x));
    return x;
}

std::int64_t TableReader::integer(const std::string& key, std::int64_t lower, std::int64_t upper,
                                  std::int64_t fallback) {
    return has(key) ? integer(key, lower, upper) : fallback;
}

std::string TableReader::string(const std::string& key) {
    const toml::node& n = require(key);
    if (!n.is_string()) fail_at(n, file_, prefix_ + key, "expected a string, got " + type_name(n));
    return *n.value<std::string>();
}

std::string TableReader::string(const std::string& key, const std::string& fallback) {
    return has(key) ? string(key) : fallback;
}

bool TableReader::boolean(const std::string& key, bool fallback) {
    if (!has(key)) return fallback;
    const toml::node& n = require(key);
    if (!n.is_boolean())
        fail_at(n, file_, prefix_ + key, "expected true or false, got " + type_name(n));
    return *n.value<bool>();
}

Date TableReader::date(const std::string& key) {
    const toml::node& n = require(key);
    Date d;
    if (n.is_date()) {
        const toml::date t = *n.value<toml::date>();
        d = Date{t.year, t.month, t.day};
    } else if (n.is_string()) {
        int y = 0, m = 0, day = 0;
        char tail = 0;
        const std::string s = *n.value<std::string>();
        if (std::sscanf(s.c_str(), "%d-%d-%d%c", &y, &m, &day, &tail) != 3)
            fail_at(n, file_, prefix_ + key, "expected a date like 1992-02-01, got \"" + s + "\"");
        d = Date{y, m, day};
    } else {
        fail_at(n, file_, prefix_ + key, "expected a date like 1992-02-01, got " + type_name(n));
    }
    if (!is_valid_date(d) || d.year < 1900 || d.year > 2200)
        fail_at(n, file_, prefix_ + key, "is not a valid date between 1900 and 2200");
    return d;
}

const toml::table& TableReader::subtable(const std::string& key) {
    const toml::node& n = require(key);
    if (!n.is_table()) fail_at(n, file_, prefix_ + key, "expected a table, got " + type_name(n));
    return *n.as_table();
}

const toml::array& TableReader::array(const std::string& key) {
    const toml::node& n = require(key);
    if (!n.is_array()) fail_at(n, file_, prefix_ + key, "expected an array, got " + type_name(n));
    return *n.as_array();
}

std::vector<std::string> TableReader::strings(const std::string& key) {
    std::vector<std::string> out;
    const toml::array& a = array(key);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string())
            fail_at(a[i], file_, prefix_ + key + "[" + std::to_string(i) + "]",
                    "expected a string, got " + type_name(a[i]));
        out.push_back(*a[i].value<std::string>());
    }
    return out;
}

void TableReader::finish() const {
    for (const auto& [k, v] : table_)
        if (!seen_.count(std::string(k.str())))
            fail_at(v, file_, prefix_ + std::string(k.str()), "unknown key");
}

void TableReader::fail(const std::string& key, const std::string& message) const {
    const toml::node* n = table_.get(key);
    fail_at(n ? *n : static_cast<const toml::node&>(table_), file_, prefix_ + key, message);
}

void for_each_table(const toml::array& array, const std::string& file, const std::string& key,
                    const std::function<void(TableReader&)>& visit) {
    for (std::size_t i = 0; i < array.size(); ++i) {
        const std::string where = key + "[" + std::to_string(i) + "]";
        if (!array[i].is_table())
            fail_at(array[i], file, where, "expected a table, got " + type_name(array[i]));
        TableReader reader(*array[i].as_table(), file, where + ".");
        visit(reader);
        reader.finish();
    }
}

} // namespace khorgos
