// The engine as a whole: conservation, quotas, capacities, the visa-free
// window, an analytic hazard, reproducibility and scale invariance.
#include "engine_fixture.hpp"
#include "sim/calendar.hpp"
#include "statistics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

using namespace khorgos;
using namespace khorgos::testing;

TEST_CASE("set-outs a year convert to a daily hazard over the pools of the first year",
          "[engine]") {
    const Scenario world = scenario("tests/data/policy_world.toml"); // pools of 20,000 from 2000
    CHECK(daily_hazard(world, AgentType::trader) == Approx(2e-3).epsilon(1e-14));
    CHECK(daily_hazard(world, AgentType::repatriate) == Approx(1e-3).epsilon(1e-14));
    CHECK(daily_hazard(scenario("tests/data/minimal.toml"), AgentType::trader) == 0); // no pool
    // The historical scenario's (calibrated) set-outs a year: its six trader
    // pools hold 60,000 in 1990, its repatriate pools 1,106,271.
    Scenario h = scenario("scenarios/historical.toml");
    const double trader_hazard = h.parameters[Param::trader_new_per_year] / (365.25 * 60000);
    CHECK(daily_hazard(h, AgentType::trader) == Approx(trader_hazard).epsilon(1e-14));
    CHECK(daily_hazard(h, AgentType::repatriate) ==
          Approx(h.parameters[Param::repatriate_households_per_year] / (365.25 * 1106271))
              .epsilon(1e-14));
    // pool.size_factor scales the movers, not the conversion.
    h.parameters[Param::pool_size_factor] = 4;
    CHECK(daily_hazard(h, AgentType::trader) == Approx(trader_hazard).epsilon(1e-14));
    // A later start takes the pools of its own first year (traders grow
    // linearly from 60,000 in 1990 to 90,000 in 2021).
    h.start_day = day_number(Date{2005, 1, 1});
    const double traders_2005 = 60000 + 30000 * 15.0 / 31;
    CHECK(
        daily_hazard(h, AgentType::trader) ==
        Approx(h.parameters[Param::trader_new_per_year] / (365.25 * traders_2005)).epsilon(1e-12));
}

TEST_CASE("every person is accounted for at every step", "[engine]") {
    const Scenario s = scenario("scenarios/historical.toml");
    EventLog log;
    const RunResult r = run(s, 11, 2, 4, &log);
    const auto& population = r.variable("population")->values;
    const auto& pool = r.variable("pool_created")->values;
    const auto& stock = r.variable("stock")->values;
    const std::size_t T = r.coordinate("time")->size();
    const std::size_t per_step = stock.size() / T;
    const std::size_t in_kz = label(r, "status", "in_kazakhstan");

    // Net change of the stock each step, from the event log. Applicants
    // waiting for status stay in the stock; citizens leave it for the
    // naturalised, where they stay settled.
    std::map<int, double> net;
    double grants = 0;
    for (const auto& e : log.rows) {
        const auto kind = static_cast<EventKind>(e.kind);
        const int step = (e.day - s.start_day) / s.step_days;
        grants += kind == EventKind::status_grant;
        if (kind == EventKind::entry) net[step] += 4;
        if (kind == EventKind::return_home || kind == EventKind::regret_return ||
            kind == EventKind::onward_exit || kind == EventKind::naturalisation)
            net[step] -= 4;
    }
    double previous = 0;
    for (std::size_t t = 0; t < T; ++t) {
        const double total = population[t * 4] + population[t * 4 + 1] + population[t * 4 + 2] +
                             population[t * 4 + 3];
        REQUIRE(total == pool[t]);
        const double present =
            std::accumulate(stock.begin() + t * per_step, stock.begin() + (t + 1) * per_step, 0.0);
        REQUIRE(present == population[t * 4 + in_kz]);
        REQUIRE(present - previous == net[static_cast<int>(t)]);
        previous = present;
    }
    CHECK(pool.back() > 4e6); // the pools are really there
    // The status queue was exercised (grants came), within the quota's places
    // of the 32 years (in agents of 4 persons, +1 a year for rounding).
    const double quota = s.parameters[Param::repatriate_status_quota] / 4;
    CHECK(grants > 10000);
    CHECK(grants <= (2021 - 1990 + 1) * (quota + 1));
}

TEST_CASE("a horizon before 1990 (negative day numbers) schedules every trip's end", "[engine]") {
    // Stays of about 10 days (mean 11.3) over 730 days: all but the entries of
    // the last weeks (about 1.5% of them) come home within the horizon. A
    // next-event day below 0 once read as "no next event" lost them all.
    EventLog log;
    const RunResult r = run(scenario("tests/data/before_1990.toml"), 3, 1, 1, &log);
    double entries = 0, returns = 0;
    for (const auto& e : log.rows) {
        REQUIRE(e.day < 0);
        entries += e.kind == static_cast<std::uint8_t>(EventKind::entry);
        returns += e.kind == static_cast<std::uint8_t>(EventKind::return_home);
    }
    INFO(entries << " entries, " << returns << " returns");
    CHECK(entries > 20000);
    CHECK(returns > 0.9 * entries);
}

