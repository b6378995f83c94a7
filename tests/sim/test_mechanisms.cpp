// The model's mechanisms and the statistics its observables count: each
// mechanism changes what it should and nothing else, and each observable
// counts what its official statistic counts (docs/model.md, "Observables").
#include "engine_fixture.hpp"
#include "sim/calendar.hpp"
#include "sim/tallies.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

using namespace khorgos;
using namespace khorgos::testing;

TEST_CASE("repatriates are counted by status granted, once a person, after the status delay",
          "[mechanisms]") {
    const Scenario s = scenario("tests/data/repatriates.toml");
    EventLog log;
    const RunResult r = run(s, 3, 2, 1, &log);
    std::map<std::uint32_t, int> entries, grants;
    std::map<std::uint32_t, int> last_entry;
    double grants_in_window = 0;
    const int window_end = day_number({2019, 9, 30});
    for (const auto& e : log.rows) {
        const auto kind = static_cast<EventKind>(e.kind);
        if (kind == EventKind::entry) {
            ++entries[e.agent];
            last_entry[e.agent] = e.day;
        }
        if (kind == EventKind::status_grant) {
            ++grants[e.agent];
            CHECK(e.day > last_entry[e.agent]); // a decision after arrival
            grants_in_window += e.day <= window_end;
        }
    }
    int came_again = 0, came_again_after_status = 0;
    for (const auto& [person, n] : entries) {
        came_again += n > 1;
        came_again_after_status += n > 1 && grants.count(person);
    }
    for (const auto& [person, n] : grants)
        REQUIRE(n == 1);
    CHECK(came_again_after_status > 50);   // re-arrivals are there, and not counted again
    CHECK(grants.size() < entries.size()); // some went back before their decision
    CHECK(observable(r, "repatriates_cn", "1991-01-01/2019-09-30") == grants_in_window);
    const auto yearly = r.variable("status_grants")->values;
    CHECK(std::accumulate(yearly.begin(), yearly.end(), 0.0) == static_cast<double>(grants.size()));
    INFO(came_again << " persons came more than once");
}

TEST_CASE("the status delay is log-normal with its median and sigma", "[mechanisms][stochastic]") {
    Scenario s = scenario("tests/data/repatriates.toml");
    s.parameters[Param::repatriate_regret_rate] = 0; // nothing competes with the decision
    EventLog log;
    run(s, 4, 1, 1, &log);
    std::map<std::uint32_t, int> entered;
    double sum = 0;
    int n = 0;
    for (const auto& e : log.rows) {
        const auto kind = static_cast<EventKind>(e.kind);
        if (kind == EventKind::entry) entered[e.agent] = e.day;
        if (kind == EventKind::status_grant) {
            sum += std::log(e.day - entered.at(e.agent));
            ++n;
        }
    }
    // Mean of the log of the delay: log(median) +- 4 standard errors (sigma / sqrt(n)).
    const double median = s.parameters[Param::repatriate_status_median];
    const double sigma = s.parameters[Param::repatriate_status_sigma];
    REQUIRE(n > 1000);
    INFO(n << " grants, mean log delay " << sum / n << ", expected " << std::log(median));
    CHECK(std::abs(sum / n - std::log(median)) < 4 * sigma / std::sqrt(n));
}

