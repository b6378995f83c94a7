#pragma once
// The posterior predictive from fresh simulations. The accepted simulations of
// the last generation are biased towards small distances (they were kept
// because they came close), so the predictive draws new ones: draw i picks a
// particle of the last generation by weight and a new simulation seed, both
// from the Philox stream keyed (seed, i, generation, predictive), and runs one
// simulation. Draws are numbered, so the result depends on the seed alone, not
// on the number of threads or ranks.
#include "calibration/posterior.hpp"
#include "calibration/problem.hpp"

#include <vector>

namespace khorgos::calibration {

/// `draws` fresh simulations from the weighted particles of the last of `gens`,
/// with each target's median and 90% interval (NaN where no draw produced the target).
PosteriorPredictive posterior_predictive(const Problem& problem,
                                         const std::vector<PosteriorGeneration>& gens,
                                         std::uint64_t seed, int draws,
                                         const BatchEvaluator& evaluate);

} // namespace khorgos::calibration
