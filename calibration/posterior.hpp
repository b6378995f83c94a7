#pragma once
// What a calibration produced: its finished ABC-SMC generations, the point fit,
// the posterior predictive, the waves of history matching and what was
// calibrated and how. Plain data of the
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

/// One wave of history matching (see calibration/history_matching.hpp).
/// Targets not fitted have NaN in every per-target field.
struct HistoryWave {
    std::vector<double> design;        ///< n x d parameter values, numbered before they ran
    std::vector<double> simulated;     ///< (n x replicates) x m, row = point * replicates + r
    std::uint64_t simulations = 0;     ///< n x replicates
    double seconds = 0;                ///< wall time of the wave
    std::vector<double> train_x;       ///< t x d, the emulators' training inputs (unit cube)
    std::vector<double> train_y;       ///< t x m, replicate means on the comparison scale
    std::vector<double> length_scales; ///< m x d, fitted per emulator
    std::vector<double> nugget;        ///< m, noise variance / process variance
    std::vector<double> sim_variance;  ///< m, variance of one simulation (comparison scale)
    std::vector<double> loo;           ///< t x m, leave-one-out standardised errors
    std::vector<double> met; ///< m, share of the previous region's sample that meets the target
    std::vector<double> met_pairs; ///< m x m, share that meets both targets together
    double met_all = 0;            ///< share that meets every fitted target together
    double kept = 0;               ///< share of the previous region's sample still non-implausible
    double fraction = 0;           ///< estimated share of the prior box still non-implausible
    double emulator_share = 0;     ///< largest mean V_em / (V_obs + V_disc + V_sim) over the region
    std::vector<double> region;    ///< s x d parameter values: sample of the region after the wave
};

struct PosteriorData {
    std::string
        calibration_text; ///< the calibration file(s) verbatim, for provenance and resume checks
    /// Fingerprint and path of every input file (calibration, targets, scenario
    /// and each `extends` parent), one per line: --resume refuses a changed one.
    std::string inputs;
    std::string method; ///< "abc", "fit" or "history_matching"
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
    std::vector<HistoryWave> waves; ///< history matching, alone or before ABC-SMC
    std::string wave_stopping;      ///< why history matching stopped; empty while it runs
};

} // namespace khorgos::calibration
