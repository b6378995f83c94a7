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
