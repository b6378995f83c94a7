// Scenario files: the shipped ones load; overrides are checked.
#include "engine_fixture.hpp"
#include "sim/errors.hpp"

#include <catch2/catch.hpp>

using namespace khorgos;
using namespace khorgos::testing;

TEST_CASE("the historical scenario loads with its timeline in date order", "[scenario]") {
    const LoadedScenario loaded = load_scenario(source_path("scenarios/historical.toml"));
    const Scenario& s = loaded.scenario;
    CHECK(s.origins.size() == 6);
    CHECK(s.crossings.size() == 5);
    CHECK(s.regions.size() == 8);
    CHECK(s.end_day - s.start_day == 11687);
    for (std::size_t i = 1; i < s.events.size(); ++i)
        CHECK(s.events[i - 1].day <= s.events[i].day);
    CHECK(loaded.text.find("visa_free_start") != std::string::npos);
}

TEST_CASE("extends merges the parent and removes named events", "[scenario]") {
    const LoadedScenario child = load_scenario(source_path("tests/data/no_visa_free.toml"));
    const LoadedScenario parent = load_scenario(source_path("scenarios/historical.toml"));
    CHECK(child.scenario.events.size() == parent.scenario.events.size() - 2);
    CHECK(child.scenario.name == "no_visa_free");
    CHECK(child.files.size() == 2);
    CHECK(child.scenario.parameters.values() == parent.scenario.parameters.values());
}

TEST_CASE("a parameter override (--set) applies and rejects bad values", "[scenario]") {
    Scenario s = scenario("scenarios/historical.toml");
    apply_override(s, "trader.new_traders_per_year=1000");
    CHECK(s.parameters[Param::trader_new_per_year] == 1000);
    CHECK_THROWS_AS(apply_override(s, "trader.new_traders_per_year"), InputError);
    CHECK_THROWS_AS(apply_override(s, "trader.nonsense=1"), InputError);
    CHECK_THROWS_AS(apply_override(s, "trader.new_traders_per_year=abc"), InputError);
    CHECK_THROWS_AS(apply_override(s, "trader.new_traders_per_year=nan"), InputError);
    CHECK_THROWS_AS(apply_override(s, "trader.quit_prob=2"), InputError);
    CHECK_THROWS_WITH(apply_override(s, "trader.quit_prob=-1"),
                      Catch::Contains("trader.quit_prob") && Catch::Contains("between 0 and 1"));
    // A daily hazard of the model before issue 16 names what replaced it.
    CHECK_THROWS_WITH(apply_override(s, "trader.base_hazard=5e-5"),
                      Catch::Contains("unknown parameter") &&
                          Catch::Contains("is now 'trader.new_traders_per_year'"));
}

TEST_CASE("every file of an extends chain is recorded, and a changed one is named", "[scenario]") {
    MemoryFiles files;
    const std::string parent = *disk_files().read(source_path("tests/data/minimal.toml"));
    files.add("parent.toml", parent);
    files.add("sub/child.toml", "extends = \"../parent.toml\"\nname = \"child\"\n");
    RecordingFiles recording(files);
    load_scenario("sub/child.toml", recording);
    const std::string record = recording.record();
    CHECK(record.find("  parent.toml\n") != std::string::npos);
    CHECK(record.find("  sub/child.toml\n") != std::string::npos);
    CHECK_NOTHROW(check_unchanged(record, files, "the test"));

    files.add("parent.toml", parent + "# edited\n");
    CHECK_THROWS_WITH(check_unchanged(record, files, "the test"),
                      Catch::StartsWith("parent.toml") && Catch::Contains("changed"));
    MemoryFiles without_parent;
    without_parent.add("sub/child.toml", "extends = \"../parent.toml\"\nname = \"child\"\n");
    CHECK_THROWS_WITH(check_unchanged(record, without_parent, "the test"),
                      Catch::Contains("no longer exists"));
}

TEST_CASE("a series read forward gives Series::at's values bit for bit", "[scenario]") {
    // Every driver and attractiveness of the historical scenario, daily over
    // its horizon and beyond both ends, then read again from the start.
    const Scenario s = scenario("scenarios/historical.toml");
    std::vector<const Series*> all;
    for (const Driver& d : s.drivers)
        all.push_back(&d.series);
    for (const Region& r : s.regions)
        for (const Series& a : r.attractiveness)
            all.push_back(&a);
    // A log-linear series with a point of 0 (linear next to it), and one read
    // exactly at a point (2006 is day 5844), where the interval before it
    // would give 0.1 + (0.01 - 0.1) = 0.009999999999999995, not 0.01.
    const Series zero{{2000, 2001, 2002}, {4, 0, 9}, true};
    const Series at_point{{2002, 2006, 2010}, {0.1, 0.01, 0.2}, false};
    all.push_back(&zero);
    all.push_back(&at_point);
    bool log_linear = false;
    for (const Series* series : all) {
        log_linear = log_linear || series->log_linear;
        SeriesReader reader(*series);
        for (int pass = 0; pass < 2; ++pass)
            for (int day = -400; day < 12500; ++day) {
                const double year = 1990 + day / 365.25;
                const double expected = series->at(year), got = reader.at(year);
                if (got != expected) FAIL("year " << year << ": " << got << " != " << expected);
            }
    }
    CHECK(log_linear); // the scenario's drivers include a log-linear series
    CHECK(all.size() > 20);
}
