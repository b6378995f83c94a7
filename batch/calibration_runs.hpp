#pragma once
// Where the calibration layer meets the engine: the engine wrapped as a
// calibration::Simulator (one run per parameter set, no output file, its
// observables read per target), and parameters drawn from a posterior file.
#include "calibration/problem.hpp"
#include "calibration/targets.hpp"
#include "input/scenario_file.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace khorgos {

/// The engine as a simulator: returns each target's simulated value (NaN if absent).
calibration::Simulator engine_simulator(std::shared_ptr<const LoadedScenario> scenario,
                                        const std::vector<std::string>& parameter_names,
                                        const std::vector<calibration::Target>& targets,
                                        double scale);

/// The engine as a staged simulator (calibration's early rejection): each
/// target is passed to `keep_going` at the end of the year in which its period
/// ends, and the run stops when it says so; targets not reached are NaN.
/// Values of a run that is not stopped equal engine_simulator's.
calibration::StagedSimulator
engine_staged_simulator(std::shared_ptr<const LoadedScenario> scenario,
                        const std::vector<std::string>& parameter_names,
                        const std::vector<calibration::Target>& targets, double scale);

/// `run --posterior FILE`: one parameter set drawn by weight from the last
/// generation with the run's seed, as overrides (the point fit's
/// parameters if the file holds no generation). Prints nothing.
/// @throws InputError if the file is not a posterior file.
std::vector<Override> posterior_draw(const std::string& path, std::uint64_t seed,
                                     std::string* description);

} // namespace khorgos
