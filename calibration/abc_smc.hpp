#pragma once
// ABC-SMC (Toni et al. 2009; Beaumont et al. 2009): a sequence of particle
// populations at decreasing tolerances. Generation 0 samples the prior; each
// later one perturbs particles of the previous one with a multivariate normal
// kernel (kernel_scale x weighted covariance, on the log scale for log-uniform
// priors), keeps proposals whose distance is within the tolerance (a quantile
// of the previous distances), and weights them prior / mixture of kernels.
//
// Started from a point fit, generation 0 instead draws from a proposal q around
// the fit: a defensive mixture of the prior (share kStartPriorShare) and
// independent normals truncated to the prior bounds. Its tolerance is the
// `quantile` of the distances of its first N proposals, and its particles are
// weighted prior / q, so generation 0 is an importance sample of the ABC
// posterior at that tolerance and everything after it is unchanged. The prior
// share keeps q positive wherever the prior is and bounds every weight by
// 1 / kStartPriorShare times the prior-to-prior ratio.
//
// Inside a history-matching region (start = history_matching): the prior is
// truncated to the non-implausible region. Generation 0 takes proposal k from
// the region's sample (uniform on the region, on the internal scale), weighted
// by the prior density, and later proposals are redrawn until they fall in the
// region as well as within the prior bounds.
//
// Early rejection: with one replicate, each proposal carries a check that
// stops a staged simulator once the terms of the figures passed so far add up
// to more than the tolerance. The terms are never negative, so such a run would
// have been rejected anyway: the posterior is the same, with less simulated.
//
// Reproducibility: proposals are numbered before they run; proposal k of
// generation g draws its parameters and simulation seeds from Philox streams
// keyed by (seed, k, g), and a generation keeps the first N accepted proposals
// by number (as pyABC does). Batches may run on any number of threads or ranks
// and in any order: the posterior depends on the seed alone.
#include "calibration/posterior.hpp"
#include "calibration/problem.hpp"

#include <functional>
#include <string>
#include <vector>

namespace khorgos::calibration {

enum class AbcStart { prior, fit, history_matching };

/// Share of the prior in the start proposal's mixture (see above).
constexpr double kStartPriorShare = 0.2;

struct AbcSettings {
    int particles = 100;
    double quantile = 0.5; ///< next tolerance = this quantile of the previous distances
    int max_generations = 10;
    double min_tolerance = 0;          ///< stop once the tolerance reaches it
    double min_acceptance = 0.01;      ///< stop once a generation's acceptance falls below
    std::uint64_t max_simulations = 0; ///< stop before exceeding it (0 = no limit)
    double kernel_scale = 2;           ///< kernel covariance = this x weighted covariance
    std::uint64_t seed = 1;
    AbcStart start = AbcStart::prior;
    /// sd of the start proposal's normals, in units of each prior's sd (internal scale).
    /// Narrower than the posterior in any direction (e.g. along a parameter the
    /// data do not inform) makes the weights prior / q degenerate, the more so
    /// the more parameters; 1 tilts towards the fit without that risk.
    double start_width = 1.0;
    std::vector<double> start_point; ///< the point fit (parameter values); needed by AbcStart::fit
    int predictive_draws = 200;      ///< fresh simulations for the posterior predictive
    /// Stop once a generation's tolerance is above (1 - this) x the previous one
    /// (tolerances under fixed distance weights only; 0 = never).
    double min_tolerance_drop = 0.05;
    /// AbcStart::history_matching: membership of the non-implausible region, and a
    /// sample uniform on it (rows of parameter values) for generation 0.
    std::function<bool(const std::vector<double>&)> region;
    std::vector<double> region_sample;
};

using Generation = PosteriorGeneration;

/// Called after every finished generation with all generations so far (e.g. to write them).
using GenerationCallback = std::function<void(const std::vector<Generation>&)>;

/// Runs (or continues, when `generations` is not empty) ABC-SMC until a stopping
/// rule holds; returns every generation. `log` receives one progress line per generation.
std::vector<Generation> run_abc_smc(const Problem& problem, const AbcSettings& settings,
                                    const BatchEvaluator& evaluate,
                                    std::vector<Generation> generations,
                                    const GenerationCallback& on_generation,
                                    const std::function<void(const std::string&)>& log);

/// Why the last run_abc_smc stopped, from its generations and settings.
std::string stopping_reason(const AbcSettings& settings,
                            const std::vector<Generation>& generations);

} // namespace khorgos::calibration
