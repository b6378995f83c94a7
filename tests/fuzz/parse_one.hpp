#pragma once
// The one function the parser fuzzer and its regression replay both call.
// The input holds one or more virtual files: the text up to the first line
// "#@ NAME" is the file kInputName, each such line starts the file NAME (a
// path relative to kInputName's directory, e.g. "parent.toml",
// "sub/child.toml", "design.csv"). The files are held in memory (MemoryFiles)
// and kInputName goes through khorgos::check_file, as `khorgos check` would:
// a calibration, batch, targets or scenario file by its content, with every
// file it names (`extends` parents, scenarios, targets, design matrices)
// resolved among the virtual files, so extends chains, cycles and missing
// parents are fuzzed without touching the disk. A marker line is a TOML
// comment, so a fuzz input with several files is itself readable TOML.
// Input that starts with "--set=" is a `--set name=value` override applied to
// a default scenario instead. Bad input must end in an InputError naming one
// of the virtual files (or --set) at a line inside it; anything else (another
// exception, a crash, a hang) is a bug.
#include <string>

namespace khorgos::fuzz {

/// The name the (first) input file stands for in messages.
inline constexpr const char* kInputName = "fuzz-input.toml";
/// A line starting with this starts a new virtual file; the rest is its name.
inline constexpr const char* kFileMarker = "#@ ";
/// At most this many virtual files; later markers are plain comments.
inline constexpr int kMaxFiles = 16;

enum class Verdict { accepted, rejected };

/// Checks the input's files. Returns whether kInputName was accepted; calls
/// std::abort() (after printing why) on any failure that is not an
/// InputError located in a virtual file, so libFuzzer and the replay both catch it.
/// `message`, if given, receives the InputError's message or the check's summary.
Verdict parse_one(const std::string& input, std::string* message = nullptr);

} // namespace khorgos::fuzz
