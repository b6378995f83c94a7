#pragma once
// Clean interruption of a run. SIGINT (Ctrl-C), SIGTERM and SIGHUP remove the
// temporary output files still being written, say that nothing was written and
// exit with 128 + the signal number (130 for Ctrl-C). The handler only calls
// async-signal-safe functions (unlink, write, _exit), so it is safe whichever
// thread (an OpenMP worker too) the signal lands on. SIGXFSZ is ignored, so a
// file size limit makes the write fail with EFBIG, reported like a full disk,
// instead of killing the process with the temporary file left behind.
// SIGKILL cannot be caught: its only guarantee comes from the writer's
// temporary-name-then-rename protocol (no file under the final name).
#include <string>

namespace khorgos::interrupt {

/// Installs the handlers; idempotent. `resume_command`, if given, is printed
/// on interruption as the command that finishes the work (batch, calibrate).
void install(const std::string& resume_command = "");

/// While alive, the registered temporary path is removed if the process is
/// interrupted. Up to 16 at once (more are not guarded, only left behind).
/// Declare it before the writer that owns the file, so that the writer's own
/// clean-up runs first.
class TemporaryFile {
  public:
    TemporaryFile() = default;
    ~TemporaryFile();
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    void guard(const std::string& temporary_path);
    /// The temporary file was renamed to its final name: nothing to remove;
    /// an interruption now says that a file was completed.
    void committed();

  private:
    int slot_ = -1;
};

/// An output file was completed (renamed into place) outside a TemporaryFile,
/// e.g. a generation of a posterior file: an interruption now says that the
/// finished output is kept rather than that nothing was written.
void output_completed();

/// A section during which an interruption waits (e.g. creating the temporary
/// file and guarding it, or the final rename): it takes effect at the end of
/// the last open section (those of several threads may overlap).
class Deferred {
  public:
    Deferred();
    ~Deferred();
    Deferred(const Deferred&) = delete;
    Deferred& operator=(const Deferred&) = delete;
};

} // namespace khorgos::interrupt
