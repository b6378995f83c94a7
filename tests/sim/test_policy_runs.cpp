// Each policy event and multiplier in whole runs, with its effect derived from
// the parameters: tests/data/policy_world.toml is a world where each person
// sets out at most once, so the entries of a type in a period of constant
// policy have an analytic expectation (see the file). Each test runs
// kReplicates seeds and checks, per statistic, the mean of observed minus
// expected against the replicates' spread (statistics.hpp).
#include "engine_fixture.hpp"
#include "sim/calendar.hpp"
#include "statistics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

using namespace khorgos;
using namespace khorgos::testing;

namespace {

constexpr int kReplicates = 20;
constexpr int kDays = 366; // 2000
constexpr double kPool = 20000;
const int kApril = day_number({2000, 4, 1}) - day_number({2000, 1, 1});
const int kSeptember = day_number({2000, 9, 1}) - day_number({2000, 1, 1});
const int kNovember = day_number({2000, 11, 1}) - day_number({2000, 1, 1});

/// An event `offset` days after the start of the world's year.
PolicyEvent event(PolicyKind kind, int offset, int crossing = -1, double value = 0,
                  double assistance = 0) {
    PolicyEvent e;
    e.kind = kind;
    e.day = day_number({2000, 1, 1}) + offset;
    e.crossing = crossing;
    e.value = value;
    e.assistance = assistance;
    return e;
}

Scenario world(std::vector<PolicyEvent> events, const std::vector<std::string>& sets = {}) {
    Scenario s = scenario("tests/data/policy_world.toml", sets);
    std::stable_sort(events.begin(), events.end(),
                     [](const PolicyEvent& a, const PolicyEvent& b) { return a.day < b.day; });
    s.events = std::move(events);
    return s;
}

/// Entries of a type on days [first, last) of the year, through one crossing or all (-1).
double entries(const RunResult& r, const std::string& type, int first, int last,
               int crossing = -1) {
    const auto& flow = r.variable("flow")->values; // [time, agent_type, crossing, direction]
    const std::size_t t = label(r, "agent_type", type);
    const std::size_t C = r.coordinate("crossing")->size();
    double n = 0;
    for (int d = first; d < last; ++d)
        for (std::size_t c = 0; c < C; ++c)
            if (crossing < 0 || static_cast<std::size_t>(crossing) == c)
                n += flow[((static_cast<std::size_t>(d) * kAgentTypes + t) * C + c) * kDirections +
                          static_cast<std::size_t>(Direction::entry)];
    return n;
}

/// Expected entries in each period [first, last) of constant daily hazard, for
/// `people` at home at the start of the first period (each sets out at most once).
struct Period {
    int first, last;
    double hazard;
};
std::vector<double> expected(double people, const std::vector<Period>& periods) {
    std::vector<double> out;
    for (const Period& p : periods) {
        const double leave = -std::expm1(-p.hazard * (p.last - p.first));
        out.push_back(people * leave);
        people -= people * leave;
    }
    return out;
}

/// Observed minus expected per replicate, by statistic; verify() checks each mean.
class Deviations {
  public:
    void add(const std::string& name, double observed, double expected) {
        diffs_[name].push_back(observed - expected);
        expected_[name] += expected / kReplicates;
    }
    void add(const std::string& name, const RunResult& r, const std::string& type,
             const std::vector<Period>& periods) {
        const auto e = expected(kPool, periods);
        for (std::size_t k = 0; k < periods.size(); ++k)
            add(name + " " + type + ", days " + std::to_string(periods[k].first) + "-" +
                    std::to_string(periods[k].last),
                entries(r, type, periods[k].first, periods[k].last), e[k]);
    }
    void verify() const {
        for (const auto& [name, d] : diffs_) {
            REQUIRE(d.size() == static_cast<std::size_t>(kReplicates));
            const double mean = mean_and_variance(d).mean, bound = one_sample_bound(d);
            INFO(name << ": expected " << expected_.at(name) << ", observed - expected " << mean
                      << ", bound " << bound);
            CHECK(std::abs(mean) <= bound);
        }
    }

  private:
    std::map<std::string, std::vector<double>> diffs_;
    std::map<std::string, double> expected_;
};

template <typename F> void replicates(const Scenario& s, F per_run) {
    for (int seed = 1; seed <= kReplicates; ++seed)
        per_run(run(s, static_cast<std::uint64_t>(seed)));
}

} // namespace