TEST_CASE("the status delay changes when status and citizenship come, nothing else",
          "[mechanisms]") {
    // Without regret nobody goes back, so who sets out and when cannot depend
    // on the delay: entries and people at home stay identical, seed for seed.
    Scenario fast = scenario("tests/data/repatriates.toml");
    fast.parameters[Param::repatriate_regret_rate] = 0;
    fast.parameters[Param::repatriate_naturalisation_median] = 400;
    Scenario slow = fast;
    slow.parameters[Param::repatriate_status_median] = 900;
    const RunResult a = run(fast, 6);
    const RunResult b = run(slow, 6);
    CHECK(a.variable("entries")->values == b.variable("entries")->values);
    CHECK(a.variable("flow")->values == b.variable("flow")->values);
    const auto& pa = a.variable("population")->values;
    const auto& pb = b.variable("population")->values;
    const std::size_t at_origin = label(a, "status", "at_origin");
    for (std::size_t t = 0; t < pa.size() / kStatuses; ++t)
        REQUIRE(pa[t * kStatuses + at_origin] == pb[t * kStatuses + at_origin]);
    const auto ga = a.variable("status_grants")->values;
    const auto gb = b.variable("status_grants")->values;
    CHECK(ga != gb);
    const double entries = std::accumulate(a.variable("entries")->values.begin(),
                                           a.variable("entries")->values.end(), 0.0);
    // Nearly all who came in time were granted status: the later delay grants fewer by 2019.
    CHECK(std::accumulate(gb.begin(), gb.end(), 0.0) < std::accumulate(ga.begin(), ga.end(), 0.0));
    CHECK(std::accumulate(ga.begin(), ga.end(), 0.0) <= entries);
}

TEST_CASE("status grants follow the status quota, opened evenly over the year, and work off a "
          "queue",
          "[mechanisms]") {
    // About 200 people arrive a year at first, fewer later (a pool of 3,000
    // at 2e-4 a day): 100 grants a year make a queue that lasts into the 2010s.
    Scenario s = scenario("tests/data/repatriates.toml");
    s.parameters[Param::repatriate_regret_rate] = 0;
    const double quota = 100;
    s.parameters[Param::repatriate_status_quota] = quota;
    EventLog log;
    const RunResult r = run(s, 8, 2, 1, &log);
    std::map<int, int> granted_in_year;
    for (const auto& e : log.rows) {
        if (static_cast<EventKind>(e.kind) != EventKind::status_grant) continue;
        const int year = year_of(e.day);
        const int start = day_number({year, 1, 1});
        const double year_days = day_number({year + 1, 1, 1}) - start;
        ++granted_in_year[year];
        // Never more than the places opened by the end of the day's step (+1: rounding).
        REQUIRE(granted_in_year[year] <= quota * (e.day + 1 - start) / year_days + 1);
    }
    for (int year = 1993; year <= 2013; ++year) {
        INFO(year);
        CHECK(std::abs(granted_in_year[year] - quota) <= 1); // the queue uses every place
    }
    CHECK(observable(r, "repatriates_cn", "2016") == granted_in_year[2016]);
}

TEST_CASE("applicants waiting for a status place go back at the regret rate",
          "[mechanisms][stochastic]") {
    // No status place ever: every applicant waits in the review queue until
    // they go back, at the regret hazard from their arrival on (before the
    // application and between the reviews alike: the hazard is constant).
    Scenario s = scenario("tests/data/repatriates.toml");
    s.parameters[Param::repatriate_status_quota] = 0;
    EventLog log;
    run(s, 10, 1, 1, &log);
    std::map<std::uint32_t, int> entered; // person -> day of the stay's entry
    double exposure_days = 0;
    int regrets = 0;
    for (const auto& e : log.rows) {
        const auto kind = static_cast<EventKind>(e.kind);
        REQUIRE(kind != EventKind::status_grant);
        if (kind == EventKind::entry) entered[e.agent] = e.day;
        if (kind == EventKind::regret_return) {
            exposure_days += e.day - entered.at(e.agent);
            entered.erase(e.agent);
            ++regrets;
        }
    }
    for (const auto& [person, day] : entered) // still waiting at the horizon
        exposure_days += s.end_day + 1 - day;
    // Censored exponential: rate = regrets / exposure, standard error rate / sqrt(regrets).
    const double rate = regrets / exposure_days;
    const double expected = s.parameters[Param::repatriate_regret_rate] / 365.25;
    INFO(regrets << " regrets over " << exposure_days << " days: " << rate * 365.25
                 << " a year, expected " << expected * 365.25);
    REQUIRE(regrets > 1000);
    CHECK(std::abs(rate - expected) < 4 * rate / std::sqrt(regrets));
}

