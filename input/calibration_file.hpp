#pragma once
// Calibration files (calibration/*.toml): which scenario, which parameters
// with which priors, which targets (by id or id@period; the rest are held out
// and only predicted), the distance, replicates, scale, seed and the algorithm
// settings. Everything is checked at load time, before any simulation: unknown
// parameters, priors outside a parameter's bounds, inverted bounds, unknown
// targets, zero replicates are InputErrors with file, line and key.
#include "calibration/abc_smc.hpp"
#include "calibration/history_settings.hpp"
#include "calibration/point_fit.hpp"
#include "calibration/problem.hpp"
#include "calibration/targets.hpp"
#include "input/file_source.hpp"

#include <string>
#include <vector>

namespace khorgos::calibration {

struct CalibrationSpec {
    std::string path;
    std::string text; ///< the file verbatim (provenance; resume checks)
    std::string name;
    std::string scenario_path; ///< resolved relative to the calibration file
    std::string targets_path;  ///< resolved; replaced by --targets
    std::vector<Prior> priors;
    std::vector<Target> targets;
    std::vector<bool> fitted; ///< one per target
    DistanceKind distance = DistanceKind::log_ratio;
    bool adaptive_weights = false;
    int replicates = 1;
    double scale = 10;
    std::uint64_t seed = 1;
    std::string method = "abc"; ///< "abc", "fit" or "history_matching"
    AbcSettings abc;
    FitSettings fit;
    bool fit_from_scenario =
        false; ///< [fit] start = "scenario": the scenario's values, not the prior medians
    HistoryMatchingSettings history; ///< method history_matching, or abc.start = "history_matching"
};

/// Loads and validates a calibration file; `targets_override` replaces its
/// targets file. Files come from `files` (the disk, or memory for the fuzzer).
/// @throws InputError with file, line and key.
CalibrationSpec load_calibration(const std::string& path, const std::string& targets_override = "",
                                 const FileSource& files = disk_files());

} // namespace khorgos::calibration
