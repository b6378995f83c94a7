// The run's output from its tallies: labelled coordinates, the daily and
// yearly series in persons, and the observables (observables.cpp).
#include "sim/calendar.hpp"
#include "sim/observables.hpp"

#include <algorithm>
#include <string>

namespace khorgos {

namespace {

template <typename Names>
Coordinate labels(const std::string& name, const std::string& long_name, const Names& names) {
    Coordinate c{name, long_name, "", {}, {}};
    for (const auto& n : names)
        c.labels.emplace_back(n);
    return c;
}

/// A series of agents in persons.
std::vector<double> persons(std::vector<double> v, double scale) {
    for (auto& x : v)
        x *= scale;
    return v;
}

/// One field of every year's tally, years outermost.
template <typename Field> std::vector<double> yearly(const Tallies& t, Field field) {
    std::vector<double> v;
    for (const auto& y : t.yearly) {
        const auto row = field(y);
        v.insert(v.end(), std::begin(row), std::end(row));
    }
    return v;
}

std::array<double, 1> one(double x) {
    return {x};
}

} // namespace

RunResult results(const Scenario& sc, Tallies&& t, double k, const RunCounters& counters,
                  bool series) {
    RunResult r;
    r.observables = observables(sc, t, k, sc.end_day);
    r.counters = counters;
    if (!series) return r; // a calibration reads the observables only
    const auto steps = t.daily_pool.extent(0);
    Coordinate time{"time", "start of the simulation step", "days since 1990-01-01", {}, {}};
    Coordinate year{
        "year", "calendar year", "", {}, {}}; // a label: "year" is a duration in UDUNITS
    // Their CF form (output/SCHEMA.md): a step is stored at its end, the
    // instant its stocks refer to, with bounds over the days its flows sum.
    // A year tallies the steps that start in it (engine.cpp): its bounds span
    // those steps and it is stored at their start.
    time.time = {"days since 1990-01-01", "end of the simulation step", {}, {}};
    year.time = {"days since 1990-01-01", "calendar year: start of its first step", {}, {}};
    const int first_year = year_of(sc.start_day);
    std::vector<int> year_first(t.yearly.size()), year_end(t.yearly.size());
    std::vector<bool> stepped(t.yearly.size(), false);
    for (std::size_t y = 0; y < t.yearly.size(); ++y) { // empty if no step starts in it
        year.values.push_back(first_year + static_cast<int>(y));
        year_first[y] = year_end[y] = std::clamp(
            day_number(Date{first_year + static_cast<int>(y), 1, 1}), sc.start_day, sc.end_day + 1);
    }
    for (std::size_t s = 0; s < steps; ++s) {
        const int first = sc.start_day + static_cast<int>(s) * sc.step_days;
        const int end = std::min(first + sc.step_days, sc.end_day + 1);
        time.values.push_back(first);
        time.time.values.push_back(end);
        time.time.bounds.insert(time.time.bounds.end(), {double(first), double(end)});
        const auto y = static_cast<std::size_t>(year_of(first) - first_year);
        if (y >= t.yearly.size()) continue;
        if (!stepped[y]) year_first[y] = first;
        stepped[y] = true;
        year_end[y] = end;
    }
    for (std::size_t y = 0; y < t.yearly.size(); ++y) {
        year.time.values.push_back(year_first[y]);
        year.time.bounds.insert(year.time.bounds.end(),
                                {double(year_first[y]), double(year_end[y])});
    }
    std::vector<std::string> regions, crossings, origins, places;
    for (const auto& o : sc.origins)
        origins.push_back(o.id);
    for (const auto& c : sc.crossings)
        crossings.push_back(c.id);
    for (const auto& g : sc.regions)
        regions.push_back(g.id);
    places = origins;
    places.insert(places.end(), crossings.begin(), crossings.end());
    places.insert(places.end(), regions.begin(), regions.end());
    places.push_back(sc.onward_destination);
    r.coordinates = {time,
                     year,
                     labels("agent_type", "agent type", kAgentTypeNames),
                     labels("ethnicity", "ethnicity", kEthnicityNames),
                     labels("region", "region of Kazakhstan", regions),
                     labels("crossing", "border crossing point", crossings),
                     labels("origin", "origin in China", origins),
                     labels("direction", "direction of a border crossing", kDirectionNames),
                     labels("purpose", "purpose of a visitor's trip", kPurposeNames),
                     labels("event_kind", "kind of agent event", kEventKindNames),
                     labels("status", "where a member of the pools is", kStatusNames),
                     labels("place", "origins, crossings, regions and onward destination", places)};

    auto& vars = r.variables;
    vars.push_back(
        {"daily",
         "stock",
         {"time", "agent_type", "region"},
         "1",
         "people from China present in Kazakhstan (not naturalised) at the end of the step",
         persons(t.daily_stock.take(), k),
         "time: point"});
    vars.push_back({"daily",
                    "stock_by_ethnicity",
                    {"time", "ethnicity", "region"},
                    "1",
                    "people from China present in Kazakhstan by ethnicity at the end of the step",
                    persons(t.daily_stock_by_ethnicity.take(), k),
                    "time: point"});
    vars.push_back({"daily",
                    "flow",
                    {"time", "agent_type", "crossing", "direction"},
                    "1",
                    "border crossings of people from China during the step",
                    persons(t.daily_flow.take(), k),
                    "time: sum"});
    vars.push_back({"daily",
                    "onward_exit",
                    {"time", "agent_type"},
                    "1",
                    "departures from Kazakhstan to Russia/Europe during the step",
                    persons(t.daily_onward.take(), k),
                    "time: sum"});
    vars.push_back({"daily",
                    "population",
                    {"time", "status"},
                    "1",
                    "members of the pools by status at the end of the step",
                    persons(t.daily_population.take(), k),
                    "time: point"});
    vars.push_back({"daily",
                    "labour_permits_valid",
                    {"time"},
                    "1",
                    "work permits of Chinese quota workers valid at the end of the step",
                    persons(t.daily_permits_valid.take(), k),
                    "time: point"});
    vars.push_back({"daily",
                    "pool_created",
                    {"time"},
                    "1",
                    "people ever added to the pools of potential movers",
                    persons(t.daily_pool.take(), k),
                    "time: point"});

    vars.push_back({"yearly",
                    "entries",
                    {"year", "agent_type"},
                    "1",
                    "entries of Chinese citizens into Kazakhstan in the year",
                    yearly(t, [](const YearTally& y) { return y.entries; }),
                    "year: sum"});
    vars.push_back({"yearly",
                    "entries_by_purpose",
                    {"year", "purpose"},
                    "1",
                    "visitors' entries in the year by purpose",
                    yearly(t, [](const YearTally& y) { return y.entries_by_purpose; }),
                    "year: sum"});
    vars.push_back({"yearly",
                    "labour_admitted",
                    {"year"},
                    "1",
                    "work permits issued to Chinese workers under the labour quota in the year "
                    "(entries and renewals)",
                    yearly(t, [](const YearTally& y) { return one(y.labour_admitted); }),
                    "year: sum"});
    vars.push_back({"yearly",
                    "labour_entered",
                    {"year"},
                    "1",
                    "Chinese workers who entered under the labour quota in the year",
                    yearly(t, [](const YearTally& y) { return one(y.labour_entered); }),
                    "year: sum"});
    vars.push_back({"yearly",
                    "labour_cap_cn",
                    {"year"},
                    "1",
                    "places of the year's labour quota open to Chinese workers",
                    yearly(t, [k](const YearTally& y) { return one(y.labour_cap * k); }),
                    "year: sum"});
    vars.push_back(
        {"yearly",
         "repatriate_households_assisted",
         {"year"},
         "1",
         "repatriate households from China holding a quota place",
         yearly(t, [](const YearTally& y) { return one(y.repatriate_households_assisted); }),
         "year: sum"});
    vars.push_back(
        {"yearly",
         "repatriate_household_cap",
         {"year"},
         "1",
         "quota places (families) open to households from China",
         yearly(t, [k](const YearTally& y) { return one(y.repatriate_household_cap * k); }),
         "year: sum"});
    vars.push_back({"yearly",
                    "naturalisations",
                    {"year", "ethnicity"},
                    "1",
                    "people from China granted citizenship of Kazakhstan in the year",
                    yearly(t, [](const YearTally& y) { return y.naturalisations; }),
                    "year: sum"});
    vars.push_back({"yearly",
                    "status_grants",
                    {"year"},
                    "1",
                    "repatriates from China granted oralman/kandas status in the year",
                    yearly(t, [](const YearTally& y) { return one(y.status_grants); }),
                    "year: sum"});
    vars.push_back(
        {"yearly",
         "naturalisations_by_marriage",
         {"year", "ethnicity"},
         "1",
         "people from China granted citizenship of Kazakhstan in the year after marrying a citizen",
         yearly(t, [](const YearTally& y) { return y.naturalisations_by_marriage; }),
         "year: sum"});
    vars.push_back(
        {"yearly",
         "naturalisations_by_reunification",
         {"year", "ethnicity"},
         "1",
         "people from China granted citizenship of Kazakhstan in the year after joining "
         "settled relatives (family reunification)",
         yearly(t, [](const YearTally& y) { return y.naturalisations_by_reunification; }),
         "year: sum"});
    vars.push_back({"yearly",
                    "marriages",
                    {"year"},
                    "1",
                    "marriages of Chinese citizens with citizens of Kazakhstan in the year",
                    yearly(t, [](const YearTally& y) { return one(y.marriages); }),
                    "year: sum"});
    vars.push_back({"yearly",
                    "events",
                    {"year", "event_kind"},
                    "1",
                    "agent events in the year by kind",
                    yearly(t, [](const YearTally& y) { return y.events; }),
                    "year: sum"});

    return r;
}

} // namespace khorgos
