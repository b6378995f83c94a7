#pragma once
// Where input files (scenarios, their `extends` parents, targets, batches,
// calibrations, design matrices) come from: the disk for the program, memory
// for the fuzzer (tests/fuzz). The parsers take a FileSource, so the fuzzer
// runs the very code the program runs, `extends` chains, cycles and missing
// parents included, without touching the disk.
#include <map>
#include <optional>
#include <string>

namespace khorgos {

class FileSource {
  public:
    virtual ~FileSource() = default;
    /// The file's text, or nullopt if there is no such file.
    /// @throws InputError if it exists but cannot be read.
    virtual std::optional<std::string> read(const std::string& path) const = 0;
    /// A name that is the same for every path to one file (for `extends` cycles).
    virtual std::string identity(const std::string& path) const = 0;
};

/// The disk: paths relative to the working directory.
const FileSource& disk_files();

/// Files held in memory, by path (normalised lexically: "a/../b.toml" is "b.toml").
/// Any path not added does not exist; nothing is ever read from disk.
class MemoryFiles : public FileSource {
  public:
    void add(const std::string& path, std::string text);
    std::optional<std::string> read(const std::string& path) const override;
    std::string identity(const std::string& path) const override;
    const std::map<std::string, std::string>& files() const { return files_; }

  private:
    std::map<std::string, std::string> files_;
};

/// A fingerprint of a file's text (16 hex digits): enough to tell an edited
/// input on --resume, not a cryptographic hash.
std::string fingerprint(const std::string& text);

/// Another FileSource, recording the fingerprint of every file read through it,
/// so a batch or calibration knows every input it depends on (scenarios and
/// each `extends` parent, targets, batch and calibration files, design CSV).
class RecordingFiles : public FileSource {
  public:
    explicit RecordingFiles(const FileSource& source = disk_files()) : source_(source) {}
    std::optional<std::string> read(const std::string& path) const override;
    std::string identity(const std::string& path) const override;
    /// One line per file read, `FINGERPRINT  PATH` (PATH as identity() gives it), sorted.
    std::string record() const;

  private:
    const FileSource& source_;
    mutable std::map<std::string, std::string> record_;
};

/// Checks every file of a record() against its fingerprint.
/// @throws InputError naming the first file that changed or vanished; `where`
///         says what recorded it (e.g. "the batch in out/x").
void check_unchanged(const std::string& recorded, const FileSource& files,
                     const std::string& where);

} // namespace khorgos
