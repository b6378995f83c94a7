#pragma once
// What people read and reuse from a calibration: the fit report (parameters
// with credible intervals; each target beside its posterior predictive and its
// share of the distance, flagged when the model cannot reach it), a calibrated
// parameter set as a scenario fragment, and a run's observables as targets
// (synthetic targets for identifiability checks).
#include "calibration/posterior.hpp"
#include "calibration/problem.hpp"
#include "sim/result.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace khorgos::calibration {

struct ParameterSummary {
    std::string name;
    double mean = 0, median = 0, lower90 = 0, upper90 = 0, best = 0; ///< best: smallest distance
    /// Width of the 90% interval over the prior's 90% width, on the internal
    /// (log for log-uniform) scale: 1 = the data taught nothing.
    double width_ratio = 0;
};

std::vector<ParameterSummary> summarise_parameters(const Problem& problem,
                                                   const PosteriorGeneration& gen);

struct TargetSummary {
    double median = NAN, lower90 = NAN, upper90 = NAN; ///< posterior predictive (fresh draws)
    double contribution = 0;  ///< weighted mean of the target's distance term in `gen`
    bool unreachable = false; ///< official value (band) outside the 90% interval
};

/// Contributions from the generation's accepted simulations; median and interval from
/// the predictive (left NaN if it was not drawn from this generation).
std::vector<TargetSummary> summarise_targets(const Problem& problem, const PosteriorGeneration& gen,
                                             const PosteriorPredictive& predictive);

/// The report of an ABC-SMC run (its last generation, the point fit it started
/// from if any, the predictive, `data.stopping`) as a fixed-width text.
std::string abc_report(const Problem& problem, const PosteriorData& data);

/// The report of a point fit: parameters and each target's simulated value and term.
std::string fit_report(const Problem& problem, const std::vector<double>& theta,
                       const std::vector<double>& simulated, double distance);

/// A scenario fragment: `extends` the scenario and sets the values in [parameters].
std::string scenario_fragment(const std::string& extends, const std::string& name,
                              const std::string& comment, const std::vector<Prior>& priors,
                              const std::vector<double>& values);

/// A run's observables in the targets format (same schema as article.toml). Kind,
/// error model and fitted flag are copied from `like` where the id and period match.
std::string targets_toml(const RunResult& run, const std::vector<Target>& like,
                         const std::string& source);

} // namespace khorgos::calibration
