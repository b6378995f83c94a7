#pragma once
// Scenario files: TOML in, a validated Scenario out. A file may `extends` a
// parent (path relative to itself): tables merge key by key, arrays replace the
// parent's, except `events`, which add to the parent's after `remove_events`.
// Every problem is an InputError naming the file, line, column and key.
#include "input/file_source.hpp"
#include "sim/scenario.hpp"

#include <string>
#include <vector>

namespace khorgos {

struct LoadedScenario {
    Scenario scenario;
    std::string path;               ///< the file as named
    std::string text;               ///< every file of the extends chain, for provenance
    std::vector<std::string> files; ///< the chain, parents first
};

/// Reads and validates a scenario file and its `extends` chain, from `files`
/// (the disk unless the fuzzer gives files held in memory).
/// @throws InputError on any bad input.
LoadedScenario load_scenario(const std::string& path, const FileSource& files = disk_files());

/// Validates a scenario held in memory (`name` stands for the file in
/// messages). It reads no file: `extends` is an error here.
/// @throws InputError on any bad input.
LoadedScenario load_scenario_text(const std::string& text, const std::string& name);

/// One parameter set to one value: a `--set`, a batch variation or a
/// calibration particle. Typed, so numbers never pass through text.
struct Override {
    Param parameter;
    double value;
};

/// Parses `--set name=value` (a known dotted name, a finite number).
/// @throws InputError (file "--set") for an unknown name or a bad value.
Override parse_override(const std::string& assignment);
std::vector<Override> parse_overrides(const std::vector<std::string>& assignments);

/// `name=value`, the value as the shortest text that reads back exactly.
std::string describe(const Override& o);

/// Parses and applies a `--set name=value` (parse_override, then apply_override).
void apply_override(Scenario& scenario, const std::string& assignment);

/// Sets the parameter. @throws InputError (file "--set") outside its bounds.
void apply_override(Scenario& scenario, const Override& o);

} // namespace khorgos
