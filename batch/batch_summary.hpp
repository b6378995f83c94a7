#pragma once
// Cross-replicate summaries of a finished batch, computed from the run files
// on disk (not from memory), so a resumed batch summarises exactly what an
// uninterrupted one would.
#include "batch/sobol.hpp"
#include "input/batch_spec.hpp"
#include "output/batch_file.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace khorgos::batch {

/// A run's state as the manifest records it.
struct RunStatus {
    enum class State { pending, ok, failed };
    State state = State::pending;
    std::string error; ///< why it failed
};

/// A counterfactual's paired effect on one chosen figure: statistics of
/// (counterfactual - baseline) over the replicates where both ran, each pair
/// with the same seed (and, with a posterior, the same parameter draw).
struct Effect {
    std::string contrast, figure;
    bool known = false; ///< the figure is an observable of the runs
    double pairs = 0;
    double mean = NAN, q05 = NAN, q50 = NAN, q95 = NAN;
};

struct Summary {
    output::BatchSummary file;
    std::vector<std::string> observable_names;    ///< "id@period", in the runs' order
    std::vector<std::vector<double>> observables; ///< per run index; empty unless it succeeded
    /// Saltelli designs only: the Sobol indices of each observable (in
    /// observable_names' order) for each scenario, from the replicates' mean.
    std::vector<std::vector<SobolIndices>> sobol;
    /// The paired effects on the batch's `effects` figures, contrast-major.
    std::vector<Effect> effects;
};

/// The Sobol indices as a table (sensitivity.csv): one row per scenario,
/// observable, varied parameter and index (first, total), with its estimate,
/// 90% bootstrap interval and bootstrap sd.
std::string sensitivity_csv(const Spec& spec, const Summary& summary);

/// What the spread of a batch's replicates holds: stochastic uncertainty, and
/// with a posterior parameter uncertainty too.
std::string uncertainty(const Spec& spec);

/// A counterfactual's deciding parameter, judged by the batch's [sensitivity] table.
struct DecidingParameter {
    std::string scenario, parameter;
    bool informed = false;
    double largest_total = 0; ///< its largest total index over the judged figures
    std::string figure;       ///< where that is
};

/// Every deciding parameter of every counterfactual (none without [sensitivity]).
std::vector<DecidingParameter> deciding_parameters(const Spec& spec);

/// The same indices as a JSON array of {scenario, observable, parameter,
/// first, total}, each index {estimate, q05, q95, sd} (null for NaN).
std::string sensitivity_json(const Spec& spec, const Summary& summary);

/// Summarises every successful run under `directory`: per condition (scenario
/// x variation) the mean and 5/50/95% quantiles of each kept observable and
/// series over replicates, and per counterfactual the same statistics of the
/// differences from the baseline paired by replicate index; with a Saltelli
/// design, the Sobol indices of each observable (group "sensitivity").
/// @throws InputError if a run file cannot be read, RuntimeError if runs
///         disagree on their dimensions.
Summary summarise(const Spec& spec, const std::vector<Run>& runs,
                  const std::vector<RunStatus>& status, const std::string& directory);

} // namespace khorgos::batch
