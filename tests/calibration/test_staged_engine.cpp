// The engine as calibration's staged simulator (early rejection): a run that
// is never stopped gives exactly the plain simulator's values, and a run
// stopped at its first figure reports nothing after it.
#include "batch/calibration_runs.hpp"
#include "input/targets_file.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

using namespace khorgos;

namespace {
struct Fixture {
    std::shared_ptr<const LoadedScenario> scenario = std::make_shared<const LoadedScenario>(
        load_scenario(std::string(KHORGOS_SOURCE_DIR) + "/scenarios/historical.toml"));
    std::vector<calibration::Target> targets = calibration::load_targets(
        std::string(KHORGOS_SOURCE_DIR) + "/calibration/targets/article.toml");
    std::vector<std::string> names{"trader.new_traders_per_year"};
    std::vector<double> theta{13149}; // 6e-4 a day over the 60,000 potential traders of 1990
};
} // namespace

TEST_CASE("a staged engine run that is never stopped equals the plain run", "[calibration]") {
    const Fixture f;
    const auto plain = engine_simulator(f.scenario, f.names, f.targets, 20)(f.theta, 3);
    std::vector<std::size_t> order;
    const auto staged = engine_staged_simulator(f.scenario, f.names, f.targets,
                                                20)(f.theta, 3, [&](std::size_t target, double) {
        order.push_back(target);
        return true;
    });
    REQUIRE(plain.size() == staged.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
        INFO(f.targets[i].id << " " << f.targets[i].period);
        if (std::isnan(plain[i]))
            CHECK(std::isnan(staged[i]));
        else
            CHECK(staged[i] == plain[i]);
    }
    // Every figure the run produces is passed once, in the order its period ends.
    std::size_t produced = 0;
    for (double v : plain)
        produced += !std::isnan(v);
    CHECK(order.size() == produced);
    // The 1993 labour figure ends before 2000's entries; the 1992 cohort's
    // non-return is final only when the run ends.
    const auto position = [&](const std::string& id, const std::string& period) {
        for (std::size_t k = 0; k < order.size(); ++k)
            if (f.targets[order[k]].id == id && f.targets[order[k]].period == period) return k;
        return order.size();
    };
    CHECK(position("labour_quota_cn", "1993") < position("nsc_visitors_cn", "2000"));
    CHECK(position("nonreturn_per_day_1992", "1992") >
          position("repatriates_cn", "1991-01-01/2019-09-30"));
    CHECK(position("nonreturn_per_day_1992", "1992") < order.size());
}

TEST_CASE("a staged engine run told to stop reports nothing after that", "[calibration]") {
    const Fixture f;
    int calls = 0;
    const auto values = engine_staged_simulator(f.scenario, f.names, f.targets,
                                                20)(f.theta, 3, [&](std::size_t, double) {
        ++calls;
        return false;
    });
    CHECK(calls == 1);
    std::size_t reached = 0;
    for (double v : values)
        reached += !std::isnan(v);
    CHECK(reached == 1);
}
