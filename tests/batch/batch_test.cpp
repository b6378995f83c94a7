// Batch files into runs (seeds, designs, paths) and the batch summary file's
// round trip. The end-to-end behaviour of `khorgos batch` is in test_batch.py.
#include "input/batch_spec.hpp"
#include "output/batch_file.hpp"
#include "sim/errors.hpp"
#include "tests/philox_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace khorgos;
namespace fs = std::filesystem;

namespace {

const std::string kSource = KHORGOS_SOURCE_DIR;

/// A batch file in a fresh temporary directory, over the historical scenario.
std::string write_batch(const std::string& name, const std::string& variation) {
    const fs::path dir = fs::temp_directory_path() / ("khorgos-batch-test-" + name);
    fs::create_directories(dir);
    const std::string path = (dir / "batch.toml").string();
    std::ofstream(path)
        << "[batch]\nreplicates = 2\nseed = 9\n\n[[scenario]]\nid = \"h\"\nfile = \"" << kSource
        << "/scenarios/historical.toml\"\n\n"
        << variation;
    return path;
}

} // namespace

TEST_CASE("replicate seeds are stable and shared by scenarios", "[batch]") {
    // Golden values: a change here changes every batch's seeds.
    CHECK(batch::replicate_seed(20261127, 0) == 4669930138089319721ULL);
    CHECK(batch::replicate_seed(20261127, 1) == 238800507950314394ULL);
    // Derived independently: the first two words of Philox4x32-10 (the tests'
    // own, checked against Random123's known answers) of the counter
    // (replicate, 0, "seed", 0) under the batch seed, high word first.
    for (const std::uint64_t seed : {20261127ULL, 0xfedcba9876543210ULL})
        for (const std::uint32_t r : {0U, 1U, 7U, 99999U}) {
            const auto x = khorgos::testing::philox4x32_10(
                {r, 0, 0x73656564, 0},
                {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)});
            CHECK(batch::replicate_seed(seed, static_cast<int>(r)) ==
                  ((static_cast<std::uint64_t>(x[0]) << 32) | x[1]));
        }
    CHECK(batch::replicate_seed(20261128, 0) != batch::replicate_seed(20261127, 0));

    const batch::Spec spec = batch::load_spec(kSource + "/tests/batch/two_by_three.toml");
    REQUIRE(spec.scenarios.size() == 2);
    CHECK(spec.baseline == 0);
    CHECK(spec.scenarios[0].path == kSource + "/scenarios/historical.toml");
    const auto runs = batch::expand(spec);
    REQUIRE(runs.size() == 6);
    CHECK(runs[4].scenario == 1);
    CHECK(runs[4].replicate == 1);
    CHECK(runs[4].seed == runs[1].seed);
    CHECK(runs[4].path == "runs/visa_free_continues/v0-r1.h5");
}