TEST_CASE("the militarised border scales trader and visitor hazards until it ends",
          "[policy][engine][stochastic]") {
    Scenario s = world({event(PolicyKind::border_normal, kApril),
                        event(PolicyKind::border_militarised, kSeptember)});
    s.initial.militarised = true;
    const double m = s.parameters[Param::policy_militarised_multiplier];
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}})
            check.add("militarised, normal, militarised:", r, type,
                      {{0, kApril, h * m}, {kApril, kSeptember, h}, {kSeptember, kDays, h * m}});
    });
    check.verify();
}

TEST_CASE("business visas scale trader and visitor hazards from their start to their end",
          "[policy][engine][stochastic]") {
    const Scenario s = world({event(PolicyKind::business_visas_start, kApril),
                              event(PolicyKind::business_visas_end, kSeptember)});
    const double b = s.parameters[Param::policy_business_visa_multiplier];
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}})
            check.add("business visas:", r, type,
                      {{0, kApril, h}, {kApril, kSeptember, h * b}, {kSeptember, kDays, h}});
    });
    check.verify();
}

TEST_CASE("the visa-free regime scales traders and visitors and lets transit migrants come",
          "[policy][engine][stochastic]") {
    const Scenario s = world(
        {event(PolicyKind::visa_free_start, kApril), event(PolicyKind::visa_free_end, kSeptember)});
    const double v = s.parameters[Param::policy_visa_free_multiplier];
    const double transit = daily_hazard(s, AgentType::transit);
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}})
            check.add("visa-free:", r, type,
                      {{0, kApril, h}, {kApril, kSeptember, h * v}, {kSeptember, kDays, h}});
        check.add("visa-free:", r, "transit",
                  {{0, kApril, 0}, {kApril, kSeptember, transit}, {kSeptember, kDays, 0}});
        CHECK(entries(r, "transit", 0, kApril) == 0);
        CHECK(entries(r, "transit", kSeptember, kDays) == 0);
    });
    check.verify();
}

TEST_CASE("an open consulate scales the visitor hazard by its multiplier, and only that",
          "[policy][engine][stochastic]") {
    // The default multiplier is 1 (the consulate issued no visas to local
    // people), which would change nothing: test a value that does.
    const Scenario s =
        world({event(PolicyKind::consulate_open, kApril)}, {"policy.consulate_multiplier=3"});
    const double c = s.parameters[Param::policy_consulate_multiplier];
    REQUIRE(c == 3);
    const double h_trader = daily_hazard(s, AgentType::trader);
    const double h_visitor = daily_hazard(s, AgentType::visitor);
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        check.add("consulate:", r, "visitor",
                  {{0, kApril, h_visitor}, {kApril, kDays, h_visitor * c}});
        check.add("consulate:", r, "trader", {{0, kApril, h_trader}, {kApril, kDays, h_trader}});
    });
    check.verify();
}

TEST_CASE("crossings open and close on their dates, and travellers share open crossings by "
          "proximity",
          "[policy][engine][stochastic]") {
    // "side" (proximity 1 against the gate's 3) opens in April; every crossing
    // closes in September; the gate alone reopens in November. While all are
    // closed, those who set out stay home, so the pools are not used up.
    const Scenario s = world({event(PolicyKind::crossing_open, kApril, 1),
                              event(PolicyKind::crossing_close, kSeptember, -1),
                              event(PolicyKind::crossing_open, kNovember, 0)});
    const double side_share = 1.0 / 4;
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}}) {
            check.add("crossings:", r, type,
                      {{0, kApril, h},
                       {kApril, kSeptember, h},
                       {kSeptember, kNovember, 0},
                       {kNovember, kDays, h}});
            CHECK(entries(r, type, 0, kApril, 1) == 0);          // side not yet open
            CHECK(entries(r, type, kSeptember, kNovember) == 0); // all closed
            CHECK(entries(r, type, kNovember, kDays, 1) == 0);   // side stays closed
            const double both = entries(r, type, kApril, kSeptember);
            check.add(std::string("share through side, ") + type,
                      entries(r, type, kApril, kSeptember, 1), both * side_share);
        }
    });
    check.verify();
}

TEST_CASE("a crossing capacity set by an event holds each day until it is lifted",
          "[policy][engine][stochastic]") {
    // Demand at the gate is about 100 a day (20,000 each of traders and
    // visitors at 2e-3, repatriates at 1e-3): a capacity of 25 binds every day.
    const double capacity = 25;
    const Scenario s = world({event(PolicyKind::crossing_capacity, kApril, 0, capacity),
                              event(PolicyKind::crossing_capacity, kSeptember, 0, 0)});
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        int not_full = 0;
        for (int d = kApril; d < kSeptember; ++d) {
            double n = 0;
            for (const char* type : {"trader", "visitor", "repatriate", "transit"})
                n += entries(r, type, d, d + 1);
            not_full += n != capacity;
        }
        CHECK(not_full == 0);
        // Unlimited before and after: the expectation for those still at home.
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)},
                                      {"repatriate", daily_hazard(s, AgentType::repatriate)}}) {
            check.add(std::string("before the capacity, ") + type, entries(r, type, 0, kApril),
                      expected(kPool, {{0, kApril, h}})[0]);
            const double home = kPool - entries(r, type, 0, kSeptember);
            check.add(std::string("after it is lifted, ") + type,
                      entries(r, type, kSeptember, kDays),
                      expected(home, {{kSeptember, kDays, h}})[0]);
        }
    });
    check.verify();
}

