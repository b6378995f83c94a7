#pragma once
// Strict reading of TOML tables for every khorgos input file (scenarios,
// targets, batches, calibrations): each key must be known, typed and in range,
// and every error names the file, line, column and dotted key.
#include "input/file_source.hpp"
#include "sim/calendar.hpp"
#include "sim/errors.hpp"

#include <toml++/toml.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace khorgos {

/// Parses a TOML file (from `files`, the disk by default).
/// @throws InputError if it is missing, unreadable or not TOML.
toml::table parse_toml_file(const std::string& path, const FileSource& files = disk_files());

/// Parses TOML text held in memory; `name` stands for the file in messages.
/// @throws InputError if it is not TOML.
toml::table parse_toml_text(const std::string& text, const std::string& name);

/// Throws an InputError located at a node (or at `fallback_file` if it has no source).
[[noreturn]] void fail_at(const toml::node& node, const std::string& fallback_file,
                          const std::string& key, const std::string& message);

/// A view of one table that hands out typed values and rejects unknown keys.
class TableReader {
  public:
    TableReader(const toml::table& table, std::string file, std::string prefix)
        : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

    bool has(const std::string& key);
    std::string key(const std::string& key) const { return prefix_ + key; }
    const std::string& file() const { return file_; }
    const toml::table& table() const { return table_; }

    /// A finite number in [lower, upper] (integers are accepted).
    double number(const std::string& key, double lower, double upper);
    double number(const std::string& key, double lower, double upper, double fallback);
    std::int64_t integer(const std::string& key, std::int64_t lower, std::int64_t upper);
    std::int64_t integer(const std::string& key, std::int64_t lower, std::int64_t upper,
                         std::int64_t fallback);
    std::string string(const std::string& key);
    std::string string(const std::string& key, const std::string& fallback);
    bool boolean(const std::string& key, bool fallback);
    /// A TOML date (1992-02-01) or a string of that form.
    Date date(const std::string& key);
    const toml::table& subtable(const std::string& key);
    const toml::array& array(const std::string& key);
    const toml::node& node(const std::string& key);
    std::vector<std::string> strings(const std::string& key);

    /// Fails at the first key that was never asked for.
    void finish() const;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  private:
    const toml::node& require(const std::string& key);
    const toml::table& table_;
    std::string file_;
    std::string prefix_;
    std::set<std::string> seen_;
};

/// Checks a node is a finite number in [lower, upper] and returns it.
double number_at(const toml::node& node, const std::string& file, const std::string& key,
                 double lower, double upper);

/// Iterates the tables of an array of tables, failing on any other element.
void for_each_table(const toml::array& array, const std::string& file, const std::string& key,
                    const std::function<void(TableReader&)>& visit);

} // namespace khorgos
