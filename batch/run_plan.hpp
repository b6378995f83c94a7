#pragma once
// A run plan is everything one run needs: scenario, overrides, seed, threads,
// scale and output. `khorgos run` executes one; batch and calibration make
// many, all sharing one parsed scenario. Executing a plan is the one place
// that joins engine and output.
#include "input/scenario_file.hpp"
#include "sim/result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace khorgos {

struct RunPlan {
    std::shared_ptr<const LoadedScenario> scenario; ///< parsed once; never changed by a run
    std::vector<Override> sets;                     ///< parameter overrides, applied in order
    std::uint64_t seed = 1;
    int threads = 1;
    double scale = 1;
    std::string out;     ///< HDF5 file to write; empty = do not write a file
    bool force = false;  ///< replace an existing file
    bool events = false; ///< write the agent-level event log
    bool series = true;  ///< keep the series; false (no `out`): observables only
    std::function<bool(const std::vector<Observable>&)> after_year; ///< RunOptions::after_year
    std::string command_line;                                       ///< recorded as provenance
};

struct RunOutcome {
    RunResult result;
    std::string scenario_name;
};

/// Applies the overrides to a copy of the scenario, simulates and (if `out` is set)
/// writes the run file atomically. @throws InputError for bad input (checked
/// before any simulation), RuntimeError for I/O failures.
RunOutcome execute(const RunPlan& plan);

} // namespace khorgos
