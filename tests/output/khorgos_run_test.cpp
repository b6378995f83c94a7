// The real `khorgos run` writes a run file that read_run and read_events read
// back whole and consistent with the command line.
#include "output/run_file.hpp"
#include "sim/errors.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;
using namespace khorgos;

TEST_CASE("khorgos run --events writes a complete run file") {
    const fs::path dir = fs::temp_directory_path() / ("khorgos-run-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string out = (dir / "historical.h5").string();
    const std::string scenario = std::string(KHORGOS_SOURCE_DIR) + "/scenarios/historical.toml";
    const std::string command = std::string(KHORGOS_BINARY) + " run " + scenario + " --out " + out +
                                " --events --scale 100 --seed 7 --threads 2 --quiet > /dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    CHECK(fs::directory_iterator(dir)->path().filename() == "historical.h5");

    output::Provenance provenance;
    const RunResult result = output::read_run(out, &provenance);
    CHECK(provenance.seed == 7);
    CHECK(provenance.scale == 100);
    CHECK(provenance.threads == 2);
    CHECK(provenance.scenario_path == scenario);
    CHECK(provenance.command_line.find("--events") != std::string::npos);
    CHECK_FALSE(provenance.parameters.empty());
    std::ifstream file(scenario);
    const std::string text{std::istreambuf_iterator<char>(file), {}};
    CHECK(provenance.scenario_text.find(text) != std::string::npos);

    REQUIRE(result.coordinate("time") != nullptr);
    CHECK(result.coordinate("time")->units == "days since 1990-01-01");
    REQUIRE(result.variable("stock") != nullptr);
    CHECK(result.variable("stock")->dims ==
          std::vector<std::string>{"time", "agent_type", "region"});
    for (const auto& v : result.variables) {
        std::size_t size = 1;
        for (const auto& d : v.dims)
            size *= result.coordinate(d)->size();
        CHECK(v.values.size() == size);
    }
    CHECK(result.observable("nsc_visitors_cn", "2010") != nullptr);

    const auto places = result.coordinate("place")->size();
    bool in_range = true;
    const auto rows = output::read_events(out, [&](const AgentEvent* events, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            in_range = in_range && events[i].from < static_cast<int>(places) &&
                       events[i].to < static_cast<int>(places);
    });
    CHECK(rows == result.counters.events);
    CHECK(rows > 0);
    CHECK(in_range);
    fs::remove_all(dir);
}
