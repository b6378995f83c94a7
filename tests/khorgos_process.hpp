#pragma once
// Running the khorgos program from a test: its exit code and output, and the
// `# expect:` lines a bad input file carries.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace khorgos::testing {

struct Outcome {
    int status;         ///< exit code, -1 if killed by a signal
    std::string output; ///< stdout and stderr together
};

/// Runs `khorgos ARGUMENTS` (KHORGOS_BINARY, set by the build), from `directory`
/// if one is given (so that messages carry the bare names of files there).
inline Outcome run_khorgos(const std::string& arguments,
                           const std::filesystem::path& directory = {}) {
    const std::string cd = directory.empty() ? "" : "cd '" + directory.string() + "' && ";
    const std::string command = cd + KHORGOS_BINARY + " " + arguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe))
        output += buffer;
    const int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// The `# expect: ...` lines of a file: what its error message must contain.
inline std::vector<std::string> expectations(const std::filesystem::path& file) {
    std::vector<std::string> out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("# expect: ", 0) == 0) out.push_back(line.substr(10));
    return out;
}

} // namespace khorgos::testing