TEST_CASE("a constant hazard gives its binomial expectation", "[engine][stochastic]") {
    // 200,000 people, hazard 2e-4 a day, 366 days, each sets out at most once.
    for (const int step : {1, 7}) {
        Scenario s = scenario("tests/data/minimal.toml");
        s.step_days = step;
        const double n = 200000, p = -std::expm1(-2e-4 * 366);
        const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
        const RunResult r = run(s, 5);
        const double entries = r.variable("entries")->values[label(r, "agent_type", "visitor")];
        INFO("step " << step << ": " << entries << " entries, expected " << mean << " +- " << sd);
        CHECK(std::abs(entries - mean) < 4 * sd);
    }
}

namespace {
/// Two runs agree to the bit: every variable, observable and event-log row.
void check_identical(const RunResult& one, const RunResult& two, const EventLog& log1,
                     const EventLog& log2) {
    REQUIRE(one.variables.size() == two.variables.size());
    for (std::size_t i = 0; i < one.variables.size(); ++i) {
        INFO(one.variables[i].name);
        CHECK(one.variables[i].values == two.variables[i].values);
    }
    REQUIRE(one.observables.size() == two.observables.size());
    for (std::size_t i = 0; i < one.observables.size(); ++i)
        CHECK(one.observables[i].value == two.observables[i].value);
    REQUIRE(log1.rows.size() == log2.rows.size());
    CHECK(std::memcmp(log1.rows.data(), log2.rows.data(), log1.rows.size() * sizeof(AgentEvent)) ==
          0);
}
} // namespace

TEST_CASE("the same seed gives identical output on 1 and 2 threads", "[engine][determinism]") {
    // Pools x4, so that the busiest steps have more than one chunk of
    // events and 2 threads take the parallel path; the first six years (the
    // 1992-93 visa-free surge) keep the test short.
    Scenario s = scenario("scenarios/historical.toml", {"pool.size_factor=4"});
    s.end_day = day_number({1995, 12, 31});
    s.events.erase(std::remove_if(s.events.begin(), s.events.end(),
                                  [&](const PolicyEvent& e) { return e.day > s.end_day; }),
                   s.events.end());
    EventLog log1, log2;
    const RunResult one = run(s, 42, 1, 1, &log1);
    const RunResult two = run(s, 42, 2, 1, &log2);
    CHECK(one.counters.parallel_steps == 0);
    CHECK(two.counters.parallel_steps > 0);
    check_identical(one, two, log1, log2);

    const RunResult other = run(s, 43, 2);
    CHECK(other.counters.parallel_steps > 0);
    CHECK(other.variable("stock")->values != one.variable("stock")->values);
    CHECK(observable(other, "nonreturn_per_day_1992", "1992") !=
          observable(one, "nonreturn_per_day_1992", "1992"));
}

TEST_CASE("the parallel path gives identical output on 1 and 2 threads", "[engine][determinism]") {
    // Thousands of departures a step: the engine samples groups in parallel here.
    const Scenario s = scenario("tests/data/busy.toml");
    EventLog log1, log2;
    const RunResult one = run(s, 7, 1, 1, &log1);
    const RunResult two = run(s, 7, 2, 1, &log2);
    CHECK(one.counters.events > 500000);
    CHECK(one.counters.parallel_steps == 0);
    CHECK(two.counters.parallel_steps == two.coordinate("time")->size()); // every step
    check_identical(one, two, log1, log2);
}

