#pragma once
// The posterior file of a calibration: every finished ABC-SMC generation
// (particles, weights, distances, the simulated values of every target, the
// tolerance, ESS and acceptance) plus what was calibrated and how. It is
// rewritten whole after each generation to a temporary file and renamed, so a
// killed calibration always leaves the last finished generation readable and
// `khorgos calibrate --resume` continues from it. Layout:
//   /                      attributes: format, calibration_text, inputs, seed, method,
//                          report
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
#include "calibration/posterior.hpp"

#include <string>

namespace khorgos::output {

/// Writes the whole file through io::OutputFile; `replace` allows replacing a
/// regular file at `path` (a later generation of the same calibration).
/// @throws InputError if `path` exists and !replace, or is not a regular file;
///         RuntimeError on I/O failure.
void write_posterior_file(const std::string& path, const calibration::PosteriorData& data,
                          bool replace);

/// Reads and validates a posterior file: weights finite, non-negative, with a
/// positive sum; particles of the right shape, of known parameters and inside
/// their bounds. @throws InputError naming the file (and the generation and
/// particle) if it is missing, not a regular file, not a khorgos posterior
/// file, corrupt or invalid.
calibration::PosteriorData read_posterior_file(const std::string& path);

} // namespace khorgos::output
