#pragma once
// The run file: everything one run produced, in one HDF5 file that is also a
// NetCDF-4/CF file, so xarray, ncdump, R and h5py read it without khorgos
// code. The layout is documented in output/SCHEMA.md. Writing goes to a
// temporary file beside the final one and is renamed into place by commit(),
// so a crashed or killed run never leaves a partial file under the final name.
#include "sim/recorder.hpp"
#include "sim/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace khorgos::output {

/// How a run came about; stored as root attributes and the /provenance group.
struct Provenance {
    std::string program_version;
    std::string git_commit;
    std::string command_line;
    std::string scenario_path;
    std::string scenario_text;                              ///< the scenario file verbatim (UTF-8)
    std::vector<std::pair<std::string, double>> parameters; ///< resolved, name -> value
    std::uint64_t seed = 0;
    double scale = 1; ///< persons per agent
    int threads = 1;
    std::string start_time; ///< wall time, ISO 8601 UTC (see utc_timestamp)
    std::string end_time;
};

/// Writes one run file. Use: construct, let the engine record into events(),
/// write() the result, commit(). One writer is used by one thread at a time
/// (the engine records once per step); distinct writers may run in distinct
/// threads with a thread-safe HDF5 build, as Debian's is.
class RunFileWriter {
  public:
    /// Creates the temporary file `.NAME.tmp-PID-N` in the directory of `path`.
    /// @throws InputError (key "--out") if `path` exists and !force, is a
    ///         directory, or its directory does not exist.
    /// @throws RuntimeError if the temporary file cannot be created (e.g. the
    ///         directory is not writable).
    RunFileWriter(const std::string& path, bool force, bool with_events);
    /// Without a successful commit(): closes and deletes the temporary file.
    ~RunFileWriter();
    RunFileWriter(const RunFileWriter&) = delete;
    RunFileWriter& operator=(const RunFileWriter&) = delete;

    /// The event log sink, or nullptr unless constructed with_events. Rows are
    /// buffered (64Ki rows) and appended to the file in chunks, so memory stays
    /// bounded however long the run. Valid until commit() or destruction.
    EventRecorder* events();

    /// Writes coordinates, variables, observables and provenance, once.
    /// @throws RuntimeError if the result is inconsistent (a variable over an
    ///         unknown coordinate, a size mismatch, a name clash) or on I/O failure.
    void write(const RunResult& result, const Provenance& provenance);

    /// Flushes the event log, closes and fsyncs the file and renames it to the
    /// final path (replacing an existing file only when forced).
    /// @throws RuntimeError if write() was not called or on I/O failure;
    ///         InputError if the final file appeared meanwhile and !force.
    void commit();

    const std::string& path() const;
    const std::string& temporary_path() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

/// Reads a run file back into a RunResult (and its provenance, if asked for).
/// Variables come back grouped by group, groups in order of first appearance;
/// with `groups`, only the variable groups named there (a batch summary reads
/// the few it keeps, not every daily series). The observables are always read.
/// @throws InputError if the file is missing, not HDF5, not a khorgos run
///         file, of a newer format, or corrupt.
RunResult read_run(const std::string& path, Provenance* provenance = nullptr,
                   const std::vector<std::string>* groups = nullptr);

/// Streams the event log of a run file to `sink` in file order, in batches
/// of at most `batch` rows; returns the number of rows.
/// @throws InputError as read_run, and if the file has no event log.
std::uint64_t read_events(const std::string& path,
                          const std::function<void(const AgentEvent*, std::size_t)>& sink,
                          std::size_t batch = 65536);

/// `when` as ISO 8601 UTC to the second, e.g. "2026-11-27T20:45:00Z".
std::string utc_timestamp(std::chrono::system_clock::time_point when);

} // namespace khorgos::output
