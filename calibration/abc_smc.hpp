#pragma once
// ABC-SMC (Toni et al. 2009; Beaumont et al. 2009): a sequence of particle
// populations at decreasing tolerances. Generation 0 samples the prior; each
// later one perturbs particles of the previous one with a multivariate normal
// kernel (kernel_scale x weighted covariance, on the log scale for log-uniform
// priors), keeps proposals whose distance is within the tolerance (a quantile
// of the previous distances), and weights them prior / mixture of kernels.
//
// Reproducibility: proposals are numbered before they run; proposal k of
// generation g draws its parameters and simulation seeds from Philox streams
// keyed by (seed, k, g), and a generation keeps the first N accepted proposals
// by number (as pyABC does). Batches may run on any number of threads or ranks
// and in any order: the posterior depends on the seed alone.
#include "calibration/problem.hpp"
#include "output/posterior_file.hpp"

#include <functional>
#include <string>
#include <vector>

namespace khorgos::calibration {

struct AbcSettings {
    int particles = 100;
    double quantile = 0.5; ///< next tolerance = this quantile of the previous distances
    int max_generations = 10;
    double min_tolerance = 0;          ///< stop once the tolerance reaches it
    double min_acceptance = 0.01;      ///< stop once a generation's acceptance falls below
    std::uint64_t max_simulations = 0; ///< stop before exceeding it (0 = no limit)
    double kernel_scale = 2;           ///< kernel covariance = this x weighted covariance
    std::uint64_t seed = 1;
};

using Generation = output::PosteriorGeneration;

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