TEST_CASE("repatriation assistance multiplies the hazard by 1 + effect x assistance",
          "[policy][engine][stochastic]") {
    // A quota far above the pool, so that places never run out; effect and
    // assistance away from the defaults (1 and 1).
    const double assistance = 0.5;
    const Scenario s = world({event(PolicyKind::repatriation, kApril, -1, 1e7, assistance)},
                             {"repatriate.assistance_effect=3"});
    const double h = daily_hazard(s, AgentType::repatriate);
    const double factor = 1 + s.parameters[Param::repatriate_assistance_effect] * assistance;
    REQUIRE(factor == 2.5);
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        check.add("assistance:", r, "repatriate", {{0, kApril, h}, {kApril, kDays, h * factor}});
    });
    check.verify();
}

TEST_CASE("beyond the assisted quota, candidates are thinned to the unassisted hazard",
          "[policy][engine][stochastic]") {
    // A quota of 20 families from April, of which the quota factor 0.5 leaves
    // 10 places, and assistance multiplying the hazard by 10: on the first day
    // about 180 set out under the assisted hazard p_a; 10 take the places and
    // each other one is kept with p_u / p_a, so the day's entries are
    // 10 + (N p_a - 10) p_u / p_a for the N at home, not N p_a. The places are
    // gone after that day: the unassisted hazard holds.
    const Scenario s = world({event(PolicyKind::repatriation, kApril, -1, 20, 1)},
                             {"repatriate.assistance_effect=9", "repatriate.china_quota_share=1",
                              "policy.repatriation_quota_factor=0.5"});
    const double places = 20 * s.parameters[Param::repatriate_china_quota_share] *
                          s.parameters[Param::policy_repatriation_quota_factor];
    REQUIRE(places == 10);
    const double h = daily_hazard(s, AgentType::repatriate);
    const double p_u = -std::expm1(-h), p_a = -std::expm1(-10 * h);
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        check.add("before the quota", entries(r, "repatriate", 0, kApril),
                  expected(kPool, {{0, kApril, h}})[0]);
        const double home = kPool - entries(r, "repatriate", 0, kApril);
        check.add("the day places run out", entries(r, "repatriate", kApril, kApril + 1),
                  places + (home * p_a - places) * p_u / p_a);
        const double later = kPool - entries(r, "repatriate", 0, kApril + 1);
        check.add("after", entries(r, "repatriate", kApril + 1, kDays),
                  expected(later, {{kApril + 1, kDays, h}})[0]);
        const double assisted = r.variable("repatriate_households_assisted")->values[0];
        CHECK(assisted == places);
    });
    check.verify();
}

TEST_CASE("the labour quota opens on its date with places scaled by the share and the factor",
          "[policy][engine][stochastic]") {
    // Without a quota no company worker comes. From April a quota of Q
    // persons gives Q x china_quota_share x labour_quota_factor places (0.25
    // and, away from its default, 0.5): 4,000 gives 500, which demand (about
    // 8,000 in the rest of the year) fills exactly; 10^7 never binds, and the
    // hazard holds.
    for (const double quota : {4000.0, 1e7}) {
        const Scenario s = world({event(PolicyKind::labour_quota, kApril, -1, quota)},
                                 {"policy.labour_quota_factor=0.5"});
        const double places = quota * s.parameters[Param::labourer_china_quota_share] *
                              s.parameters[Param::policy_labour_quota_factor];
        const double h = daily_hazard(s, AgentType::labourer);
        INFO("quota " << quota << ", " << places << " places");
        Deviations check;
        replicates(s, [&](const RunResult& r) {
            CHECK(entries(r, "labourer", 0, kApril) == 0);
            CHECK(r.variable("labour_cap_cn")->values[0] == places);
            if (quota == 4000)
                CHECK(entries(r, "labourer", kApril, kDays) == places);
            else
                check.add("labour quota:", r, "labourer", {{0, kApril, 0}, {kApril, kDays, h}});
        });
        check.verify();
    }
}

