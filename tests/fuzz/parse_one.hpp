#pragma once
// The one function the parser fuzzer and its regression replay both call:
// TOML text in, the scenario or targets parser and validator run on it, the
// way `khorgos check` chooses between them (a top-level `target` array means
// a targets file); input that starts with "--set=" is a `--set name=value`
// override applied to a default scenario instead. Bad input must end in an
// InputError whose message names the file (or --set); anything else (another
// exception, a crash, a hang) is a bug.
#include <string>

namespace khorgos::fuzz {

/// The name the input stands for in messages.
inline constexpr const char* kInputName = "fuzz-input.toml";

enum class Verdict { accepted, rejected };

/// Parses and validates `text`. Returns whether it was accepted; calls
/// std::abort() (after printing why) on any failure that is not an
/// InputError naming kInputName, so libFuzzer and the replay both catch it.
Verdict parse_one(const std::string& text);

} // namespace khorgos::fuzz
