#pragma once
// Temporary files beside an output file. Every output (run files, posterior
// files, batch summaries, manifests, reports) is written under a temporary
// name in the final file's directory and renamed into place when complete, so
// no file under a final name is ever partial. SIGKILL (or a power cut) leaves
// the temporary file behind; its name says who wrote it (host and process
// id), so that the next run or --resume of the same output can remove the
// ones whose writer is gone, and only those.
#include <string>
#include <vector>

namespace khorgos::io {

/// `DIR/.NAME.tmp-HOST-PID-N` for the final path `DIR/NAME`: hidden, in the
/// same directory (the rename is atomic), unique within the process (N counts
/// up) and naming its writer.
std::string temporary_path(const std::string& final_path);

/// Removes the temporary files of `final_path` whose writer is gone: written
/// on this host by a process that no longer exists (or by an earlier process
/// that had this one's id). A file of a live process, or of another host
/// (a shared file system), is left alone. Returns the paths removed.
std::vector<std::string> remove_stale_temporaries(const std::string& final_path);

/// The same, for the temporary files of any name in `directory` and below
/// (the output directory of a batch).
std::vector<std::string> remove_stale_temporaries_under(const std::string& directory);

} // namespace khorgos::io
