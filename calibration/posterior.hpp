#pragma once
// What a calibration produced: its finished ABC-SMC generations, the point fit,
// the posterior predictive and what was calibrated and how. Plain data of the
// calibration layer; output/posterior_file.hpp stores it as HDF5.
#include <cstdint>
#include <string>
#include <vector>

namespace khorgos::calibration {

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

struct PosteriorPredictive {
    std::int64_t generation = -1;   ///< the generation the parameters were drawn from; -1 = none
    std::vector<double> particle;   ///< M, index of each draw's particle in that generation
    std::vector<double> parameters; ///< M x d, row-major
    std::vector<double> simulated;  ///< M x m, one fresh simulation per draw
    std::vector<double> median, lower90, upper90; ///< m, over the draws (NaN: no value)
};

struct PosteriorData {
    std::string
        calibration_text; ///< the calibration file(s) verbatim, for provenance and resume checks
    /// Fingerprint and path of every input file (calibration, targets, scenario
    /// and each `extends` parent), one per line: --resume refuses a changed one.
    std::string inputs;
    std::string method; ///< "abc" or "fit"
    std::uint64_t seed = 0;
    std::string report;   ///< the fit report, as printed
    std::string stopping; ///< why ABC-SMC stopped; empty while it runs
    std::vector<std::string> parameter_names;
    std::vector<std::string> priors; ///< e.g. "log_uniform(1e-05, 0.01)"
    std::vector<std::string> target_ids, target_periods;
    std::vector<double> target_values, target_lower, target_upper;
    std::vector<std::int32_t> target_fitted;
    std::vector<PosteriorGeneration> generations;
    std::vector<double> fit_parameters; ///< point fit, empty if none
    double fit_distance = 0;
    std::uint64_t fit_evaluations = 0, fit_simulations = 0;
    PosteriorPredictive predictive;
};

} // namespace khorgos::calibration
