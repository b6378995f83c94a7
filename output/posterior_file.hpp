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
//   /fit/                  optional point fit (method fit, or ABC's start):
//                          parameters (d); attributes distance, evaluations, simulations
//   /predictive/           optional posterior predictive from fresh simulations:
//                          attribute generation (the one drawn from); datasets
//                          particle (M, index in that generation), parameters (M x d),
//                          simulated (M x m), median, lower90, upper90 (m)
//   /history_matching/waves/NNN/  optional history-matching waves: attributes
//                          simulations, seconds, kept, fraction, met_all,
//                          emulator_share; datasets design (n x d), simulated
//                          (n*r x m, every replicate), train_x (t x d), train_y
//                          (t x m), length_scales (m x d), nugget, sim_variance,
//                          met (m), met_pairs (m x m), loo (t x m), region (s x d);
//                          attribute /history_matching stopping
// The root attribute `stopping` is empty until ABC-SMC has stopped (then: why),
// so a resumed calibration that finds it set only completes the predictive.
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
    std::string method;   ///< "abc" or "fit"
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

/// Writes the whole file to `.NAME.tmp-PID` beside `path` and renames it into place.
/// @throws RuntimeError on I/O failure.
void write_posterior_file(const std::string& path, const PosteriorData& data);

/// Reads a posterior file. @throws InputError (key "posterior") if it is missing
/// or not a khorgos posterior file, RuntimeError on other I/O failures.
PosteriorData read_posterior_file(const std::string& path);

} // namespace khorgos::output
