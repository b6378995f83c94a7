#pragma once
// A Scenario is everything one simulated world needs, as validated, immutable
// plain data: horizon, places, pools of potential movers, exogenous drivers, the
// dated policy timeline and the behavioural parameters. scenario_file.hpp
// builds one from TOML; the engine only reads it.
#include "sim/parameters.hpp"
#include "sim/types.hpp"

#include <array>
#include <string>
#include <vector>

namespace khorgos {

/// A yearly series: values at 1 January of the given years, interpolated in
/// between (linearly, or linearly in the logarithm) and held constant outside.
struct Series {
    std::vector<double> years; ///< strictly increasing
    std::vector<double> values;
    bool log_linear = false;
    /// Value at a fractional year (2004.5 is 2 July 2004).
    double at(double year) const;
    bool empty() const { return years.empty(); }
};

/// Reads a series at times that move forward, as a run's steps do (a time
/// before the last one read searches again from the start): the values of
/// Series::at, bit for bit, without its search for the interval and with
/// the logarithms of the points taken once. The engine reads the drivers and
/// the regions' attractiveness every step: through Series::at, a seventh of
/// a step's cost at coarse scales (callgrind at scale 1000).
class SeriesReader {
  public:
    explicit SeriesReader(const Series& series);
    double at(double year);

  private:
    const Series* series_;
    std::vector<double> logs_; ///< of the values, where log-linear and > 0
    std::size_t hi_ = 1;       ///< the first point after the last time read
};

struct Origin {
    std::string id;
    std::string name;
};

struct Crossing {
    std::string id;
    std::string name;
    bool open_at_start = false;
    double capacity_per_day = 0;   ///< persons entering per day; 0 means unlimited
    std::vector<double> proximity; ///< choice weight from each origin (index = origin)
};

struct Region {
    std::string id;
    std::string name;
    double urban_share = 0;                         ///< share of the region's people in cities
    std::array<Series, kAgentTypes> attractiveness; ///< choice weight per agent type, over time
    std::array<double, kEthnicities> diaspora{};    ///< persons of each ethnicity already settled
};

/// Potential movers of one agent type at one origin.
struct Pool {
    AgentType type = AgentType::trader;
    int origin = 0;
    Series size;                                  ///< persons in the pool, over time
    std::array<double, kEthnicities> ethnicity{}; ///< shares, summing to 1
};

/// An exogenous index series that scales a type's hazard (driver^elasticity).
struct Driver {
    std::string id;
    Series series;
};

enum class PolicyKind : std::uint8_t {
    visa_free_start,
    visa_free_end,
    border_normal,
    border_militarised,
    consulate_open,
    business_visas_start,
    business_visas_end,
    labour_quota, ///< all-country labour quota for the year (value = persons)
    repatriation, ///< repatriation quota (value = families a year) and assistance level
    crossing_open,
    crossing_close,
    crossing_capacity, ///< value = persons a day, 0 = unlimited
    crossing_weight,   ///< value = factor on the crossing's proximity from every origin
    customs_union,     ///< a trade regime: x policy.customs_union_multiplier (traders, visitors)
    boundary_centre,   ///< a trade regime: x policy.boundary_centre_multiplier (traders, visitors)
    exit_regime, ///< China's side: value = share of the hazard of setting out it lets through,
                 ///< for one ethnicity or all (ethnicity -1)
};
constexpr int kPolicyKinds = 16;
constexpr std::array<std::string_view, kPolicyKinds> kPolicyKindNames{
    "visa_free_start", "visa_free_end",        "border_normal",      "border_militarised",
    "consulate_open",  "business_visas_start", "business_visas_end", "labour_quota",
    "repatriation",    "crossing_open",        "crossing_close",     "crossing_capacity",
    "crossing_weight", "customs_union",        "boundary_centre",    "exit_regime"};

/// One dated event of the policy timeline.
struct PolicyEvent {
    std::string id; ///< optional name, so a counterfactual can remove it
    int day = 0;    ///< days since 1990-01-01
    PolicyKind kind = PolicyKind::visa_free_start;
    int crossing = -1;     ///< crossing index for crossing_* events; -1 = every crossing
    int ethnicity = -1;    ///< ethnicity of an exit_regime event; -1 = every ethnicity
    double value = 0;      ///< quota, capacity (see PolicyKind)
    double assistance = 0; ///< repatriation assistance level (repatriation events)
};

/// Policy in force at the start of the horizon, before any event.
struct InitialPolicy {
    bool visa_free = false;
    bool militarised = true;
    bool consulate = false;
    bool business_visas = false;
};

struct Scenario {
    std::string name;
    std::string description;
    int start_day = 0; ///< first simulated day (days since 1990-01-01)
    int end_day = 0;   ///< last simulated day, inclusive
    int step_days = 1; ///< 1 or 7

    std::vector<Origin> origins;
    std::vector<Crossing> crossings;
    std::vector<Region> regions;
    std::string onward_destination = "russia_europe";
    std::vector<Pool> pools;
    std::vector<Driver> drivers;
    std::array<int, kAgentTypes> driver_of_type{-1, -1, -1, -1,
                                                -1}; ///< index into drivers, -1 = none
    /// The driver whose index China's part of the all-country labour quota
    /// follows (x labourer.china_quota_share); -1 = none, the part is constant.
    int labour_quota_china = -1;
    Series foreign_quota_workers; ///< all-country workers admitted under the quota (labour share's
                                  ///< denominator)
    /// Residents of Kazakhstan by ethnicity: the community a migrant marries
    /// into (partners of the same community), 0 where the scenario gives none.
    std::array<double, kEthnicities> partner_pool{};

    InitialPolicy initial;
    std::vector<PolicyEvent> events; ///< sorted by day (stable)
    Parameters parameters;
};

} // namespace khorgos
