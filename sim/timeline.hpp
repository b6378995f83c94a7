#pragma once
// The policy in force on a day, and how each typed event changes it.
#include "sim/scenario.hpp"

#include <array>
#include <vector>

namespace khorgos {

struct PolicyState {
    bool visa_free = false;
    bool militarised = true;
    bool consulate = false;
    bool business_visas = false;
    double labour_quota = 0;               ///< all-country quota, persons per calendar year
    double repatriation_families = 0;      ///< all-country quota, families per calendar year
    double assistance = 0;                 ///< repatriation assistance level (0 = none)
    std::vector<char> crossing_open;       ///< per crossing
    std::vector<double> crossing_capacity; ///< persons per day per crossing, 0 = unlimited
    std::vector<double> crossing_weight;   ///< factor on each crossing's proximity weights
    bool customs_union = false;            ///< trade regimes in force
    bool boundary_centre = false;          ///<
    /// China's exit regime: the share of each ethnicity's hazard of setting out let through.
    std::array<double, kEthnicities> exit_level{1, 1, 1, 1, 1};
};

PolicyState initial_policy(const Scenario& scenario);

/// Applies one event. Changes only what the event's kind names.
void apply(const PolicyEvent& event, PolicyState& state);

/// For each day of the horizon (index day - start_day), the first day on or
/// after it on which at least one crossing is open; end_day + 1 if none is.
std::vector<int> next_open_day(const Scenario& scenario);

} // namespace khorgos
