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
    for (const char* name : {"historical.toml", "historical-fit.toml"}) {
        const auto o =
            run_khorgos("check " + std::string(KHORGOS_SOURCE_DIR) + "/calibration/" + name);
        INFO(o.output);
        CHECK(o.status == 0);
    }
}

TEST_CASE("calibrate --scale replaces the file's scale and --resume compares it",
          "[calibration][cli]") {
    // One evaluation of a one-parameter fit started from the scenario's value, on
    // the short history at a scale where a run takes a few milliseconds.
    const fs::path dir =
        fs::temp_directory_path() / ("khorgos-calib-scale-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string source = KHORGOS_SOURCE_DIR;
    std::ofstream(dir / "s.toml") << "extends = \"" << source
                                  << "/tests/calibration/short_history.toml\"\n\n[parameters]\n"
                                  << "\"visitor.entries_per_year\" = 11870.625\n"; // 3.25e-5 a day
    std::ofstream(dir / "c.toml")
        << "[calibration]\nscenario = \"s.toml\"\ntargets = \"" << source
        << "/calibration/targets/article.toml\"\n"
        << "method = \"fit\"\nscale = 100\n"
        << "fit_targets = [\"nsc_visitors_cn@2000\"]\n\n"
        << "[fit]\nstart = \"scenario\"\nmax_evaluations = 1\n"
        << "replicates = 1\n\n[[parameter]]\n"
        << "name = \"visitor.entries_per_year\"\nprior = \"log_uniform\"\n"
        << "lower = 1461\nupper = 146100\n";
    const auto calibrate = [&](const std::string& options) {
        return run_khorgos("calibrate c.toml --out p.h5 --quiet " + options, dir);
    };
    const auto read = [&](const char* name) {
        std::ifstream in(dir / name);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };

    Outcome o = calibrate("--scale 1000");
    INFO(o.output);
    REQUIRE(o.status == 0);
    CHECK(read("p-report.txt").find("scale 1000,") != std::string::npos);
    // start = "scenario": the one evaluation is at the scenario's value (through
    // the log scale of a log-uniform prior and back, so to rounding).
    const std::string fragment = read("p.toml");
    const auto at = fragment.find("\"visitor.entries_per_year\" = ");
    REQUIRE(at != std::string::npos);
    CHECK(std::stod(fragment.substr(at + 29)) == Approx(11870.625).epsilon(1e-12));

    o = calibrate("--resume"); // the file's scale 100 is another calibration
    CHECK(o.status == 2);
    CHECK(o.output.find("'--resume'") != std::string::npos);
    o = calibrate("--resume --scale 1000");
    CHECK(o.status == 0);

    for (const char* bad : {"0.5", "2e6", "abc"}) {
        o = calibrate(std::string("--force --scale ") + bad);
        INFO(bad << ": " << o.output);
        CHECK(o.status == 2);
        CHECK(o.output.find("--scale") != std::string::npos);
    }
    fs::remove_all(dir);
}
