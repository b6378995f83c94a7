// Bad calibration files: `khorgos check` and `khorgos calibrate` exit with code 2
// before any simulation, printing each `# expect:` line of the file (file, line,
// column, key). `calibrate` is given an --out in a fresh directory: no posterior
// file may appear, which shows nothing was simulated.
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

TEST_CASE("Bad calibration files fail with code 2 before any simulation", "[calibration][cli]") {
    const fs::path dir = fs::path(KHORGOS_SOURCE_DIR) / "tests/calibration/bad";
    const fs::path out =
        fs::temp_directory_path() / ("khorgos-calib-bad-" + std::to_string(::getpid()));
    fs::create_directories(out);
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".toml") continue;
        ++files;
        const auto expected = expectations(entry.path());
        REQUIRE(!expected.empty());
        for (const std::string& command : {std::string("check"), std::string("calibrate")}) {
            const std::string extra =
                command == "calibrate" ? " --out '" + (out / "posterior.h5").string() + "'" : "";
            // From the file's directory, so messages carry the bare file name.
            const Outcome outcome =
                run_khorgos(command + " " + entry.path().filename().string() + extra, dir);
            const std::string& output = outcome.output;
            INFO(entry.path().filename().string() << " (" << command << "): " << output);
            CHECK(outcome.status == 2);
            for (const auto& e : expected)
                CHECK(output.find(e) != std::string::npos);
            CHECK(!fs::exists(out / "posterior.h5"));
        }
    }
    CHECK(files >= 6);
    fs::remove_all(out);
}

TEST_CASE("Bad calibrate command lines fail with code 2", "[calibration][cli]") {
    const std::string good = std::string(KHORGOS_SOURCE_DIR) + "/calibration/historical.toml";
    CHECK(run_khorgos("calibrate").status == 2);
    CHECK(run_khorgos("calibrate " + good + " --jobs -1").status == 2);
    CHECK(run_khorgos("calibrate " + good + " --method bayes").status == 2);
    CHECK(run_khorgos("calibrate " + good + " --targets /nonexistent.toml").status == 2);
    CHECK(run_khorgos("calibrate " + good + " --out /nonexistent/dir/p.h5").status == 2);
    CHECK(run_khorgos("run x.toml --posterior /nonexistent.h5").status == 2);
}

TEST_CASE("The shipped calibration files pass khorgos check", "[calibration][cli]") {
    for (const char* name : {"historical.toml"}) {
        const auto o =
            run_khorgos("check " + std::string(KHORGOS_SOURCE_DIR) + "/calibration/" + name);
        INFO(o.output);
        CHECK(o.status == 0);
    }
}
