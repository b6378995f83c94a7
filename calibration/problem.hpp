#pragma once
// A calibration problem, independent of the engine: priors on named
// parameters, the targets (all of them, a mask saying which are fitted), the
// distance, and one function "parameters in, simulated target values out".
// ABC-SMC and the point fit work on this alone, so a toy model in a test is
// calibrated by exactly the code that calibrates the engine.
#include "calibration/targets.hpp"
#include "sim/rng.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace khorgos::calibration {

enum class PriorKind { uniform, log_uniform, normal };

/// A prior on one parameter; always bounded to [lower, upper] (a normal prior is truncated).
struct Prior {
    std::string name; ///< dotted parameter name, as `--set` uses it
    PriorKind kind = PriorKind::uniform;
    double lower = 0, upper = 1;
    double mean = 0, sd = 1; ///< normal only

    bool contains(double x) const { return x >= lower && x <= upper; }
    /// Density up to a constant (0 outside the bounds).
    double density(double x) const;
    /// Normalised density of the internal value u = to_internal(x) (0 outside the bounds):
    /// the start proposal mixes the prior with a normal, so the constant matters there.
    double internal_density(double u) const;
    /// Standard deviation of the internal value (the width of a start proposal is set in it).
    double internal_sd() const;
    /// Width of the prior's central 90% on the internal scale: 0.9 of the
    /// bounds' width for a uniform or log-uniform prior, the smaller of that
    /// and 3.29 sd for a truncated normal (a reference, not an exact quantile).
    double internal_width90() const;
    double sample(RandomStream& stream) const;
    /// "uniform(0, 1)" etc.
    std::string describe() const;
    /// The scale the point fit and reports work on: log for log-uniform, else identity.
    double to_internal(double x) const;
    double from_internal(double u) const;
};

/// Simulates once with the given parameter values (in prior order) and seed;
/// returns one value per target of the problem (NaN where the run has none).
using Simulator =
    std::function<std::vector<double>(const std::vector<double>& theta, std::uint64_t seed)>;

enum class DistanceKind {
    log_ratio, ///< z = log(simulated / official) / sd (relative targets)
    scaled     ///< z = (simulated - official) / (sd * |official|)
};

struct Problem {
    std::vector<Prior> priors;
    std::vector<Target> targets;
    std::vector<bool> fitted; ///< one per target
    DistanceKind distance = DistanceKind::log_ratio;
    bool adaptive_weights = false; ///< re-estimate each target's scale per generation (MAD)
    Simulator simulate;
    int replicates = 1; ///< simulations averaged per parameter set
};

/// A value of a target's figure on the scale it is compared on: its log for
/// log-ratio distances (floored at 1e-3 of the figure, as the distance is), x /
/// |figure| for scaled ones. z is a difference on this scale over the target's
/// total sd; history matching emulates the figures on it.
double comparison_scale(const Target& t, double x, DistanceKind kind);

/// z of one target (0 inside a uniform target's band); huge for NaN.
double standardized_error(const Target& t, double simulated, DistanceKind kind);

/// Weighted sum of squared z over the fitted targets.
double distance(const Problem& problem, const std::vector<double>& simulated,
                const std::vector<double>& weights);

/// Each target's term w * z^2 (0 for targets not fitted).
std::vector<double> contributions(const Problem& problem, const std::vector<double>& simulated,
                                  const std::vector<double>& weights);

/// The seed of replicate r of proposal k in generation g: a Philox hash of all four.
std::uint64_t simulation_seed(std::uint64_t seed, std::uint64_t proposal, std::uint32_t generation,
                              std::uint32_t replicate);

/// Purposes of the calibration's own random streams (kept apart from the engine's).
enum class CalibrationStream : std::uint32_t {
    proposal = 0x1000, ///< drawing a proposal's parameters
    seeds,             ///< simulation seeds
    posterior_draw,    ///< `run --posterior`: which particle
    predictive,        ///< posterior predictive draw: which particle, and its simulation seed
    design,            ///< history matching: a wave's design
    region,            ///< history matching: sampling the non-implausible region
};

/// The generation number the point fit's common random numbers are keyed by
/// (beyond any real generation).
constexpr std::uint32_t kFitGeneration = 0xFFFFF;
/// Wave w of history matching keys its simulation seeds as generation kWaveGeneration + w.
constexpr std::uint32_t kWaveGeneration = 0xFF000;
RandomStream calibration_stream(std::uint64_t seed, std::uint64_t id, std::uint32_t step,
                                CalibrationStream purpose);

/// Weighted quantile (weights need not be normalised).
double weighted_quantile(std::vector<std::pair<double, double>> value_weight, double q);

} // namespace khorgos::calibration

namespace khorgos::calibration {

/// Told by a staged simulator each figure (target index, value) as it becomes
/// final, in the order the run produces them; returning false ends the run.
using FigureCheck = std::function<bool(std::size_t target, double value)>;

/// A simulator that reports figures as they pass and stops when told to;
/// figures it did not reach are NaN (so the distance of a stopped run is huge).
using StagedSimulator = std::function<std::vector<double>(
    const std::vector<double>& theta, std::uint64_t seed, const FigureCheck& keep_going)>;

/// One parameter set to simulate: its values and the seed of each replicate.
struct Evaluation {
    std::vector<double> theta;
    std::vector<std::uint64_t> seeds;
    /// Early rejection (one seed only): a staged simulator may stop when it says
    /// so. Evaluators without one ignore it, with the same acceptances.
    FigureCheck keep_going;
};

/// A check that says stop once the weighted sum of the fitted targets' terms
/// passed so far exceeds `tolerance`: exact, since terms are never negative and
/// a run stopped early is rejected anyway. Each call makes a fresh sum.
FigureCheck early_rejection(const Problem& problem, const std::vector<double>& weights,
                            double tolerance);

/// Simulates a batch and returns, per evaluation, the mean over its replicates
/// of the simulated target values. Implementations may run the batch on threads
/// or MPI ranks; the results must not depend on how (results are put back in order).
using BatchEvaluator =
    std::function<std::vector<std::vector<double>>(const std::vector<Evaluation>& batch)>;

/// The default evaluator: an OpenMP loop over the batch with `jobs` threads,
/// each simulation single-threaded; with `staged`, evaluations that carry a
/// `keep_going` run through it. @throws whatever the simulator threw first.
BatchEvaluator openmp_evaluator(const Simulator& simulate, int jobs,
                                const StagedSimulator& staged = nullptr);

} // namespace khorgos::calibration
