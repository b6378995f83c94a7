#pragma once
// A fast point fit: NLopt's derivative-free local optimisers (LN_BOBYQA by
// default) minimise the mean distance over a few replicates, on the log scale
// for log-uniform priors, within the prior bounds. The replicates' seeds are
// the same for every evaluation (common random numbers), so the objective is a
// deterministic function of the parameters.
#include "calibration/problem.hpp"

#include <functional>
#include <string>
#include <vector>

namespace khorgos::calibration {

struct FitSettings {
    std::string algorithm = "LN_BOBYQA"; ///< LN_BOBYQA, LN_NELDERMEAD, LN_SBPLX, LN_COBYLA
    int max_evaluations = 200;
    int replicates = 2;
    std::uint64_t seed = 1;
    std::vector<double> start; ///< starting point; empty = prior medians
};

struct FitResult {
    std::vector<double> theta;
    double distance = 0;           ///< mean distance over the replicates
    std::vector<double> simulated; ///< mean simulated target values at theta
    int evaluations = 0;
    std::string status;
};

/// @throws InputError for an unknown algorithm.
FitResult point_fit(const Problem& problem, const FitSettings& settings,
                    const BatchEvaluator& evaluate,
                    const std::function<void(const std::string&)>& log);

/// Whether `name` is an algorithm point_fit accepts.
bool known_fit_algorithm(const std::string& name);

} // namespace khorgos::calibration
