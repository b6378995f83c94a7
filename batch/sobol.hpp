#pragma once
// Sobol sensitivity indices from the outputs of a Saltelli design
// (input/batch_spec.hpp: per base sample i, the rows A_i, AB_i^1..AB_i^D,
// with second order BA_i^1..BA_i^D, then B_i), with the estimators of
// Saltelli et al. (2010), "Variance based sensitivity analysis of model
// output", Computer Physics Communications 181, 259-270, Table 2:
//   first order  S_k  = mean_i f(B_i) (f(AB_i^k) - f(A_i)) / V    (Saltelli 2010, (b))
//   total        ST_k = mean_i (f(A_i) - f(AB_i^k))^2 / (2 V)     (Jansen 1999, (f))
// where AB_i^k is A_i with column k taken from B_i and V the variance
// (divisor n) of the f(A_i) and f(B_i) together. The intervals are
// percentile bootstrap intervals over the base samples i.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace khorgos::batch {

/// Bootstrap resamples behind each interval, and the fixed key of their
/// draws: the same outputs always give the same intervals.
constexpr int kSobolResamples = 1000;
constexpr std::uint64_t kSobolBootstrapSeed = 0x736f626f6c; // "sobol"

struct SobolEstimate {
    double estimate = 0;     ///< from all base samples
    double q05 = 0, q95 = 0; ///< 5% and 95% quantiles of the bootstrap estimates
    double sd = 0;           ///< standard deviation of the bootstrap estimates
};

struct SobolIndices {
    std::vector<SobolEstimate> first, total; ///< one per parameter, in column order
    std::size_t samples = 0;                 ///< base samples used (those without a NaN)
};

/// The indices of each of `parameters` columns from `y`, the outputs of a
/// Saltelli design of `samples` base samples in its row order. A base sample
/// with a NaN output anywhere in its rows (a failed run) is left out; with
/// fewer than two left, or outputs without variance, every index is NaN.
SobolIndices sobol_indices(const std::vector<double>& y, std::size_t samples,
                           std::size_t parameters, bool second_order,
                           int resamples = kSobolResamples,
                           std::uint64_t seed = kSobolBootstrapSeed);

} // namespace khorgos::batch
