#pragma once
// The one way khorgos writes a file (run files, event logs, batch manifests,
// CSV files, summaries, posterior files, reports, scenario fragments, emitted
// targets). The content goes to a temporary file in the target's directory
// (io/temporary_files.hpp names it); commit() fsyncs it, publishes it under
// the final name and fsyncs the directory, so the final name holds either the
// previous file or the whole new one, also after a crash or a power cut.
// Publishing never replaces an existing file unless forced, and never replaces
// or writes through anything but a regular file (a directory, device, FIFO,
// socket or symbolic link), even when forced. Ctrl-C removes the temporary
// file (io/interrupt.hpp).
#include "io/interrupt.hpp"

#include <string>

namespace khorgos::io {

/// Checks, before any work is done, that `path` may be written: its directory
/// exists, and `path` is absent, or (with `force`) a regular file.
/// @throws InputError naming `path` and `key` (the option that named it).
void check_output(const std::string& path, bool force, const std::string& key);

/// A file being written under a temporary name.
class OutputFile {
  public:
    /// Checks `path` (check_output) and creates the empty temporary file.
    /// @throws InputError as check_output; RuntimeError if the temporary file
    ///         cannot be created (e.g. the directory is not writable).
    OutputFile(std::string path, bool force, std::string key);
    /// Without a commit(): deletes the temporary file.
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Where to write the content (by name, e.g. for HDF5, or with append()).
    const std::string& temporary_path() const { return temporary_; }
    const std::string& path() const { return path_; }

    /// Appends `text` to the temporary file. @throws RuntimeError on I/O failure.
    void append(const std::string& text);

    /// Syncs the temporary file, publishes it under the final name and syncs
    /// the directory. Once only.
    /// @throws InputError if the final name was taken meanwhile (by any file
    ///         without `force`, by anything but a regular file with it);
    ///         RuntimeError on I/O failure.
    void commit();

  private:
    std::string path_;
    std::string key_;
    std::string directory_;
    std::string temporary_;
    bool force_;
    int fd_ = -1;
    interrupt::TemporaryFile guard_;
};

/// Writes `text` as the whole file `path` through an OutputFile.
void write_file(const std::string& path, const std::string& text, bool force,
                const std::string& key);

} // namespace khorgos::io
