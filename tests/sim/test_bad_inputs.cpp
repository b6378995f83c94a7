// Bad input never crashes: every file in tests/bad_inputs/ must make
// `khorgos check` exit with code 2 and print each of its `# expect:` lines
// (file, line, column and key). Bad command lines are checked the same way.
#include "tests/khorgos_process.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using khorgos::testing::expectations;
using khorgos::testing::Outcome;
using khorgos::testing::run_khorgos;

TEST_CASE("every bad scenario file gives its own clear error and exit code 2", "[cli][bad-input]") {
    const fs::path dir = fs::path(KHORGOS_SOURCE_DIR) / "tests" / "bad_inputs";
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".toml") continue;
        ++files;
        const auto expected = expectations(entry.path());
        REQUIRE_FALSE(expected.empty());
        const Outcome outcome = run_khorgos("check " + entry.path().string());
        INFO(entry.path().filename().string() << " gave: " << outcome.output);
        CHECK(outcome.status == 2);
        for (const auto& e : expected)
            CHECK(outcome.output.find(e) != std::string::npos);
        CHECK(outcome.output.find("khorgos check: ") == 0);
    }
    CHECK(files >= 10);
}

TEST_CASE("bad command lines give exit code 2 and name what is wrong", "[cli][bad-input]") {
    const std::string scenario = std::string(KHORGOS_SOURCE_DIR) + "/tests/data/minimal.toml";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"check /nonexistent/file.toml", "/nonexistent/file.toml: cannot open the file"},
        {"frobnicate", "khorgos: frobnicate: unknown command"},
        {"run", "khorgos run: SCENARIO: missing the scenario file"},
        {"run " + scenario + " --seed abc", "seed"},
        {"run " + scenario + " --scale 0", "khorgos run: --scale: must be"},
        {"run " + scenario + " --threads -3", "--threads"},
        {"run " + scenario + " --set nonsense=1", "--set: key 'nonsense': unknown parameter"},
        {"run " + scenario + " --set trader.quit_prob=2", "must be between 0 and 1, got 2"},
        {"run " + scenario + " --set visitor.entries_per_year=", "expected a finite number"},
        {"run " + scenario + " --set visitor.base_hazard=1e-4",
         "--set: key 'visitor.base_hazard': unknown parameter (the daily hazard "
         "'visitor.base_hazard' is now 'visitor.entries_per_year'"},
        {"run " + scenario + " --bogus", "bogus"},
        {"check", "khorgos check: FILE: missing the file to check"},
        {"check a.toml b.toml", "khorgos check: too many positional options"},
        {"parameters --bogus", "khorgos parameters: unrecognised option '--bogus'"},
        {"parameters extra", "khorgos parameters: too many positional options"},
        {"batch " + scenario + " --bogus", "khorgos batch: unrecognised option '--bogus'"},
        {"help frobnicate", "khorgos: frobnicate: unknown command"},
    };
    for (const auto& [arguments, expected] : cases) {
        const Outcome outcome = run_khorgos(arguments);
        INFO("khorgos " << arguments << " gave: " << outcome.output);
        CHECK(outcome.status == 2);
        CHECK(outcome.output.find(expected) != std::string::npos);
    }
}

TEST_CASE("a run that could not fit in memory is refused up front", "[cli][bad-input]") {
    const std::string scenario = std::string(KHORGOS_SOURCE_DIR) + "/tests/data/huge_pools.toml";
    const Outcome outcome = run_khorgos("run " + scenario + " --out /tmp/khorgos-never-written.h5");
    INFO(outcome.output);
    CHECK(outcome.status == 2);
    CHECK(outcome.output.find("key 'pools': the pools could need up to") != std::string::npos);
    CHECK(outcome.output.find("raise --scale") != std::string::npos);
    CHECK_FALSE(fs::exists("/tmp/khorgos-never-written.h5"));
}

TEST_CASE("the shipped files pass khorgos check", "[cli][scenarios]") {
    // Every scenario, counterfactual and batch file under scenarios/, and the
    // targets (the calibration files have their own test).
    const fs::path source(KHORGOS_SOURCE_DIR);
    std::vector<fs::path> files{source / "calibration" / "targets" / "article.toml"};
    for (const auto& entry : fs::recursive_directory_iterator(source / "scenarios"))
        if (entry.path().extension() == ".toml") files.push_back(entry.path());
    CHECK(files.size() >= 13); // historical, 7 counterfactuals, 4 batches, the targets
    for (const auto& file : files) {
        const Outcome outcome = run_khorgos("check " + file.string());
        INFO(file.string() << " gave: " << outcome.output);
        CHECK(outcome.status == 0);
    }
}
