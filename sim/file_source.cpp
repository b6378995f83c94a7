#include "sim/file_source.hpp"

#include "sim/errors.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace khorgos {

namespace fs = std::filesystem;

namespace {

class DiskFiles : public FileSource {
  public:
    std::optional<std::string> read(const std::string& path) const override {
        std::error_code error;
        if (!fs::exists(path, error)) return std::nullopt;
        std::ifstream in(path, std::ios::binary);
        if (!in) throw InputError(path, 0, 0, "", "cannot open the file (missing or unreadable)");
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) throw InputError(path, 0, 0, "", "cannot read the file");
        return text.str();
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

} // namespace khorgos
