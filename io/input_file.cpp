#include "io/input_file.hpp"

#include "sim/errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace khorgos::io {

namespace {

/// An open file descriptor, closed on destruction.
struct Descriptor {
    int fd = -1;
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

/// Opens `path` for reading if it is a regular file within the size limit;
/// fd stays -1 if nothing is there.
Descriptor open_input(const std::string& path, const std::string& key, std::uint64_t max_bytes,
                      std::uint64_t* size) {
    Descriptor file;
    // O_NONBLOCK: opening a FIFO does not wait for a writer; fstat then refuses it.
    file.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (file.fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return file;
        throw InputError(path, 0, 0, key,
                         std::string("cannot open the file: ") + std::strerror(errno));
    }
    struct stat status;
    if (::fstat(file.fd, &status) != 0)
        throw InputError(path, 0, 0, key,
                         std::string("cannot inspect the file: ") + std::strerror(errno));
    if (S_ISDIR(status.st_mode)) throw InputError(path, 0, 0, key, "is a directory, not a file");
    if (S_ISCHR(status.st_mode) || S_ISBLK(status.st_mode))
        throw InputError(path, 0, 0, key, "is a device, not a regular file");
    if (S_ISFIFO(status.st_mode))
        throw InputError(path, 0, 0, key, "is a FIFO, not a regular file");
    if (!S_ISREG(status.st_mode)) throw InputError(path, 0, 0, key, "is not a regular file");
    if (static_cast<std::uint64_t>(status.st_size) > max_bytes)
        throw InputError(path, 0, 0, key,
                         "is " + std::to_string(status.st_size >> 20) + " MiB, more than the " +
                             std::to_string(max_bytes >> 20) + " MiB khorgos reads");
    *size = static_cast<std::uint64_t>(status.st_size);
    return file;
}

} // namespace

bool check_input(const std::string& path, const std::string& key, std::uint64_t max_bytes) {
    std::uint64_t size = 0;
    return open_input(path, key, max_bytes, &size).fd >= 0;
}

std::optional<std::string> read_input(const std::string& path, const std::string& key) {
    std::uint64_t size = 0;
    const Descriptor file = open_input(path, key, kMaxInputBytes, &size);
    if (file.fd < 0) return std::nullopt;
    // Read to the end, not to the size seen: the file may grow meanwhile; the cap still holds.
    std::string text;
    text.reserve(size);
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            throw InputError(path, 0, 0, key,
                             std::string("cannot read the file: ") + std::strerror(errno));
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > kMaxInputBytes)
            throw InputError(path, 0, 0, key, "grew beyond the limit while being read");
    }
    return text;
}

} // namespace khorgos::io