TEST_CASE("the trade-regime events scale trader and visitor hazards from their dates, and only "
          "those",
          "[policy][engine][stochastic]") {
    // The Customs Union from April, the boundary-cooperation centre from
    // September: traders and visitors take one multiplier, then both;
    // labourers, repatriates and transit migrants keep their hazards.
    const Scenario s = world(
        {event(PolicyKind::customs_union, kApril), event(PolicyKind::boundary_centre, kSeptember)});
    const double cu = s.parameters[Param::policy_customs_union_multiplier];
    const double bc = s.parameters[Param::policy_boundary_centre_multiplier];
    REQUIRE(cu != 1);
    REQUIRE(bc != 1);
    const double repatriate = daily_hazard(s, AgentType::repatriate);
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}})
            check.add(
                "trade regimes:", r, type,
                {{0, kApril, h}, {kApril, kSeptember, h * cu}, {kSeptember, kDays, h * cu * bc}});
        check.add("trade regimes:", r, "repatriate",
                  {{0, kApril, repatriate},
                   {kApril, kSeptember, repatriate},
                   {kSeptember, kDays, repatriate}});
        CHECK(entries(r, "labourer", 0, kDays) == 0); // no labour quota in this world
        CHECK(entries(r, "transit", 0, kDays) == 0);  // nor visa-free entry
    });
    check.verify();
}

TEST_CASE("China's exit regime lets through its level of one ethnicity's departures, or of all",
          "[policy][engine][stochastic]") {
    // From April China lets through half of the ethnic Kazakhs (the world's
    // repatriates); from September nobody. Traders and visitors (Han) keep
    // their hazards until September.
    PolicyEvent kazakh = event(PolicyKind::exit_regime, kApril, -1, 0.5);
    kazakh.ethnicity = index(Ethnicity::kazakh);
    const Scenario s = world({kazakh, event(PolicyKind::exit_regime, kSeptember, -1, 0)});
    const double repatriate = daily_hazard(s, AgentType::repatriate);
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        check.add("exit regime:", r, "repatriate",
                  {{0, kApril, repatriate},
                   {kApril, kSeptember, repatriate * 0.5},
                   {kSeptember, kDays, 0}});
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}})
            check.add("exit regime:", r, type,
                      {{0, kApril, h}, {kApril, kSeptember, h}, {kSeptember, kDays, 0}});
        for (const char* type : {"trader", "visitor", "repatriate"})
            CHECK(entries(r, type, kSeptember, kDays) == 0);
    });
    check.verify();
}

TEST_CASE("a crossing weight event changes the crossing's share of the travellers, not their "
          "number",
          "[policy][engine][stochastic]") {
    // Both crossings open; from April "side" weighs 3 x 1 against the gate's 3:
    // half the travellers, against a quarter before. Entries keep the hazard.
    const Scenario s = world(
        {event(PolicyKind::crossing_open, 0, 1), event(PolicyKind::crossing_weight, kApril, 1, 3)});
    Deviations check;
    replicates(s, [&](const RunResult& r) {
        for (const auto& [type, h] : {std::pair{"trader", daily_hazard(s, AgentType::trader)},
                                      {"visitor", daily_hazard(s, AgentType::visitor)}}) {
            check.add("crossing weight:", r, type, {{0, kApril, h}, {kApril, kDays, h}});
            check.add(std::string("share through side before, ") + type,
                      entries(r, type, 0, kApril, 1), entries(r, type, 0, kApril) / 4);
            check.add(std::string("share through side after, ") + type,
                      entries(r, type, kApril, kDays, 1), entries(r, type, kApril, kDays) / 2);
        }
    });
    check.verify();
}

TEST_CASE("China's part of the labour quota follows its driver's index at the year's middle",
          "[policy][engine][stochastic]") {
    // A projects driver at 2 in mid-2000 doubles China's places: a quota of
    // 4,000 gives 4,000 x china_quota_share x 2, filled by demand; the
    // labourers' own hazard does not follow that driver (no type_drivers).
    Scenario s = world({event(PolicyKind::labour_quota, kApril, -1, 4000)});
    s.drivers.push_back(Driver{"projects", Series{{2000, 2001}, {1.5, 2.5}, false}});
    s.labour_quota_china = 0;
    const double places = 4000 * s.parameters[Param::labourer_china_quota_share] * 2;
    replicates(s, [&](const RunResult& r) {
        CHECK(r.variable("labour_cap_cn")->values[0] == std::floor(places + 1e-9));
        CHECK(entries(r, "labourer", kApril, kDays) == r.variable("labour_cap_cn")->values[0]);
    });
}
