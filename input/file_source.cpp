#include "input/file_source.hpp"

#include "io/input_file.hpp"
#include "sim/errors.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>

namespace khorgos {

namespace fs = std::filesystem;

namespace {

class DiskFiles : public FileSource {
  public:
    std::optional<std::string> read(const std::string& path) const override {
        return io::read_input(path, "");
    }

    std::string identity(const std::string& path) const override {
        std::error_code error;
        const fs::path canonical = fs::weakly_canonical(path, error);
        return error ? fs::absolute(path).string() : canonical.string();
    }
};

} // namespace

const FileSource& disk_files() {
    static const DiskFiles disk;
    return disk;
}

void MemoryFiles::add(const std::string& path, std::string text) {
    files_[identity(path)] = std::move(text);
}

std::optional<std::string> MemoryFiles::read(const std::string& path) const {
    const auto it = files_.find(identity(path));
    if (it == files_.end()) return std::nullopt;
    return it->second;
}

std::string MemoryFiles::identity(const std::string& path) const {
    return fs::path(path).lexically_normal().string();
}

std::string fingerprint(const std::string& text) {
    // FNV-1a, 64 bits: tells an edited file from the one recorded, no more.
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char c : text)
        hash = (hash ^ c) * 0x100000001b3ULL;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

std::optional<std::string> RecordingFiles::read(const std::string& path) const {
    std::optional<std::string> text = source_.read(path);
    if (text) record_[source_.identity(path)] = fingerprint(*text);
    return text;
}

std::string RecordingFiles::identity(const std::string& path) const {
    return source_.identity(path);
}

std::string RecordingFiles::record() const {
    std::string out;
    for (const auto& [path, hash] : record_)
        out += hash + "  " + path + "\n";
    return out;
}

void check_unchanged(const std::string& recorded, const FileSource& files,
                     const std::string& where) {
    std::size_t at = 0;
    while (at < recorded.size()) {
        const std::size_t end = std::min(recorded.find('\n', at), recorded.size());
        const std::string line = recorded.substr(at, end - at);
        at = end + 1;
        const auto gap = line.find("  ");
        if (gap == std::string::npos) continue;
        const std::string path = line.substr(gap + 2);
        const std::optional<std::string> text = files.read(path);
        if (!text)
            throw InputError(path, 0, 0, "--resume",
                             "this input of " + where + " no longer exists");
        if (fingerprint(*text) != line.substr(0, gap))
            throw InputError(path, 0, 0, "--resume",
                             "this input changed since " + where +
                                 " was started; restore it, or start afresh elsewhere");
    }
}

} // namespace khorgos