TEST_CASE("the status quota changes when status comes, nothing else", "[mechanisms]") {
    // Without regret nobody goes back, so who sets out and when cannot depend
    // on the quota; and a quota that never binds changes nothing at all.
    Scenario open = scenario("tests/data/repatriates.toml");
    open.parameters[Param::repatriate_regret_rate] = 0;
    Scenario unlimited = open;
    unlimited.parameters[Param::repatriate_status_quota] = 1e6;
    Scenario tight = open;
    tight.parameters[Param::repatriate_status_quota] = 100;
    const RunResult a = run(open, 9);
    const RunResult b = run(unlimited, 9);
    const RunResult c = run(tight, 9);
    for (std::size_t i = 0; i < a.variables.size(); ++i) {
        INFO(a.variables[i].name);
        CHECK(a.variables[i].values == b.variables[i].values);
    }
    CHECK(a.variable("entries")->values == c.variable("entries")->values);
    CHECK(a.variable("flow")->values == c.variable("flow")->values);
    const auto& pa = a.variable("population")->values;
    const auto& pc = c.variable("population")->values;
    const std::size_t at_origin = label(a, "status", "at_origin");
    for (std::size_t t = 0; t < pa.size() / kStatuses; ++t)
        REQUIRE(pa[t * kStatuses + at_origin] == pc[t * kStatuses + at_origin]);
    const auto& ga = a.variable("status_grants")->values;
    const auto& gc = c.variable("status_grants")->values;
    CHECK(ga != gc);
    // By 2000 the tight quota has granted 10 years' places at most; without it, more.
    CHECK(std::accumulate(gc.begin(), gc.begin() + 10, 0.0) <= 10 * 101);
    CHECK(std::accumulate(ga.begin(), ga.begin() + 10, 0.0) > 10 * 101);
}

TEST_CASE("status grants go on after every crossing closes: a queue of people in the country",
          "[mechanisms]") {
    // The historical run: from 2015 the status quota works off the queue of
    // the 2001-14 arrivals, so 2020's grants after the 2020-01-29 closure are
    // close to the quota (the Jan-Nov share of it), not the few arrivals of
    // late 2019 (docs/model.md, "Status decisions").
    const Scenario s = scenario("scenarios/historical.toml");
    const RunResult r = run(s, 1, 2, 5);
    const double quota = s.parameters[Param::repatriate_status_quota];
    const double jan_nov = (day_number({2020, 12, 1}) - day_number({2020, 1, 1})) / 366.0;
    // At scale 5 a year's grants are whole agents of 5 persons: within 5 of the quota.
    CHECK(std::abs(observable(r, "repatriates_cn", "2016") - quota) <= 5);
    CHECK(std::abs(observable(r, "repatriates_cn", "2020-01-01/2020-11-30") - quota * jan_nov) <=
          10);
}

