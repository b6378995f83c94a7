#pragma once
// `khorgos batch BATCH.toml [--out DIR] [--resume] [--jobs N]`: runs every
// (scenario, variation, replicate) of a batch file as a RunPlan, on threads of
// this process or on the ranks of an MPI job, and writes into DIR:
//   batch.toml    the batch file as started (a resume must use the same text)
//   runs/...      one run file per run, under its final name only when complete
//   runs.csv      the manifest: one row per run with its status, error and
//                 every parameter it asked for
//   outputs.csv   the observables of each run, one row per run, as id@period columns
//   variations.csv, problem.txt   the parameter design and its SALib problem file
//   summary.h5    cross-replicate summaries (output/batch_file.hpp)
// The manifest, summary and CSV files are written atomically (temporary file,
// then rename), so a batch killed at any point resumes to identical files.
#include "batch_summary.hpp"

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

/// The `batch` subcommand. Returns the exit code (1 if any run failed).
/// @throws InputError for a bad batch file, option or output directory, before any run.
int batch_command(const std::vector<std::string>& args, const std::string& command_line);

} // namespace khorgos::batch
