#pragma once
// Cross-replicate summaries of a finished batch, computed from the run files
// on disk (not from memory), so a resumed batch summarises exactly what an
// uninterrupted one would.
#include "input/batch_spec.hpp"
#include "output/batch_file.hpp"

#include <string>
#include <vector>

namespace khorgos::batch {

/// A run's state as the manifest records it.
struct RunStatus {
    enum class State { pending, ok, failed };
    State state = State::pending;
    std::string error; ///< why it failed
};

struct Summary {
    output::BatchSummary file;
    std::vector<std::string> observable_names;    ///< "id@period", in the runs' order
    std::vector<std::vector<double>> observables; ///< per run index; empty unless it succeeded
};

/// Summarises every successful run under `directory`: per condition (scenario
/// x variation) the mean and 5/50/95% quantiles of each kept observable and
/// series over replicates, and per counterfactual the same statistics of the
/// differences from the baseline paired by replicate index.
/// @throws InputError if a run file cannot be read, RuntimeError if runs
///         disagree on their dimensions.
Summary summarise(const Spec& spec, const std::vector<Run>& runs,
                  const std::vector<RunStatus>& status, const std::string& directory);

} // namespace khorgos::batch