TEST_CASE("labour figures: entries, permits issued in the year, permits valid on a day",
          "[mechanisms]") {
    // Without overstays, marriages and family reunification every labourer
    // present holds a permit.
    const Scenario s =
        scenario("scenarios/historical.toml",
                 {"trader.overstay_prob=0", "visitor.overstay_prob=0", "transit.onward_prob=1",
                  "marriage.rate=0", "reunification.rate=0"});
    EventLog log;
    const RunResult r = run(s, 5, 2, 4, &log);
    const auto valid = r.variable("labour_permits_valid")->values;
    const auto labourers = [&] {
        const Variable* v = r.variable("stock"); // [time, type, region]
        const std::size_t T = r.coordinate("time")->size(), R = r.coordinate("region")->size();
        const std::size_t lab = label(r, "agent_type", "labourer");
        std::vector<double> out(T, 0);
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t g = 0; g < R; ++g)
                out[t] += v->values[(t * kAgentTypes + lab) * R + g];
        return out;
    }();
    // Until every crossing closes (2020-01-29): then labourers whose contract
    // has ended wait to go home without a permit.
    const auto& time = r.coordinate("time")->values;
    for (std::size_t t = 0; t < time.size() && time[t] < day_number({2020, 1, 29}); ++t)
        REQUIRE(valid[t] == labourers[t]);
    CHECK(*std::max_element(valid.begin(), valid.end()) > 1000);

    // Permits issued = entries + renewals, year by year; entries from the log.
    const auto issued = r.variable("labour_admitted")->values;
    const auto entered = r.variable("labour_entered")->values;
    std::vector<double> renewals(issued.size(), 0), entries(issued.size(), 0);
    for (const auto& e : log.rows) {
        const auto y = static_cast<std::size_t>(year_of(e.day) - 1990);
        if (static_cast<EventKind>(e.kind) == EventKind::renewal) renewals[y] += 4;
        if (static_cast<EventKind>(e.kind) == EventKind::entry &&
            static_cast<AgentType>(e.type) == AgentType::labourer)
            entries[y] += 4;
    }
    CHECK(entered == entries);
    for (std::size_t y = 0; y < issued.size(); ++y)
        CHECK(issued[y] == entered[y] + renewals[y]);
    CHECK(observable(r, "labour_quota_cn", "1993") == entered[3]);
    CHECK(observable(r, "labour_quota_cn", "2004") == issued[14]);
    CHECK(observable(r, "labour_quota_cn", "2010") == issued[20]);
    const auto last_of_2014 = static_cast<std::size_t>(
        std::find(time.begin(), time.end(), day_number({2014, 12, 31})) - time.begin());
    CHECK(observable(r, "labour_permits_valid_cn", "2015-01-01") == valid[last_of_2014]);
}

TEST_CASE("marriages by ethnicity follow the partner pool of the same community",
          "[mechanisms][stochastic]") {
    const Scenario s = scenario("tests/data/marriages.toml");
    EventLog log;
    run(s, 8, 2, 1, &log);
    std::map<std::uint32_t, int> entered, married;
    std::array<int, kEthnicities> ethnicity_marriages{};
    std::map<std::uint32_t, int> ethnicity;
    for (const auto& e : log.rows) {
        const auto kind = static_cast<EventKind>(e.kind);
        if (kind == EventKind::entry) entered[e.agent] = e.day, ethnicity[e.agent] = e.ethnicity;
        if (kind == EventKind::marriage)
            married[e.agent] = e.day, ++ethnicity_marriages[e.ethnicity];
    }
    // Exposure: entry to marriage or to the end of the horizon (person-days).
    std::array<double, kEthnicities> exposure{};
    for (const auto& [person, day] : entered) {
        const auto m = married.find(person);
        exposure[ethnicity[person]] += (m != married.end() ? m->second : s.end_day + 1) - day;
    }
    const Parameters& p = s.parameters;
    const double mixed = p[Param::marriage_mixed_share];
    for (int e = 0; e < kEthnicities; ++e) {
        const double pool = s.partner_pool[e];
        const double rate = p[Param::marriage_rate] / 365.25 *
                            (mixed + (1 - mixed) * pool / (pool + p[Param::marriage_pool_half]));
        const double expected = rate * exposure[e]; // Poisson: sd = sqrt(expected)
        INFO(kEthnicityNames[e] << ": " << ethnicity_marriages[e] << " marriages, expected "
                                << expected);
        CHECK(std::abs(ethnicity_marriages[e] - expected) < 4 * std::sqrt(expected));
    }
    // The pools matter: Kazakhs (a large community) marry over 4 times as often as Han.
    const int kazakh = index(Ethnicity::kazakh), han = index(Ethnicity::han);
    CHECK(ethnicity_marriages[kazakh] / exposure[kazakh] >
          4 * ethnicity_marriages[han] / exposure[han]);
}

TEST_CASE("partner pools change marriages and what follows them only", "[mechanisms]") {
    Scenario a = scenario("tests/data/marriages.toml");
    a.parameters[Param::married_naturalisation_median] = 300;
    a.parameters[Param::married_naturalisation_sigma] = 0.3;
    Scenario b = a;
    b.partner_pool = {};
    const RunResult ra = run(a, 9);
    const RunResult rb = run(b, 9);
    CHECK(ra.variable("entries")->values == rb.variable("entries")->values);
    CHECK(ra.variable("flow")->values == rb.variable("flow")->values);
    CHECK(ra.variable("marriages")->values != rb.variable("marriages")->values);
    // Every naturalisation here is by marriage (no repatriates).
    CHECK(ra.variable("naturalisations")->values ==
          ra.variable("naturalisations_by_marriage")->values);
}

