// The one writer and the one reader of files a user names (io/). FIFOs are
// made in the test's own directory; no test touches /dev.
#include "io/input_file.hpp"
#include "io/output_file.hpp"
#include "sim/errors.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace khorgos;

namespace {

struct Scratch {
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "khorgos-io-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    std::string file(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return (path / name).string();
    }
    std::string name(const std::string& n) const { return (path / n).string(); }
    /// Every name in the directory (temporary files included).
    std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
    }
    fs::path path;
};

std::string contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("write_file publishes a whole new file and leaves no temporary", "[io]") {
    Scratch dir;
    io::write_file(dir.name("a.txt"), "new\n", false, "--out");
    CHECK(contents(dir.name("a.txt")) == "new\n");
    CHECK(dir.entries() == 1);
}

TEST_CASE("write_file never replaces a file without force, and replaces it with", "[io]") {
    Scratch dir;
    const std::string path = dir.file("a.txt", "mine\n");
    CHECK_THROWS_WITH(io::write_file(path, "new\n", false, "--out"),
                      Catch::Contains("a.txt") && Catch::Contains("--force"));
    CHECK(contents(path) == "mine\n");
    io::write_file(path, "new\n", true, "--out");
    CHECK(contents(path) == "new\n");
    CHECK(dir.entries() == 1);
}

TEST_CASE("write_file never replaces or writes through a FIFO, a directory or a link", "[io]") {
    Scratch dir;
    REQUIRE(::mkfifo(dir.name("pipe").c_str(), 0600) == 0);
    fs::create_directory(dir.path / "folder");
    const std::string target = dir.file("target.txt", "mine\n");
    fs::create_symlink(target, dir.path / "link");
    for (const char* name : {"pipe", "folder", "link"}) {
        INFO(name);
        CHECK_THROWS_AS(io::write_file(dir.name(name), "new\n", true, "--out"), InputError);
    }
    CHECK(fs::is_fifo(dir.path / "pipe"));
    CHECK(fs::is_directory(dir.path / "folder"));
    CHECK(fs::is_symlink(dir.path / "link"));
    CHECK(contents(target) == "mine\n");
    CHECK(dir.entries() == 4); // no temporary file left behind
}

TEST_CASE("an uncommitted OutputFile removes its temporary file", "[io]") {
    Scratch dir;
    {
        io::OutputFile out(dir.name("a.txt"), false, "--out");
        out.append("half");
        CHECK(fs::exists(out.temporary_path()));
    }
    CHECK(dir.entries() == 0);
}

TEST_CASE("a file taken while it was written is kept", "[io]") {
    Scratch dir;
    io::OutputFile out(dir.name("a.txt"), false, "--out");
    out.append("new\n");
    dir.file("a.txt", "theirs\n");
    CHECK_THROWS_AS(out.commit(), InputError);
    CHECK(contents(dir.name("a.txt")) == "theirs\n");
}

TEST_CASE("check_output wants an existing directory", "[io]") {
    Scratch dir;
    CHECK_THROWS_WITH(io::check_output(dir.name("missing/a.txt"), false, "--out"),
                      Catch::Contains("does not exist"));
    CHECK_THROWS_WITH(io::check_output(dir.name("a/"), true, "--out"),
                      Catch::Contains("directory"));
    CHECK_NOTHROW(io::check_output(dir.name("a.txt"), false, "--out"));
}

TEST_CASE("read_input reads regular files and refuses everything else at once", "[io]") {
    Scratch dir;
    CHECK(io::read_input(dir.file("a.toml", "x = 1\n"), "") ==
          std::optional<std::string>("x = 1\n"));
    CHECK_FALSE(io::read_input(dir.name("missing.toml"), ""));
    REQUIRE(::mkfifo(dir.name("pipe").c_str(), 0600) == 0);
    CHECK_THROWS_WITH(io::read_input(dir.name("pipe"), "--targets"),
                      Catch::Contains("pipe") && Catch::Contains("FIFO") &&
                          Catch::Contains("--targets"));
    fs::create_directory(dir.path / "folder");
    CHECK_THROWS_WITH(io::read_input(dir.name("folder"), ""), Catch::Contains("is a directory"));
    { std::ofstream big(dir.path / "big.toml"); }
    fs::resize_file(dir.path / "big.toml", io::kMaxInputBytes + 1); // sparse
    CHECK_THROWS_WITH(io::read_input(dir.name("big.toml"), ""), Catch::Contains("MiB"));
    CHECK(io::check_input(dir.name("big.toml"), "", io::kNoLimit));
}