TEST_CASE("crossings with quotas, households and a capacity agree on 1 and 2 threads",
          "[engine][determinism]") {
    // The groups cross on the threads that drew them until a capacity couples
    // them on 2000-02-15; quotas bind, and repatriates come in households of
    // 1 + Poisson(3) persons.
    const Scenario s = scenario("tests/data/busy_coupled.toml");
    EventLog log1, log2;
    const RunResult one = run(s, 5, 1, 1, &log1);
    const RunResult two = run(s, 5, 2, 1, &log2);
    CHECK(two.counters.parallel_steps == two.coordinate("time")->size());
    check_identical(one, two, log1, log2);

    // What the run must have gone through for the comparison to mean something.
    const auto& admitted = one.variable("labour_admitted")->values;
    const auto& cap = one.variable("labour_cap_cn")->values;
    CHECK(admitted[0] == cap[0]); // the labour quota binds
    const auto& assisted = one.variable("repatriate_households_assisted")->values;
    CHECK(assisted[0] == one.variable("repatriate_household_cap")->values[0]);
    const auto& flow = one.variable("flow")->values; // [time, type, crossing, direction]
    const std::size_t C = one.coordinate("crossing")->size();
    const std::size_t ford = label(one, "crossing", "ford");
    const std::size_t first_capped = static_cast<std::size_t>(
        day_number({2000, 2, 15}) - day_number({2000, 1, 1})); // daily steps
    bool capped_and_full = false, above_before = false;
    for (std::size_t t = 0; t < one.coordinate("time")->size(); ++t) {
        double entries = 0;
        for (std::size_t type = 0; type < kAgentTypes; ++type)
            entries += flow[((t * kAgentTypes + type) * C + ford) * kDirections];
        if (t < first_capped)
            above_before = above_before || entries > 3000;
        else {
            CHECK(entries <= 3000);
            capped_and_full = capped_and_full || entries == 3000;
        }
    }
    CHECK(above_before);
    CHECK(capped_and_full);
}

TEST_CASE("scale 10 agrees with scale 1 within sampling error", "[engine][stochastic]") {
    // Replicates at each scale; the tolerance is a Welch t bound on the
    // difference of means from the replicates' spread, at a false-alarm rate
    // of 1e-4 per observable (statistics.hpp). With 5 replicates a side, 4
    // estimated standard errors were a 1-2% false alarm per observable. Runs
    // at scale 10 are cheap and ten times as noisy per person: more of them.
    const Scenario s = scenario("scenarios/historical.toml");
    const int reps1 = 5, reps10 = 20;
    const std::vector<std::pair<std::string, std::string>> checks{
        {"nsc_visitors_cn", "2005"},
        {"nsc_visitors_cn", "2014"},
        {"labour_quota_cn", "2010"},
        {"repatriates_cn", "1991-01-01/2019-09-30"},
        {"citizenship_cn", "1995-01-01/2014-12-31"},
        {"nonreturn_per_day_1992", "1992"}};
    std::vector<std::vector<double>> at1(checks.size()), at10(checks.size());
    for (int k = 0; k < reps1; ++k) {
        const RunResult a = run(s, 100 + k, 2, 1);
        for (std::size_t c = 0; c < checks.size(); ++c)
            at1[c].push_back(observable(a, checks[c].first, checks[c].second));
    }
    for (int k = 0; k < reps10; ++k) {
        const RunResult b = run(s, 200 + k, 2, 10);
        for (std::size_t c = 0; c < checks.size(); ++c)
            at10[c].push_back(observable(b, checks[c].first, checks[c].second));
    }
    for (std::size_t c = 0; c < checks.size(); ++c) {
        const double m1 = mean_and_variance(at1[c]).mean, m10 = mean_and_variance(at10[c]).mean;
        const double bound = two_sample_bound(at1[c], at10[c]);
        INFO(checks[c].first << " " << checks[c].second << ": scale 1 " << m1 << ", scale 10 "
                             << m10 << ", bound " << bound);
        CHECK(std::abs(m1 - m10) < bound);
    }
}

TEST_CASE("quotas are never exceeded, and bind when they are small", "[engine]") {
    const Scenario s =
        scenario("scenarios/historical.toml",
                 {"policy.labour_quota_factor=0.02", "repatriate.households_per_year=8081"});
    const RunResult r = run(s, 3, 2, 2);
    const auto& admitted = r.variable("labour_admitted")->values;
    const auto& cap = r.variable("labour_cap_cn")->values;
    int binding = 0;
    for (std::size_t y = 0; y < admitted.size(); ++y) {
        INFO("year " << 1990 + y);
        CHECK(admitted[y] <= cap[y]);
        binding += admitted[y] == cap[y] && cap[y] > 0;
    }
    CHECK(binding >= 10);
    const auto& households = r.variable("repatriate_households_assisted")->values;
    const auto& household_cap = r.variable("repatriate_household_cap")->values;
    int full = 0;
    for (std::size_t y = 0; y < households.size(); ++y) {
        CHECK(households[y] <= household_cap[y]);
        full += households[y] == household_cap[y] && household_cap[y] > 0;
    }
    CHECK(full >= 10);
}

TEST_CASE("a crossing's daily capacity is never exceeded", "[engine]") {
    Scenario s = scenario("tests/data/minimal.toml");
    s.crossings[0].capacity_per_day = 25; // demand is about 40 a day
    const RunResult r = run(s, 9);
    const auto& flow = r.variable("flow")->values; // [time, type, crossing, direction]
    const std::size_t visitor = label(r, "agent_type", "visitor");
    double total = 0;
    int full_days = 0;
    for (std::size_t t = 0; t < r.coordinate("time")->size(); ++t) {
        const double entries = flow[((t * kAgentTypes + visitor) * 1 + 0) * kDirections + 0];
        CHECK(entries <= 25);
        full_days += entries == 25;
        total += entries;
    }
    CHECK(full_days > 300);
    CHECK(total <= 25 * 366);
}