TEST_CASE("naturalisations by route: Kazakh repatriates, Han, and the others", "[mechanisms]") {
    const Scenario s = scenario("scenarios/historical.toml");
    const RunResult r = run(s, 12, 2, 5);
    const auto& all = r.variable("naturalisations")->values; // [year, ethnicity]
    const auto& by_marriage = r.variable("naturalisations_by_marriage")->values;
    const auto& by_joining = r.variable("naturalisations_by_reunification")->values;
    std::array<double, kEthnicities> sum{}, married{}, joined{};
    for (int year = 1995; year <= 2014; ++year)
        for (int e = 0; e < kEthnicities; ++e) {
            const auto i = static_cast<std::size_t>((year - 1990) * kEthnicities + e);
            sum[e] += all[i];
            married[e] += by_marriage[i];
            joined[e] += by_joining[i];
        }
    const std::string period = "1995-01-01/2014-12-31";
    const int kazakh = index(Ethnicity::kazakh), han = index(Ethnicity::han);
    // The repatriation route: Kazakhs neither married nor joining relatives.
    const double repatriated = sum[kazakh] - married[kazakh] - joined[kazakh];
    CHECK(observable(r, "citizenship_cn_kazakh", period) == repatriated);
    CHECK(observable(r, "citizenship_cn_han", period) == sum[han]);
    CHECK(observable(r, "citizenship_cn_other", period) ==
          std::accumulate(sum.begin(), sum.end(), 0.0) - sum[han] - repatriated);
    CHECK(married[han] + joined[han] == sum[han]); // Han are never repatriates
    CHECK(joined[kazakh] > 0);  // Kazakhs who were not repatriates join settled relatives
    CHECK(married[kazakh] > 0); // Kazakhs who were not repatriates, by marriage
}

namespace {
/// Entries of a calendar year, over every type and crossing, and at one crossing.
std::pair<double, double> entries_in(const RunResult& r, int year, std::size_t crossing) {
    const auto& flow = r.variable("flow")->values; // [time, type, crossing, direction]
    const auto& time = r.coordinate("time")->values;
    const std::size_t C = r.coordinate("crossing")->size();
    double all = 0, at = 0;
    for (std::size_t t = 0; t < time.size(); ++t) {
        if (year_of(static_cast<int>(time[t])) != year) continue;
        for (std::size_t k = 0; k < static_cast<std::size_t>(kAgentTypes); ++k)
            for (std::size_t c = 0; c < C; ++c) {
                const double n = flow[((t * kAgentTypes + k) * C + c) * kDirections];
                all += n;
                if (c == crossing) at += n;
            }
    }
    return {all, at};
}

Scenario with_khorgos_closed(Scenario s) {
    PolicyEvent close;
    close.id = "khorgos-closes";
    close.day = day_number({2015, 1, 1});
    close.kind = PolicyKind::crossing_close;
    close.crossing = 0; // khorgos, the first crossing of the historical scenario
    REQUIRE(s.crossings[0].id == "khorgos");
    const auto at = std::upper_bound(s.events.begin(), s.events.end(), close.day,
                                     [](int day, const PolicyEvent& e) { return day < e.day; });
    s.events.insert(at, close);
    return s;
}
} // namespace

