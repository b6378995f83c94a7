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

} // namespace khorgos
