#pragma once
// History matching (Craig et al. 1997; Vernon et al. 2010; Andrianakis et al.
// 2015): rule out, in waves, the parameter sets at which the model cannot match
// the figures, using Gaussian-process emulators in place of the simulator.
//
// Wave w runs a space-filling design inside the current non-implausible region
// (a maximin Latin hypercube in the prior box for wave 0; a greedy maximin
// subset of the region's sample after that), each point `replicates` times.
// One emulator per fitted target is fitted to the replicate means on the
// comparison scale (log for log-ratio distances), from the design points of
// every wave that lie in the current region. A point x is implausible for
// target i when
//     I_i(x) = |z_i - E[f_i(x)]| / sqrt(V_obs + V_disc + V_em(x) + V_sim) > cutoff
// (z_i: the figure, or the distance to its band; V_sim: the variance of one
// simulation, from the replicates). x stays non-implausible while the
// `order`-th largest I_i is within the cutoff, for every wave so far.
//
// The region is carried from wave to wave as a sample that is uniform on it:
// the previous sample filtered by the new wave's emulators (the share kept
// measures how much the wave cut), refilled by random walks that never leave
// the region (a Metropolis chain with a uniform target on the region), so the
// sample does not collapse when the region is a tiny share of the box.
//
// Reproducibility: a wave's design and its simulation seeds are fixed before
// any simulation runs, from Philox streams keyed by (seed, point, wave); the
// emulator fits use fixed starts; the region's random walks are keyed per
// chain. Waves depend on the seed alone, not on threads, ranks or order.
#include "calibration/emulator.hpp"
#include "calibration/history_settings.hpp"
#include "calibration/posterior.hpp"
#include "calibration/problem.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace khorgos::calibration {

using Wave = HistoryWave;

/// The non-implausible region left by a sequence of waves, rebuilt from their
/// stored data (emulators refitted from stored hyperparameters, bit for bit).
class NonImplausibleRegion {
  public:
    NonImplausibleRegion(const Problem& problem, const HistoryMatchingSettings& settings,
                         const std::vector<Wave>& waves);
    /// Adds the emulators of one more wave.
    void add(const Wave& wave);
    /// Whether parameter values `theta` are non-implausible for every wave.
    bool contains(const std::vector<double>& theta) const;
    /// The same for a point of the unit cube, for the first `waves` waves (all: -1).
    bool contains_unit(const Eigen::VectorXd& u, int waves = -1) const;
    /// Implausibility of every target (NaN if not fitted) at u under wave w's emulators.
    std::vector<double> implausibilities(const Eigen::VectorXd& u, std::size_t w) const;
    /// Mean over the points of V_em / (V_obs + V_disc + V_sim) for each target, wave w.
    std::vector<double> emulator_shares(const std::vector<Eigen::VectorXd>& points,
                                        std::size_t w) const;
    std::size_t waves() const { return emulators_.size(); }
    Eigen::VectorXd to_unit(const std::vector<double>& theta) const;
    std::vector<double> from_unit(const Eigen::VectorXd& u) const;
    int order() const { return order_; }

  private:
    const Problem& problem_;
    double cutoff_;
    int order_;
    KernelKind kernel_;
    std::vector<std::vector<std::optional<Emulator>>> emulators_; ///< [wave][target]
    std::vector<std::vector<double>> sim_variance_;               ///< [wave][target]
};

/// Called after every finished wave with all waves so far (e.g. to write them).
using WaveCallback = std::function<void(const std::vector<Wave>&)>;

/// Runs (or continues, when `waves` is not empty) history matching until a
/// stopping rule holds; returns every wave. @throws RuntimeError if a fitted
/// target has no simulated value.
std::vector<Wave> run_history_matching(const Problem& problem,
                                       const HistoryMatchingSettings& settings,
                                       const BatchEvaluator& evaluate, std::vector<Wave> waves,
                                       const WaveCallback& on_wave,
                                       const std::function<void(const std::string&)>& log);

/// Why history matching stops after these waves; "" to go on.
std::string history_stopping_reason(const HistoryMatchingSettings& s,
                                    const std::vector<Wave>& waves);

/// Parameter values that stand for the region, as a scenario fragment's: the
/// median of each parameter over the last wave's region sample (the same on
/// either scale, so geometric for log-uniform priors); when the region is
/// empty, the design point whose simulations came closest to the figures
/// (smallest mean distance). `what` says which of the two it is.
std::vector<double> region_median(const Problem& problem, const std::vector<Wave>& waves,
                                  std::string* what = nullptr);

/// A maximin Latin hypercube of n points in [0, 1]^d: the best of `tries`
/// random ones by smallest pairwise distance, from the stream (seed, id).
Eigen::MatrixXd maximin_lhs(int n, int d, std::uint64_t seed, std::uint32_t id, int tries = 50);

/// The waves as a fixed-width text: per wave the simulations, the share of the
/// region kept and of the box left, the emulators' LOO diagnostics; per target
/// the share of the region that meets it, and the figures no point meets together.
std::string history_matching_report(const Problem& problem, const HistoryMatchingSettings& s,
                                    const std::vector<Wave>& waves, const std::string& stopping);

} // namespace khorgos::calibration