TEST_CASE("households never take more people than the pool has, nor more than capacity",
          "[engine]") {
    // The pool empties within the year, so late candidates find their persons
    // already gone with earlier households; capacities bind with weekly steps.
    Scenario unlimited = scenario("tests/data/households.toml");
    for (auto& c : unlimited.crossings)
        c.capacity_per_day = 0;
    unlimited.parameters[Param::repatriate_regret_rate] = 0.01;
    for (const std::uint64_t seed : {1, 2}) {
        // Without capacities the pool empties within weeks.
        const RunResult r = run(unlimited, seed);
        const auto& population = r.variable("population")->values;
        const auto& pool = r.variable("pool_created")->values;
        double fewest_at_home = pool.back();
        for (std::size_t t = 0; t < r.coordinate("time")->size(); ++t) {
            fewest_at_home = std::min(fewest_at_home, population[t * 4]);
            REQUIRE(population[t * 4] <= pool[t]); // no count wrapped below zero
            REQUIRE(population[t * 4] + population[t * 4 + 1] + population[t * 4 + 2] +
                        population[t * 4 + 3] ==
                    pool[t]);
        }
        CHECK(fewest_at_home < 30); // the pool of 3000 emptied
    }
    const Scenario s = scenario("tests/data/households.toml");
    for (const std::uint64_t seed : {1, 2, 3}) {
        const RunResult r = run(s, seed);
        const auto& population = r.variable("population")->values;
        const auto& pool = r.variable("pool_created")->values;
        const auto& flow = r.variable("flow")->values;
        const std::size_t T = r.coordinate("time")->size();
        const std::size_t C = r.coordinate("crossing")->size();
        const std::size_t repatriate = label(r, "agent_type", "repatriate");
        const std::vector<double> daily_capacity{3, 2.5};
        std::vector<double> entered(C, 0);
        for (std::size_t t = 0; t < T; ++t) {
            const double days = std::min<double>(7, 366 - 7.0 * t);
            REQUIRE(population[t * 4] + population[t * 4 + 1] + population[t * 4 + 2] +
                        population[t * 4 + 3] ==
                    pool[t]);
            REQUIRE(population[t * 4] <= pool[t]); // no count wrapped below zero
            for (std::size_t c = 0; c < C; ++c) {
                const double n = flow[((t * kAgentTypes + repatriate) * C + c) * kDirections];
                entered[c] += n;
                // Whole agents within the allowance, fractions carried: never above it.
                CHECK(n <= std::ceil(daily_capacity[c] * days));
                CHECK(entered[c] <= daily_capacity[c] * (7.0 * t + days) + 1e-9);
            }
        }
        CHECK(entered[0] + entered[1] > 1500); // capacity binds most of the year
    }
}

TEST_CASE("transit migrants enter only under the visa-free regime", "[engine]") {
    const Scenario s = scenario("scenarios/historical.toml");
    const RunResult r = run(s, 8, 2, 4);
    const auto& flow = r.variable("flow")->values;
    const auto& time = r.coordinate("time")->values;
    const std::size_t transit = label(r, "agent_type", "transit");
    const std::size_t C = r.coordinate("crossing")->size();
    int first = INT32_MAX, last = INT32_MIN;
    double total = 0;
    for (std::size_t t = 0; t < time.size(); ++t)
        for (std::size_t c = 0; c < C; ++c) {
            const double entries = flow[((t * kAgentTypes + transit) * C + c) * kDirections];
            if (entries > 0) {
                first = std::min(first, static_cast<int>(time[t]));
                last = std::max(last, static_cast<int>(time[t]));
                total += entries;
            }
        }
    CHECK(total > 50000);
    CHECK(first >= day_number({1992, 2, 1}));
    CHECK(last < day_number({1993, 7, 1}));
}

TEST_CASE("a run without series gives the same observables and no series", "[engine]") {
    const Scenario s = scenario("scenarios/historical.toml");
    RunOptions o;
    o.seed = 5;
    o.scale = 100;
    const RunResult full = simulate(s, o);
    o.series = false;
    const RunResult lean = simulate(s, o);
    CHECK(lean.variables.empty());
    CHECK(lean.coordinates.empty());
    REQUIRE(lean.observables.size() == full.observables.size());
    REQUIRE(!full.observables.empty());
    for (std::size_t i = 0; i < full.observables.size(); ++i) {
        CHECK(lean.observables[i].id == full.observables[i].id);
        CHECK(lean.observables[i].value == full.observables[i].value);
    }
    CHECK(lean.counters.events == full.counters.events);
}