TEST_CASE("closing Khorgos from 2015 lowers 2016's crossings: a closure deters as well as diverts",
          "[mechanisms]") {
    const double scale = 10;
    const Scenario history = scenario("scenarios/historical.toml");
    const RunResult open = run(history, 1, 2, scale);
    const RunResult closed = run(with_khorgos_closed(history), 1, 2, scale);
    const auto [before, khorgos_before] = entries_in(open, 2016, 0);
    const auto [after, khorgos_after] = entries_in(closed, 2016, 0);
    INFO("2016 entries: " << before << " with Khorgos open, " << after << " closed");
    CHECK(khorgos_before > 0);
    CHECK(khorgos_after == 0);
    // Lower by more than 4 standard errors (Poisson counts of agents, x scale).
    CHECK(after < before - 4 * std::sqrt(2 * scale * before));
    // Nothing changes before the closure.
    CHECK(entries_in(open, 2014, 0) == entries_in(closed, 2014, 0));

    // With a logsum coefficient of 0 the closure only diverts: the same people set out.
    Scenario divert = history;
    divert.parameters[Param::crossing_logsum] = 0;
    const RunResult a = run(divert, 1, 2, scale);
    const RunResult b = run(with_khorgos_closed(divert), 1, 2, scale);
    CHECK(entries_in(a, 2016, 0).first == entries_in(b, 2016, 0).first);
    CHECK(entries_in(b, 2016, 0).second == 0);
}

TEST_CASE("validation observables count what their figures count", "[mechanisms]") {
    const Scenario s = scenario("scenarios/historical.toml");
    const RunResult r = run(s, 13, 2, 5);
    const auto& grants = r.variable("status_grants")->values;
    CHECK(observable(r, "repatriates_cn", "2016") == grants[2016 - 1990]);
    CHECK(observable(r, "repatriates_cn", "2020-01-01/2020-11-30") <= grants[2020 - 1990]);
    CHECK(observable(r, "labour_quota_cn", "2015") ==
          r.variable("labour_admitted")->values[2015 - 1990]);
    CHECK(observable(r, "nsc_visitors_cn", "2006") ==
          std::accumulate(r.variable("entries")->values.begin() + (2006 - 1990) * kAgentTypes,
                          r.variable("entries")->values.begin() + (2007 - 1990) * kAgentTypes,
                          0.0));
    // Both directions at Khorgos in 2002.
    const auto& flow = r.variable("flow")->values; // [time, type, crossing, direction]
    const auto& time = r.coordinate("time")->values;
    const std::size_t C = r.coordinate("crossing")->size();
    double khorgos = 0;
    for (std::size_t t = 0; t < time.size(); ++t)
        if (year_of(static_cast<int>(time[t])) == 2002)
            for (std::size_t k = 0; k < static_cast<std::size_t>(kAgentTypes); ++k)
                for (std::size_t d = 0; d < static_cast<std::size_t>(kDirections); ++d)
                    khorgos += flow[((t * kAgentTypes + k) * C + 0) * kDirections + d];
    CHECK(observable(r, "khorgos_passengers_cn", "2002") == khorgos);
    const double share = observable(r, "repatriates_almaty_east", "2019-09-30");
    CHECK(share > 0);
    CHECK(share <= 1);
}

TEST_CASE("settled citizens count in the network effect and the diaspora like people present",
          "[mechanisms]") {
    // Without regret nobody goes back, so the people of the pool in
    // Kazakhstan are the same whether they have naturalised or not: when
    // they naturalise cannot change who sets out, when, or where they settle,
    // since the network effect and the regions' pull count the settled.
    Scenario early = scenario("tests/data/repatriates.toml");
    early.parameters[Param::repatriate_regret_rate] = 0;
    early.parameters[Param::network_strength] = 2;
    early.parameters[Param::network_half_saturation] = 500;
    early.parameters[Param::network_region_pull] = 3;
    early.regions.push_back(early.regions[0]);
    early.regions.back().id = "valley";
    early.regions.back().diaspora[index(Ethnicity::kazakh)] = 300;
    early.parameters[Param::repatriate_naturalisation_median] = 200;
    Scenario late = early;
    late.parameters[Param::repatriate_naturalisation_median] = 5000;
    EventLog a, b;
    const RunResult ra = run(early, 14, 2, 1, &a);
    const RunResult rb = run(late, 14, 2, 1, &b);
    const auto entries = [](const EventLog& log) {
        std::vector<std::array<int, 3>> rows;
        for (const auto& e : log.rows)
            if (static_cast<EventKind>(e.kind) == EventKind::entry)
                rows.push_back({e.day, static_cast<int>(e.agent), e.to});
        return rows;
    };
    const auto ea = entries(a), eb = entries(b);
    REQUIRE(ea.size() > 1000);
    CHECK(ea == eb);
    const auto& na = ra.variable("naturalisations")->values;
    const auto& nb = rb.variable("naturalisations")->values;
    CHECK(std::accumulate(na.begin(), na.end(), 0.0) >
          std::accumulate(nb.begin(), nb.end(), 0.0)); // the runs differ where they should
    // Both regions are chosen, so the pull by region is exercised.
    std::set<int> regions;
    for (const auto& row : ea)
        regions.insert(row[2]);
    CHECK(regions.size() == 2);
}