TEST_CASE("a grid varies its first parameter slowest", "[batch]") {
    const auto spec = batch::load_spec(write_batch("grid", R"([variation]
method = "grid"
[[variation.parameter]]
name = "policy.labour_quota_factor"
values = [1, 2]
[[variation.parameter]]
name = "network.strength"
values = [3, 4, 5]
)"));
    REQUIRE(spec.variations.size() == 6);
    CHECK(spec.variations[0] == std::vector<double>{1, 3});
    CHECK(spec.variations[2] == std::vector<double>{1, 5});
    CHECK(spec.variations[3] == std::vector<double>{2, 3});
    const auto runs = batch::expand(spec);
    REQUIRE(runs.size() == 12);
    CHECK(describe(runs[3].sets.back()) == "network.strength=4");
    CHECK(runs[3].path == "runs/h/v1-r1.h5");
    const auto p = batch::requested_parameters(spec, runs[9]); // variation 4: (2, 4)
    CHECK(p[static_cast<int>(Param::policy_labour_quota_factor)] == 2);
    CHECK(p[static_cast<int>(Param::network_strength)] == 4);
    // Fixed parameters come from the scenario file (the historical scenario's
    // calibrated value, not the hand-set default).
    const double in_file =
        spec.scenarios[0].scenario->scenario.parameters[Param::trader_new_per_year];
    const Parameters defaults;
    CHECK(in_file != defaults[Param::trader_new_per_year]);
    CHECK(p[static_cast<int>(Param::trader_new_per_year)] == in_file);
}

TEST_CASE("Saltelli samples have SALib's rows", "[batch]") {
    for (const bool second : {true, false}) {
        const auto spec = batch::load_spec(
            write_batch(second ? "saltelli2" : "saltelli1", std::string(R"([variation]
method = "saltelli"
samples = 3
second_order = )") + (second ? "true" : "false") + R"(
[[variation.parameter]]
name = "trader.new_traders_per_year"
lower = 1e-4
upper = 1e-3
[[variation.parameter]]
name = "visitor.entries_per_year"
lower = 1e-5
upper = 1e-4
)"));
        const std::size_t d = 2, block = second ? 2 * d + 2 : d + 2;
        REQUIRE(spec.variations.size() == 3 * block);
        for (std::size_t i = 0; i < 3; ++i) {
            const auto* row = &spec.variations[i * block];
            const auto& a = row[0];
            const auto& b = row[block - 1];
            for (std::size_t k = 0; k < d; ++k)
                for (std::size_t j = 0; j < d; ++j) {
                    CHECK(row[1 + k][j] == (j == k ? b[j] : a[j]));
                    if (second) CHECK(row[1 + d + k][j] == (j == k ? a[j] : b[j]));
                }
            CHECK(a[0] >= 1e-4);
            CHECK(a[0] <= 1e-3);
            CHECK(b[1] >= 1e-5);
            CHECK(b[1] <= 1e-4);
        }
        CHECK(batch::salib_problem(spec) ==
              "trader.new_traders_per_year 0.0001 0.001\nvisitor.entries_per_year 1e-05 0.0001\n");
    }
}

TEST_CASE("a Latin hypercube uses each stratum once", "[batch]") {
    const auto spec = batch::load_spec(write_batch("lhs", R"([variation]
method = "latin_hypercube"
samples = 10
[[variation.parameter]]
name = "network.strength"
lower = 0
upper = 10
)"));
    REQUIRE(spec.variations.size() == 10);
    std::vector<int> used(10, 0);
    for (const auto& row : spec.variations)
        ++used[static_cast<std::size_t>(std::floor(row[0]))];
    CHECK(used == std::vector<int>(10, 1));
}

TEST_CASE("a range with log = true is sampled uniformly on the log scale", "[batch]") {
    // Ten strata over four decades: one value in each factor of 10^0.4.
    const auto spec = batch::load_spec(write_batch("lhs_log", R"([variation]
method = "latin_hypercube"
samples = 10
[[variation.parameter]]
name = "visitor.entries_per_year"
lower = 10
upper = 100000
log = true
)"));
    REQUIRE(spec.variations.size() == 10);
    std::vector<int> used(10, 0);
    for (const auto& row : spec.variations) {
        REQUIRE(row[0] >= 10);
        REQUIRE(row[0] < 100000);
        ++used[static_cast<std::size_t>(std::floor((std::log10(row[0]) - 1) / 0.4))];
    }
    CHECK(used == std::vector<int>(10, 1));
}

TEST_CASE("bad batch entries are input errors with their key", "[batch]") {
    const auto fails_with = [](const std::string& name, const std::string& variation,
                               const std::string& key) {
        try {
            batch::load_spec(write_batch(name, variation));
            FAIL("no error for " << name);
        } catch (const InputError& e) {
            CHECK(e.key() == key);
            CHECK(e.line() > 0);
        }
    };
    fails_with("empty_grid",
               "[variation]\nmethod = \"grid\"\n[[variation.parameter]]\n"
               "name = \"network.strength\"\nvalues = []\n",
               "variation.parameter[0].values");
    fails_with("twice",
               "[variation]\nmethod = \"grid\"\n[[variation.parameter]]\n"
               "name = \"network.strength\"\nvalues = [1]\n[[variation.parameter]]\n"
               "name = \"network.strength\"\nvalues = [2]\n",
               "variation.parameter[1].name");
    fails_with("log_of_zero",
               "[variation]\nmethod = \"latin_hypercube\"\nsamples = 2\n[[variation.parameter]]\n"
               "name = \"network.strength\"\nlower = 0\nupper = 3\nlog = true\n",
               "variation.parameter[0].lower");
    fails_with("samples", "[variation]\nmethod = \"latin_hypercube\"\nsamples = 0\n",
               "variation.samples");
}

TEST_CASE("a batch summary reads back as written", "[batch]") {
    output::BatchSummary s;
    s.name = "t";
    s.batch_text = "[batch]\n";
    s.program_version = "0";
    s.git_commit = "abc";
    s.seed = 5;
    s.replicates = 3;
    s.scale = 20;
    s.baseline = "h";
    s.coordinates = {{"condition", "", "", {}, {"h", "c"}},
                     {"contrast", "", "", {}, {"c - h"}},
                     {"statistic", "", "", {}, {"mean", "q05", "q50", "q95"}},
                     {"observable", "", "", {}, {"a@2000", "b@2001"}},
                     {"year", "", "years", {2000, 2001, 2002}, {}}};
    std::vector<double> v(2 * 4 * 3), d(1 * 4 * 3);
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<double>(i);
    d[5] = NAN;
    s.variables = {
        {"yearly", "entries", {"condition", "statistic", "year"}, "persons", "e", v},
        {"yearly", "entries_difference", {"contrast", "statistic", "year"}, "persons", "d", d},
        {"observables",
         "value",
         {"condition", "statistic", "observable"},
         "",
         "",
         std::vector<double>(16, 1.5)}};
    s.observables = {{"a", "2000", 0, "persons", "A"}, {"b", "2001", 0, "1", "B"}};
    const std::string path = (fs::temp_directory_path() / "khorgos-batch-summary-test.h5").string();
    output::write_batch_summary(path, s);
    const auto r = output::read_batch_summary(path);
    CHECK(r.name == "t");
    CHECK(r.seed == 5);
    CHECK(r.replicates == 3);
    CHECK(r.baseline == "h");
    REQUIRE(r.variables.size() == 3);
    CHECK(r.variables[0].values == v);
    CHECK(r.variables[0].dims == std::vector<std::string>{"condition", "statistic", "year"});
    CHECK(std::isnan(r.variables[1].values[5]));
    REQUIRE(r.observables.size() == 2);
    CHECK(r.observables[1].definition == "B");
    bool found = false;
    for (const auto& c : r.coordinates)
        if (c.name == "contrast") found = c.labels == std::vector<std::string>{"c - h"};
    CHECK(found);
    std::remove(path.c_str());
    CHECK_THROWS_AS(output::read_batch_summary(path), InputError);
}
