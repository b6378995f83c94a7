#pragma once
// A batch run (`khorgos batch BATCH.toml [--out DIR] [--resume] [--jobs N]`): every
// (scenario, variation, replicate) of a batch file as a RunPlan, on threads of
// this process or on the ranks of an MPI job, and writes into DIR:
//   batch.toml    the batch file as started (a resume must use the same text)
//   inputs.txt    the fingerprint of every input file (the batch file, each
//                 scenario and `extends` parent, a design CSV): a resume refuses
//                 to go on when one changed
//   runs/...      one run file per run, under its final name only when complete
//   runs.csv      the manifest: one row per run with its status, error and
//                 every parameter it asked for
//   outputs.csv   the observables of each run, one row per run, as id@period columns
//   variations.csv, problem.txt   the parameter design and its SALib problem file
//   summary.h5    cross-replicate summaries (output/batch_file.hpp)
// The manifest, summary and CSV files are written atomically (temporary file,
// then rename), so a batch killed at any point resumes to identical files.
#include "batch/batch_summary.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace khorgos::batch {

/// Runs one run of the batch by index; never throws (a failure is a status).
using Execute = std::function<RunStatus(std::size_t index)>;
/// Receives each finished run; calls are serialised.
using Done = std::function<void(std::size_t index, const RunStatus& status)>;

/// Runs `pending` on `jobs` threads of this process (one single-threaded
/// engine each), handing out indices in order as threads become free.
/// @throws whatever `done` throws, once every started run has finished.
void run_local(const std::vector<std::size_t>& pending, int jobs, const Execute& execute,
               const Done& done);

/// How `khorgos batch` was asked to run a batch.
struct Options {
    std::string batch_path;  ///< the batch file as given (for the resume command)
    std::string out;         ///< output directory
    int jobs = 1;            ///< runs at a time in this process
    bool jobs_given = false; ///< --jobs on the command line (an error under MPI)
    bool resume = false;
    bool quiet = false;       ///< no progress; print only the directory
    bool json = false;        ///< no progress; print the outcome as a JSON object
    std::string command_line; ///< recorded as provenance
};

/// Runs (or with `resume`, finishes) a validated batch into `options.out`, on
/// threads or MPI ranks. Returns the exit code (1 if any run failed).
/// @throws InputError for an output directory that holds another batch, before any run.
int run_batch(Spec spec, const Options& options);

} // namespace khorgos::batch
