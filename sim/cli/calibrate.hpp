#pragma once
// `khorgos calibrate` and the calibration pieces of `run` and `check`: the one
// place where the calibration layer meets the engine. The engine is wrapped as
// a calibration::Simulator: a RunPlan with the particle's parameters as `--set`
// overrides and no output file, whose observables are read per target.
#include "calibration/problem.hpp"
#include "calibration/targets.hpp"
#include "sim/result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace khorgos {

/// khorgos calibrate CALIBRATION.toml [--targets FILE] [--out FILE.h5] [--resume] [--jobs N]
/// [--method abc|fit]
int calibrate_command(const std::vector<std::string>& args, int argc, char** argv);

/// The engine as a simulator: returns each target's simulated value (NaN if absent).
calibration::Simulator engine_simulator(const std::string& scenario_path,
                                        const std::vector<std::string>& parameter_names,
                                        const std::vector<calibration::Target>& targets,
                                        double scale);

/// `run --posterior FILE`: one parameter set drawn by weight from the last
/// generation with the run's seed, as `name=value` overrides (the point fit's
/// parameters if the file holds no generation). Prints nothing.
/// @throws InputError if the file is not a posterior file.
std::vector<std::string> posterior_draw(const std::string& path, std::uint64_t seed,
                                        std::string* description);

/// `run --emit-targets FILE.toml`: the run's observables in the targets format.
void emit_targets(const std::string& path, const RunResult& run,
                  const std::vector<calibration::Target>& like, const std::string& source);

/// `check` of a calibration file: a one-line summary. @throws InputError.
std::string check_calibration(const std::string& path);

} // namespace khorgos