TEST_CASE("the census-style resident stock: present 12 months or more, or naturalised",
          "[mechanisms]") {
    // Recounted from the event log: Han from China whose last entry was at
    // least a year before the census day and who did not leave since, and
    // Han naturalised by then; plus the scenario's diaspora.
    Scenario s = scenario("scenarios/historical.toml");
    s.end_day = day_number({2009, 12, 31});
    s.events.erase(std::remove_if(s.events.begin(), s.events.end(),
                                  [&](const PolicyEvent& e) { return e.day > s.end_day; }),
                   s.events.end());
    const double scale = 5;
    EventLog log;
    const RunResult r = run(s, 15, 2, scale, &log);
    const int census = day_number({2009, 2, 25});
    const int year_before = day_number({2008, 2, 25});
    std::map<std::uint32_t, int> entered; // Han present on the day, by last entry
    double naturalised = 0;
    for (const auto& e : log.rows) {
        if (e.day > census || e.ethnicity != index(Ethnicity::han)) continue;
        const auto kind = static_cast<EventKind>(e.kind);
        if (kind == EventKind::entry) entered[e.agent] = e.day;
        if (kind == EventKind::return_home || kind == EventKind::regret_return ||
            kind == EventKind::onward_exit || kind == EventKind::naturalisation)
            entered.erase(e.agent);
        naturalised += kind == EventKind::naturalisation;
    }
    double long_present = 0, present = 0;
    for (const auto& [person, day] : entered) {
        long_present += day <= year_before;
        ++present;
    }
    double diaspora = 0;
    for (const auto& region : s.regions)
        diaspora += region.diaspora[index(Ethnicity::han)];
    REQUIRE(long_present > 100);
    CHECK(long_present < present); // the recent arrivals are left out
    CHECK(observable(r, "census_han", "2009-02-25") ==
          diaspora + (long_present + naturalised) * scale);
}

TEST_CASE("family reunification: people join settled relatives of their own community, and "
          "nothing else changes",
          "[mechanisms]") {
    // Visitors arrive over the years and stay past the horizon, so entries
    // cannot depend on what happens to them. Han have no partners (no Han
    // community, no mixed marriages), so no Han settles and none can join a
    // relative; the other communities marry, naturalise and draw relatives.
    Scenario none = scenario("tests/data/marriages.toml");
    none.parameters[Param::visitor_entries_per_year] = 3652.5; // 0.001 a day over 10,000
    none.parameters[Param::marriage_mixed_share] = 0;
    none.partner_pool[index(Ethnicity::han)] = 0;
    none.parameters[Param::married_naturalisation_median] = 300;
    none.parameters[Param::married_naturalisation_sigma] = 0.3;
    none.parameters[Param::network_half_saturation] = 100;
    none.parameters[Param::reunification_rate] = 0;
    Scenario some = none;
    some.parameters[Param::reunification_rate] = 1;
    const RunResult a = run(none, 16, 2);
    const RunResult b = run(some, 16, 2);
    CHECK(a.variable("entries")->values == b.variable("entries")->values);
    CHECK(a.variable("flow")->values == b.variable("flow")->values);
    const auto& none_route = a.variable("naturalisations_by_reunification")->values;
    CHECK(std::all_of(none_route.begin(), none_route.end(), [](double x) { return x == 0; }));
    const auto& all = b.variable("naturalisations")->values; // [year, ethnicity]
    const auto& married = b.variable("naturalisations_by_marriage")->values;
    const auto& joined = b.variable("naturalisations_by_reunification")->values;
    std::array<double, kEthnicities> by_joining{};
    for (std::size_t i = 0; i < all.size(); ++i) {
        REQUIRE(all[i] == married[i] + joined[i]); // every citizen by one route
        by_joining[i % kEthnicities] += joined[i];
    }
    CHECK(by_joining[index(Ethnicity::han)] == 0);
    for (const Ethnicity e : {Ethnicity::kazakh, Ethnicity::uyghur, Ethnicity::dungan}) {
        INFO(kEthnicityNames[index(e)]);
        CHECK(by_joining[index(e)] > 0);
    }
    // Who joined relatives is no longer exposed to marriage.
    const auto& ma = a.variable("marriages")->values;
    const auto& mb = b.variable("marriages")->values;
    CHECK(std::accumulate(mb.begin(), mb.end(), 0.0) < std::accumulate(ma.begin(), ma.end(), 0.0));
}

