#pragma once
// A batch file (scenarios/batches/*.toml) declares many runs at once, like
// NetLogo's BehaviorSpace: scenarios (one the baseline), replicate seeds, and
// optionally parameter variations (a grid, a Latin hypercube, a Saltelli
// sample, or a design matrix read from CSV). A Spec is the validated file; its
// runs are plain RunPlans, so a batch run equals the same `khorgos run`.
// Every problem of the file is an InputError found before any run starts.
#include "input/file_source.hpp"
#include "input/scenario_file.hpp"
#include "sim/parameters.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace khorgos::batch {

struct ScenarioEntry {
    std::string id;             ///< short name, used in paths and the summary
    std::string path;           ///< the scenario file, relative to the working directory
    std::vector<Override> sets; ///< fixed overrides of this entry
    /// The scenario file and its `extends` chain, parsed once and shared by every run.
    std::shared_ptr<const LoadedScenario> scenario;
    /// Resolved parameters of the scenario with the fixed overrides applied.
    std::array<double, kParamCount> parameters{};
    /// The parameters its difference from the baseline hinges on (`deciding`),
    /// judged against the batch's [sensitivity] table.
    std::vector<std::string> deciding;
};

/// [sensitivity]: which parameters some figure informs, from the
/// sensitivity.csv of a Saltelli batch. A parameter is informed when its
/// total Sobol index (point estimate) reaches `threshold` on at least one of
/// `figures` (default: every figure of the table).
struct Sensitivity {
    std::string table; ///< the sensitivity.csv, relative to the working directory
    double threshold = 0.05;
    std::vector<std::string> figures;
    /// Per parameter of the table, its largest total index over the figures
    /// and the figure where it is largest.
    std::map<std::string, std::pair<double, std::string>> largest_total;

    bool informed(const std::string& parameter) const {
        return largest_total.at(parameter).first >= threshold;
    }
};

enum class Method { none, grid, latin_hypercube, saltelli, design };

/// One varied parameter: its grid values, or its range for sampled designs.
struct VariedParameter {
    std::string name;
    double lower = 0, upper = 0;
    bool log = false;           ///< sampled uniformly on the log scale (ranged methods)
    std::vector<double> values; ///< grid only
};

struct Spec {
    std::string file; ///< the batch file
    std::string text; ///< its text, to tell a changed batch on --resume
    /// Fingerprints of every file read (RecordingFiles::record), when loaded through one.
    std::string inputs;
    std::string name;
    std::vector<ScenarioEntry> scenarios;
    std::size_t baseline = 0;               ///< index into scenarios
    std::optional<Sensitivity> sensitivity; ///< when a scenario names deciding parameters
    /// A posterior file (`khorgos calibrate`): replicate r of every scenario and
    /// variation runs with the parameters `khorgos run --posterior FILE --seed S`
    /// draws for its seed S, then the scenario's and variation's overrides.
    std::string posterior;
    /// Figures ("id@period") whose paired effects the summary reports.
    std::vector<std::string> effects;
    int replicates = 1;     ///< seeds per (scenario, variation)
    std::uint64_t seed = 1; ///< the batch seed
    double scale = 1;
    std::vector<std::string> keep; ///< what the summary holds: "observables" and result groups
                                   ///< (default all but "daily")
    Method method = Method::none;
    std::size_t samples = 0;             ///< Latin hypercube rows; Saltelli base samples N
    bool second_order = true;            ///< Saltelli: N*(2D+2) rows, else N*(D+2)
    std::vector<VariedParameter> varied; ///< in column order
    /// One row of values (in `varied` order) per variation; one empty row without variation.
    std::vector<std::vector<double>> variations;
};

/// One run of the batch: scenario `scenario`, variation `variation`, replicate `replicate`.
struct Run {
    std::size_t index = 0;
    std::size_t scenario = 0;
    std::size_t variation = 0;
    int replicate = 0;
    std::uint64_t seed = 0;
    std::vector<Override> sets; ///< the scenario's fixed overrides, then the variation's
    std::string path;           ///< run file, relative to the batch's output directory
};

/// Reads and validates a batch file, loading every scenario it names (from
/// `files`: the disk, or memory for the fuzzer).
/// @throws InputError naming the file, line and key of the first problem.
Spec load_spec(const std::string& path, const FileSource& files = disk_files());

/// Every run, scenario-major, then variation, then replicate.
std::vector<Run> expand(const Spec& spec);

/// The seed of replicate `replicate`: Philox4x32-10 keyed by the batch seed,
/// so it is stable and shared by every scenario and variation (common random
/// numbers: paired differences compare runs that differ only in policy).
std::uint64_t replicate_seed(std::uint64_t batch_seed, int replicate);

/// The parameters a run asks for: its scenario's, then its overrides in order (values
/// as given, even out of bounds: such a run fails on its own, and is recorded).
std::array<double, kParamCount> requested_parameters(const Spec& spec, const Run& run);

/// The SALib problem file of the varied parameters: one `name lower upper` line each.
std::string salib_problem(const Spec& spec);

} // namespace khorgos::batch
