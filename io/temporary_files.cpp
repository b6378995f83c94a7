#include "io/temporary_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>

namespace khorgos::io {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTag = ".tmp-";
std::atomic<unsigned long> g_count{0};

/// The host name as it appears in temporary names (no '/', bounded length).
const std::string& host() {
    static const std::string name = [] {
        char buffer[256] = {0};
        if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0')
            return std::string("localhost");
        std::string out;
        for (const char* c = buffer; *c && out.size() < 64; ++c)
            out +=
                std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' || *c == '.' || *c == '_'
                    ? *c
                    : '_';
        return out;
    }();
    return name;
}

std::optional<unsigned long> digits(const std::string& text) {
    if (text.empty() || text.size() > 19 ||
        text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::strtoul(text.c_str(), nullptr, 10);
}

/// The writer named by a temporary file name `.NAME.tmp-HOST-PID-N`.
struct Writer {
    std::string final_name;
    std::string host;
    unsigned long pid = 0;
    unsigned long count = 0;
};

std::optional<Writer> parse(const std::string& file_name) {
    const auto tag = file_name.rfind(kTag);
    if (file_name.empty() || file_name[0] != '.' || tag == std::string::npos || tag < 2)
        return std::nullopt;
    const std::string rest = file_name.substr(tag + std::char_traits<char>::length(kTag));
    const auto last = rest.rfind('-');
    if (last == std::string::npos || last == 0) return std::nullopt;
    const auto before = rest.rfind('-', last - 1);
    if (before == std::string::npos || before == 0) return std::nullopt;
    const auto pid = digits(rest.substr(before + 1, last - before - 1));
    const auto count = digits(rest.substr(last + 1));
    if (!pid || !count || *pid == 0) return std::nullopt;
    return Writer{file_name.substr(1, tag - 1), rest.substr(0, before), *pid, *count};
}

/// Whether the writer of a temporary file is certainly gone.
bool writer_gone(const Writer& w) {
    if (w.host != host()) return false; // another machine's process: cannot tell
    if (w.pid == static_cast<unsigned long>(::getpid()))
        // This process: its own names count up from 0, so a higher count is an
        // earlier process's with the same id; a lower one may be a live writer.
        return w.count >= g_count.load();
    if (w.pid > static_cast<unsigned long>(std::numeric_limits<pid_t>::max())) return false;
    // ESRCH: no such process. EPERM means it exists (another user's).
    return ::kill(static_cast<pid_t>(w.pid), 0) != 0 && errno == ESRCH;
}

bool remove_if_stale(const fs::path& path, const std::string* final_name,
                     std::vector<std::string>& removed) {
    const auto writer = parse(path.filename().string());
    if (!writer || (final_name && writer->final_name != *final_name) || !writer_gone(*writer))
        return false;
    std::error_code error;
    if (fs::is_regular_file(fs::symlink_status(path, error)) && fs::remove(path, error)) {
        removed.push_back(path.string());
        return true;
    }
    return false;
}

} // namespace

std::string temporary_path(const std::string& final_path) {
    const auto slash = final_path.rfind('/');
    const std::string directory = slash == std::string::npos ? "." : final_path.substr(0, slash);
    const std::string name = slash == std::string::npos ? final_path : final_path.substr(slash + 1);
    return directory + "/." + name + kTag + host() + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(g_count++);
}

std::vector<std::string> remove_stale_temporaries(const std::string& final_path) {
    std::vector<std::string> removed;
    const fs::path path(final_path);
    const std::string name = path.filename().string();
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error))
        remove_if_stale(it->path(), &name, removed);
    return removed;
}

std::vector<std::string> remove_stale_temporaries_under(const std::string& directory) {
    std::vector<std::string> removed;
    std::error_code error;
    for (fs::recursive_directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error))
        remove_if_stale(it->path(), nullptr, removed);
    return removed;
}

} // namespace khorgos::io