TEST_CASE("shuttle traders back home set out again after days_between_trips or give up the trade",
          "[mechanisms][stochastic]") {
    // Five-day trips; back home, a trader quits with chance q (and leaves the
    // event log's person id behind) or sets out again after a geometric wait
    // of mean 1 / (1 - exp(-r)) days (daily steps, from the day after the
    // return). Returns in the first half of the year: re-entries before its
    // end are all but certain (exp(-0.1 x 180)).
    const double r = 0.1, q = 0.3;
    const Scenario s =
        scenario("tests/data/policy_world.toml",
                 {"trader.stay_median_days=5", "trader.days_between_trips=" + std::to_string(1 / r),
                  "trader.quit_prob=" + std::to_string(q)});
    EventLog log;
    const RunResult with = run(s, 3, 1, 1, &log);
    std::map<std::uint32_t, std::vector<const AgentEvent*>> by_person;
    for (const AgentEvent& e : log.rows)
        if (e.type == static_cast<std::uint8_t>(AgentType::trader))
            by_person[e.agent].push_back(&e);
    double returns = 0, quits = 0, gaps = 0, gap_sum = 0, not_entry = 0;
    for (const auto& [person, events] : by_person)
        for (std::size_t k = 0; k < events.size(); ++k) {
            if (events[k]->kind != static_cast<std::uint8_t>(EventKind::return_home) ||
                events[k]->day >= s.start_day + 183)
                continue;
            returns += 1;
            if (k + 1 == events.size()) {
                quits += 1;
                continue;
            }
            if (events[k + 1]->kind != static_cast<std::uint8_t>(EventKind::entry)) not_entry += 1;
            gaps += 1;
            gap_sum += events[k + 1]->day - events[k]->day;
        }
    REQUIRE(returns > 1000);
    CHECK(not_entry == 0); // a return is followed by an entry or by nothing
    const double quit_se = std::sqrt(q * (1 - q) / returns);
    INFO(returns << " returns, " << quits << " quit");
    CHECK(std::abs(quits / returns - q) < 4 * quit_se);
    const double p = -std::expm1(-r), mean = 1 / p, se = std::sqrt(1 - p) / p / std::sqrt(gaps);
    INFO("mean wait " << gap_sum / gaps << " days, expected " << mean << " +- " << se);
    CHECK(std::abs(gap_sum / gaps - mean) < 4 * se);

    // Visitors draw on their own streams: the traders' repeats change none of theirs.
    const RunResult without =
        run(scenario("tests/data/policy_world.toml",
                     {"trader.stay_median_days=5", "trader.days_between_trips=1e9"}),
            3);
    const std::size_t visitor = label(with, "agent_type", "visitor");
    CHECK(with.variable("entries")->values[visitor] ==
          without.variable("entries")->values[visitor]);
    CHECK(with.variable("entries")->values[label(with, "agent_type", "trader")] >
          without.variable("entries")->values[label(with, "agent_type", "trader")]);
}
