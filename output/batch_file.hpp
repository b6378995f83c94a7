#pragma once
// The batch summary file: the cross-replicate summaries of a batch in one
// HDF5 file that is also NetCDF-4/CF, like a run file. Every summarised
// variable has the run's dimensions behind two leading ones: (condition,
// statistic) for a scenario's own values, (contrast, statistic) for a
// counterfactual's paired difference from the baseline (suffix
// "_difference"). Observables are variables over the "observable" dimension,
// whose labels are "id@period". The file holds no wall-clock time, so an
// interrupted and resumed batch writes the same file as an uninterrupted one.
#include "sim/result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace khorgos::output {

struct BatchSummary {
    std::string name;       ///< the batch's name
    std::string batch_text; ///< the batch file verbatim
    std::string program_version;
    std::string git_commit;
    std::uint64_t seed = 0; ///< the batch seed
    int replicates = 0;     ///< replicates asked for per condition
    double scale = 1;       ///< persons per agent
    std::string baseline;   ///< the baseline scenario's id
    /// Label and numeric coordinates; must include "condition", "statistic"
    /// and (when there are counterfactuals) "contrast".
    std::vector<Coordinate> coordinates;
    /// Summaries, grouped like the run files' variables (group "observables" too).
    std::vector<Variable> variables;
    /// What each label of the "observable" coordinate means (values unused).
    std::vector<Observable> observables;
};

/// Writes the summary to `path` atomically: a temporary file beside it, synced,
/// then renamed over any previous summary.
/// @throws RuntimeError on an inconsistent summary or an I/O failure.
void write_batch_summary(const std::string& path, const BatchSummary& summary);

/// Reads a summary back. @throws InputError if the file is missing or not a
/// khorgos batch summary, RuntimeError if it is corrupt.
BatchSummary read_batch_summary(const std::string& path);

/// Whether several threads may write run files at once (HDF5 built thread-safe).
bool concurrent_writers();

} // namespace khorgos::output
