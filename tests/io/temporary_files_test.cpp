// Stale temporary files: only those whose writer is gone are removed.
#include "io/temporary_files.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace khorgos;

namespace {

struct Scratch {
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "khorgos-tmpfiles-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    std::string touch(const std::string& name) const {
        const fs::path p = path / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << "partial";
        return p.string();
    }
    bool has(const std::string& name) const { return fs::exists(path / name); }
    fs::path path;
};

/// A process id that is certainly dead: a child that exited and was reaped.
/// (Linux hands out ids in increasing order, so it is not reused at once.)
pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

/// This host's name as temporary_path writes it.
std::string host() {
    const std::string name = fs::path(io::temporary_path("x")).filename().string();
    const std::string rest = name.substr(std::string(".x.tmp-").size());
    const auto last = rest.rfind('-');
    return rest.substr(0, rest.rfind('-', last - 1));
}

std::string name_of(const std::string& final_name, const std::string& host, long pid, long n) {
    return "." + final_name + ".tmp-" + host + "-" + std::to_string(pid) + "-" + std::to_string(n);
}

} // namespace

TEST_CASE("temporary names are hidden, beside the final file, and name host and process") {
    const std::string a = io::temporary_path("dir/run.h5");
    const std::string b = io::temporary_path("dir/run.h5");
    CHECK(a.rfind("dir/.run.h5.tmp-" + host() + "-" + std::to_string(::getpid()) + "-", 0) == 0);
    CHECK(a != b);
    CHECK(io::temporary_path("run.h5").rfind("./.run.h5.tmp-", 0) == 0);
    CHECK(io::temporary_path("/run.h5").rfind("/.run.h5.tmp-", 0) == 0);
}

TEST_CASE("only temporary files of a dead writer on this host are removed") {
    Scratch dir;
    const std::string me = host();
    const pid_t dead = dead_pid();
    const std::string stale = name_of("run.h5", me, dead, 0);
    const std::string stale_second = name_of("run.h5", me, dead, 7);
    // The parent process (the test runner) is alive.
    const std::string live = name_of("run.h5", me, ::getppid(), 0);
    // Another machine's process (a shared file system): its state is unknown.
    const std::string other_host = name_of("run.h5", me + "-elsewhere", dead, 0);
    // This process's id with a count it has not reached: an earlier process's.
    const std::string earlier_self = name_of("run.h5", me, ::getpid(), 1000000);
    // This process's own name, made before: possibly a live writer.
    const std::string own =
        fs::path(io::temporary_path((dir.path / "run.h5").string())).filename().string();
    const std::string other_name = name_of("other.h5", me, dead, 0);
    const std::vector<std::string> kept_always = {"run.h5", ".run.h5", "run.h5.tmp",
                                                  ".run.h5.tmp-" + std::to_string(dead),
                                                  ".run.h5.tmp-x-y-z"};
    for (const auto& name : {stale, stale_second, live, other_host, earlier_self, own, other_name})
        dir.touch(name);
    for (const auto& name : kept_always)
        dir.touch(name);

    auto removed = io::remove_stale_temporaries((dir.path / "run.h5").string());
    std::sort(removed.begin(), removed.end());
    std::vector<std::string> expected = {(dir.path / earlier_self).string(),
                                         (dir.path / stale).string(),
                                         (dir.path / stale_second).string()};
    std::sort(expected.begin(), expected.end());
    CHECK(removed == expected);
    for (const auto& name : {live, other_host, own, other_name})
        CHECK(dir.has(name));
    for (const auto& name : kept_always)
        CHECK(dir.has(name));

    SECTION("a whole directory tree: any final name") {
        dir.touch("runs/a/" + name_of("v0-r0.h5", me, dead, 3));
        dir.touch("runs/b/" + name_of("v1-r0.h5", me, ::getppid(), 3));
        const auto under = io::remove_stale_temporaries_under(dir.path.string());
        CHECK(under.size() == 2); // other.h5's and runs/a's
        CHECK_FALSE(dir.has(other_name));
        CHECK_FALSE(dir.has("runs/a/" + name_of("v0-r0.h5", me, dead, 3)));
        CHECK(dir.has("runs/b/" + name_of("v1-r0.h5", me, ::getppid(), 3)));
        CHECK(dir.has(live));
    }
}
