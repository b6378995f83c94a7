#pragma once
// A small RunResult shaped like the engine's (same coordinates, daily, yearly
// and totals variables, observables) and a matching event stream. Values
// follow simple formulas that tests/output/test_run_file.py recomputes:
//   variable k (in the order below), flat row-major index i: 1000 k + 0.25 i
//   event row i: see synthetic_event().
#include "output/run_file.hpp"
#include "sim/types.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace khorgos::test {

inline constexpr int kSyntheticDays = 40;
inline constexpr double kSyntheticFirstDay = 7305; // 2010-01-01

inline Coordinate label_coordinate(std::string name, std::string long_name,
                                   std::vector<std::string> labels) {
    Coordinate c;
    c.name = std::move(name);
    c.long_name = std::move(long_name);
    c.labels = std::move(labels);
    return c;
}

template <std::size_t N>
Coordinate vocabulary(std::string name, std::string long_name,
                      const std::array<std::string_view, N>& names) {
    return label_coordinate(std::move(name), std::move(long_name),
                            std::vector<std::string>(names.begin(), names.end()));
}

inline Coordinate numeric_coordinate(std::string name, std::string long_name, std::string units,
                                     std::vector<double> values) {
    Coordinate c;
    c.name = std::move(name);
    c.long_name = std::move(long_name);
    c.units = std::move(units);
    c.values = std::move(values);
    return c;
}

/// Adds a variable whose values follow 1000 k + 0.25 i, k = its position.
inline void add_variable(RunResult& r, std::string group, std::string name,
                         std::vector<std::string> dims, std::string units, std::string long_name) {
    std::size_t size = 1;
    for (const auto& d : dims)
        size *= r.coordinate(d)->size();
    Variable v{std::move(group), std::move(name),      std::move(dims),
               std::move(units), std::move(long_name), {}};
    const double k = static_cast<double>(r.variables.size());
    for (std::size_t i = 0; i < size; ++i)
        v.values.push_back(1000 * k + 0.25 * double(i));
    r.variables.push_back(std::move(v));
}

inline RunResult synthetic_result() {
    RunResult r;
    std::vector<double> days;
    for (int d = 0; d < kSyntheticDays; ++d)
        days.push_back(kSyntheticFirstDay + d);
    // Stored as the files store it (values the same as their time cells), so
    // that it round-trips: day d is the end of the step [d - 1, d].
    Coordinate time = numeric_coordinate("time", "simulation day", "days since 1990-01-01", days);
    time.time = {time.units, time.long_name, days, {}};
    for (double d : days)
        time.time.bounds.insert(time.time.bounds.end(), {d - 1, d});
    r.coordinates.push_back(time);
    r.coordinates.push_back(numeric_coordinate("year", "calendar year", "", {2010, 2011}));
    r.coordinates.push_back(vocabulary("agent_type", "agent type", kAgentTypeNames));
    r.coordinates.push_back(vocabulary("ethnicity", "ethnicity", kEthnicityNames));
    const std::vector<std::string> origins{"xinjiang", "inner_china"};
    const std::vector<std::string> crossings{"khorgos", "dostyk"};
    // A non-ASCII label with a space: labels are UTF-8 text, not identifiers.
    const std::vector<std::string> regions{"almaty", "zhetysu", "Алматы облысы"};
    r.coordinates.push_back(label_coordinate("region", "region of Kazakhstan", regions));
    r.coordinates.push_back(label_coordinate("crossing", "border crossing", crossings));
    r.coordinates.push_back(label_coordinate("origin", "region of origin", origins));
    r.coordinates.push_back(vocabulary("direction", "direction of a crossing", kDirectionNames));
    r.coordinates.push_back(vocabulary("purpose", "purpose of a visit", kPurposeNames));
    r.coordinates.push_back(vocabulary("event_kind", "agent event kind", kEventKindNames));
    std::vector<std::string> places = origins;
    places.insert(places.end(), crossings.begin(), crossings.end());
    places.insert(places.end(), regions.begin(), regions.end());
    places.push_back("onward");
    r.coordinates.push_back(label_coordinate("place", "place an agent can be", places));

    add_variable(r, "daily", "stock", {"time", "agent_type", "region"}, "persons",
                 "persons present");
    r.variables.back().cell_methods = "time: point";
    add_variable(r, "daily", "flow", {"time", "agent_type", "crossing", "direction"}, "persons/day",
                 "border crossings");
    r.variables.back().cell_methods = "time: sum";
    add_variable(r, "yearly", "entries", {"year", "agent_type"}, "persons", "entries");
    add_variable(r, "yearly", "naturalisations", {"year", "ethnicity"}, "persons",
                 "naturalisations");
    add_variable(r, "totals", "agents_created", {}, "1", "agents created");
    add_variable(r, "totals", "entries_by_purpose", {"purpose"}, "persons", "entries by purpose");

    r.observables = {
        {"nsc_visitors_cn", "2010", 134900, "persons", "visitors from China, NSC"},
        {"nsc_visitors_cn", "2011", 150123.5, "persons", "visitors from China, NSC"},
        {"labour_quota_share", "1995-01-01/2014-12-31", 0.125, "1", "share of the quota used"},
    };
    r.counters = {123456789012ULL, 4242, 1.5e6, 12.5};
    return r;
}

inline output::Provenance synthetic_provenance() {
    output::Provenance p;
    p.program_version = "0.1.0";
    p.git_commit = "0123456789ab";
    p.command_line = "khorgos run scenarios/baseline.toml --out run.h5 --events";
    p.scenario_path = "scenarios/baseline.toml";
    p.scenario_text = "# Хоргос baseline\nseed = 42\n[border]\nkhorgos = true\n";
    p.parameters = {{"trader_rate", 0.25}, {"overstay_share", 0.1}, {"quota_scale", 1.5e3}};
    p.seed = std::numeric_limits<std::uint64_t>::max() - 7;
    p.scale = 10;
    p.threads = 2;
    p.start_time = "2026-11-27T20:45:00Z";
    p.end_time = "2026-11-27T20:46:30Z";
    return p;
}

/// Row i of the synthetic event log (indices in range of the synthetic coordinates).
inline AgentEvent synthetic_event(std::uint64_t i) {
    AgentEvent e;
    e.day = static_cast<std::int32_t>(kSyntheticFirstDay) + static_cast<std::int32_t>(i / 1000);
    e.agent = static_cast<std::uint32_t>((i * 7) % 100003);
    e.type = static_cast<std::uint8_t>(i % 5);
    e.ethnicity = static_cast<std::uint8_t>((i / 5) % 5);
    e.kind = static_cast<std::uint8_t>(i % 8);
    e.crossing = static_cast<std::int8_t>(static_cast<int>(i % 3) - 1);
    e.from = static_cast<std::int16_t>(static_cast<int>(i % 9) - 1);
    e.to = static_cast<std::int16_t>(static_cast<int>((i * 3) % 9) - 1);
    return e;
}

} // namespace khorgos::test
