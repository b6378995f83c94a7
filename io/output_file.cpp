#include "io/output_file.hpp"

#include "io/temporary_files.hpp"
#include "sim/errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace khorgos::io {

namespace {

std::string system_error(const std::string& what, int error) {
    return what + ": " + std::strerror(error);
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

/// What the final name holds, if it is anything but absent or a regular file.
const char* not_regular(const struct stat& status) {
    if (S_ISDIR(status.st_mode)) return "is a directory";
    if (S_ISLNK(status.st_mode)) return "is a symbolic link; name the file it points to";
    if (S_ISCHR(status.st_mode) || S_ISBLK(status.st_mode)) return "is a device";
    if (S_ISFIFO(status.st_mode)) return "is a FIFO";
    if (!S_ISREG(status.st_mode)) return "is not a regular file";
    return nullptr;
}

/// Checks the final name just before publishing (and at the start).
void check_target(const std::string& path, bool force, const std::string& key) {
    struct stat status;
    if (::lstat(path.c_str(), &status) != 0) {
        if (errno == ENOENT) return;
        throw RuntimeError(system_error("cannot inspect '" + path + "'", errno));
    }
    if (const char* what = not_regular(status))
        throw InputError(path, 0, 0, key,
                         std::string(what) + ": khorgos writes only regular files");
    if (!force) throw InputError(path, 0, 0, key, "already exists; use --force to replace it");
}

void sync(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) throw RuntimeError(system_error("cannot open '" + path + "' to sync it", errno));
    const int status = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (status != 0) throw RuntimeError(system_error("cannot sync '" + path + "'", error));
}

} // namespace

void check_output(const std::string& path, bool force, const std::string& key) {
    const auto slash = path.rfind('/');
    if (path.empty() || slash == path.size() - 1)
        throw InputError(path, 0, 0, key, "names a directory, not a file");
    const std::string directory = directory_of(path);
    struct stat status;
    if (::stat(directory.c_str(), &status) != 0 || !S_ISDIR(status.st_mode))
        throw InputError(path, 0, 0, key, "directory '" + directory + "' does not exist");
    check_target(path, force, key);
}

OutputFile::OutputFile(std::string path, bool force, std::string key)
    : path_(std::move(path)), key_(std::move(key)), directory_(directory_of(path_)), force_(force) {
    check_output(path_, force_, key_);
    // Ctrl-C waits until the temporary file exists and is guarded.
    interrupt::Deferred hold;
    // O_EXCL: never write through anything found there. A name taken already is
    // a dead writer's with this process id (stale): take the next count.
    for (int attempt = 0; fd_ < 0; ++attempt) {
        temporary_ = io::temporary_path(path_);
        fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ < 0 && (errno != EEXIST || attempt == 8)) {
            const int error = errno;
            temporary_.clear(); // not ours: the destructor must not remove it
            throw RuntimeError(
                system_error("cannot create a temporary file beside '" + path_ + "'", error));
        }
    }
    guard_.guard(temporary_);
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void OutputFile::append(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw RuntimeError(system_error("cannot write '" + temporary_ + "'", errno));
        done += static_cast<std::size_t>(n);
    }
}

void OutputFile::commit() {
    if (temporary_.empty()) throw RuntimeError("'" + path_ + "': commit() called twice");
    ::close(fd_);
    fd_ = -1;
    // Whoever wrote the content (HDF5 by name too) is done: make it durable first.
    sync(temporary_, O_RDONLY);
    interrupt::Deferred hold; // Ctrl-C waits: the file is whole under one of its names
    check_target(path_, force_, key_);
    if (force_) {
        if (::rename(temporary_.c_str(), path_.c_str()) != 0)
            throw RuntimeError(system_error("cannot rename '" + temporary_ + "'", errno));
    } else if (::link(temporary_.c_str(), path_.c_str()) == 0) {
        // link() refuses a name another process took since the check: no race.
        ::unlink(temporary_.c_str());
    } else if (errno == EEXIST) {
        throw InputError(path_, 0, 0, key_, "was created while khorgos wrote it; not replaced");
    } else if (errno == EPERM || errno == EOPNOTSUPP) {
        // File systems without hard links (FAT, some network mounts): checked above.
        if (::rename(temporary_.c_str(), path_.c_str()) != 0)
            throw RuntimeError(system_error("cannot rename '" + temporary_ + "'", errno));
    } else {
        throw RuntimeError(system_error("cannot link '" + path_ + "'", errno));
    }
    temporary_.clear();
    guard_.committed();
    // The new name is durable only once the directory is synced.
    sync(directory_, O_RDONLY | O_DIRECTORY);
}

void write_file(const std::string& path, const std::string& text, bool force,
                const std::string& key) {
    OutputFile file(path, force, key);
    file.append(text);
    file.commit();
}

} // namespace khorgos::io
