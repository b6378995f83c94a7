#pragma once
// The posterior file of a calibration: every finished ABC-SMC generation
// (particles, weights, distances, the simulated values of every target, the
// tolerance, ESS and acceptance) plus what was calibrated and how. It is
// rewritten whole after each generation to a temporary file and renamed, so a
// killed calibration always leaves the last finished generation readable and
// `khorgos calibrate --resume` continues from it. Layout:
//   /                      attributes: format, calibration_text, seed, method, report
//   /parameters            names (strings)      /priors  descriptions (strings)
//   /targets/id, period, value, lower, upper, fitted
//   /generations/NNN/      attributes tolerance, acceptance, ess, simulations,
//                          proposals, seconds; datasets particles (N x d),
//                          weights (N), distances (N), simulated (N x m),
//                          distance_weights (m)
//   /fit/                  optional point fit: parameters (d), distance
#include <cstdint>
#include <string>
#include <vector>

namespace khorgos::output {

struct PosteriorGeneration {
    double tolerance = 0;                 ///< acceptance threshold of this generation
    double acceptance = 0;                ///< accepted / proposals numbered up to the last accepted
    double ess = 0;                       ///< effective sample size 1 / sum(w^2)
    std::uint64_t simulations = 0;        ///< simulations counted up to the last accepted proposal
    std::uint64_t proposals = 0;          ///< proposals numbered up to the last accepted one
    double seconds = 0;                   ///< wall time of the generation
    std::vector<double> particles;        ///< N x d, row-major
    std::vector<double> weights;          ///< N, normalised
    std::vector<double> distances;        ///< N
    std::vector<double> simulated;        ///< N x m, replicate means of every target
    std::vector<double> distance_weights; ///< m, weight of each target in the distance
};

struct PosteriorData {
    std::string
        calibration_text; ///< the calibration file(s) verbatim, for provenance and resume checks
    std::string method;   ///< "abc" or "fit"
    std::uint64_t seed = 0;
    std::string report; ///< the fit report, as printed
    std::vector<std::string> parameter_names;
    std::vector<std::string> priors; ///< e.g. "log_uniform(1e-05, 0.01)"
    std::vector<std::string> target_ids, target_periods;
    std::vector<double> target_values, target_lower, target_upper;
    std::vector<std::int32_t> target_fitted;
    std::vector<PosteriorGeneration> generations;
    std::vector<double> fit_parameters; ///< point fit, empty if none
    double fit_distance = 0;
};

/// Writes the whole file to `.NAME.tmp-PID` beside `path` and renames it into place.
/// @throws RuntimeError on I/O failure.
void write_posterior_file(const std::string& path, const PosteriorData& data);

/// Reads a posterior file. @throws InputError (key "posterior") if it is missing
/// or not a khorgos posterior file, RuntimeError on other I/O failures.
PosteriorData read_posterior_file(const std::string& path);

} // namespace khorgos::output
