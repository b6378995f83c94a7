#pragma once
// Scenario files: TOML in, a validated Scenario out. A file may `extends` a
// parent (path relative to itself): tables merge key by key, arrays replace the
// parent's, except `events`, which add to the parent's after `remove_events`.
// Every problem is an InputError naming the file, line, column and key.
#include "sim/file_source.hpp"
#include "sim/scenario.hpp"

#include <string>
#include <vector>

namespace khorgos {

struct LoadedScenario {
    Scenario scenario;
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

/// Applies a `--set name=value` override to a parameter by its dotted name.
/// @throws InputError (file "--set") for an unknown name or a bad value.
void apply_override(Scenario& scenario, const std::string& assignment);

} // namespace khorgos
