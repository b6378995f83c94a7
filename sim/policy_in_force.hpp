#pragma once
// The policy in force during a step: the timeline's state (regimes, quotas,
// open crossings), this year's quota caps in agents and their use, and each
// crossing's capacity left in the step. The engine asks it whether a type may
// set out, whether a quota has room, and which crossing a traveller takes.
#include "sim/scenario.hpp"
#include "sim/tallies.hpp"
#include "sim/timeline.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace khorgos {

class PolicyInForce {
  public:
    PolicyInForce(const Scenario& scenario, std::uint64_t seed, double scale);

    /// A new calendar year: quotas restart, with this year's rounding draws.
    void start_year(int year);
    /// Applies the timeline's events dated before `day_end`, then sets the
    /// step's quota caps (recorded in `year`) and crossing allowances.
    void start_step(int day0, int day_end, YearTally& year);

    const PolicyState& state() const { return state_; }

    bool labour_room() const { return labour_used_ < labour_cap_; }
    double labour_places_left() const { return labour_cap_ - labour_used_; }
    void use_labour_places(std::uint32_t n) { labour_used_ += n; }
    double repatriate_places_left() const { return repatriate_cap_ - repatriate_used_; }
    void use_repatriate_places(std::uint32_t n) { repatriate_used_ += n; }

    /// Status decisions: the places of the year's status quota opened so far
    /// (it opens evenly over the year) that are not yet used.
    bool status_room() const { return status_used_ < status_open_; }
    void use_status_place() { status_used_ += 1; }
    /// Hazard multiplier of repatriates while assisted quota places remain.
    double assistance_multiplier() const {
        return repatriate_used_ < repatriate_cap_
                   ? 1 + p_[Param::repatriate_assistance_effect] * state_.assistance
                   : 1;
    }

    /// A crossing chosen by proximity to the origin among the open crossings
    /// with room for `persons` this step; -1 if there is none.
    int choose_crossing(int origin, double u, double persons) const {
        // Room matters only while some open crossing has a capacity (it is
        // used up during the step); otherwise the step's table decides.
        if (persons > 0 && capacity_limited_) return choose_with_room(origin, u, persons);
        const auto first = open_cdf_.begin() + origin * crossings_;
        const double total = first[crossings_ - 1];
        if (total <= 0) return -1;
        const auto it = std::upper_bound(first, first + crossings_, u * total);
        if (it != first + crossings_) return static_cast<int>(it - first);
        int last = crossings_ - 1; // u * total rounded up to total: the last open crossing
        while (last > 0 && first[last] == first[last - 1])
            --last;
        return last;
    }
    void use_capacity(int crossing, double persons) { capacity_left_[crossing] -= persons; }
    /// Some open crossing has a capacity: the crossings of a step are coupled
    /// (each takes room from the next), else each choice is independent.
    bool capacity_limited() const { return capacity_limited_; }

    /// How well an origin reaches Kazakhstan now: the share of its proximity
    /// weight (over all crossings) on open crossings, 0 to 1.
    double access(int origin) const { return access_[static_cast<std::size_t>(origin)]; }

    /// The first day on or after `day` with an open crossing (end_day + 1 if none).
    int next_open_day(int day) const {
        return next_open_[static_cast<std::size_t>(day - sc_.start_day)];
    }

  private:
    void rebuild_crossing_table();
    double china_labour_share(int year) const;
    /// A crossing's choice weight from an origin, as the timeline weighs it now.
    double proximity(int c, int origin) const {
        return sc_.crossings[c].proximity[origin] * state_.crossing_weight[c];
    }
    int choose_with_room(int origin, double u, double persons) const;
    bool passable(int c, double persons) const {
        return state_.crossing_open[c] && capacity_left_[c] >= persons - 1e-9;
    }

    const Scenario& sc_;
    const Parameters& p_;
    const std::uint64_t seed_;
    const double scale_;
    const int crossings_;
    const std::vector<int> next_open_;
    PolicyState state_;
    std::size_t next_event_ = 0;

    double labour_cap_ = 0, labour_used_ = 0, repatriate_cap_ = 0, repatriate_used_ = 0;
    double labour_rounding_ = 0, repatriate_rounding_ = 0; ///< this year's quota rounding draws
    double status_open_ = 0, status_used_ = 0, status_rounding_ = 0;
    int year_start_ = 0, year_days_ = 365; ///< the current calendar year
    double china_labour_share_ = 0;        ///< china_labour_share() of the year
    std::vector<double> capacity_left_, capacity_fraction_;
    /// Per origin, cumulative proximity weights over the crossings, closed ones
    /// weighing 0; rebuilt when the timeline changes the crossings.
    std::vector<double> open_cdf_;
    bool capacity_limited_ = false; ///< some open crossing has a capacity
    std::vector<double> access_;    ///< per origin, see access()
};

} // namespace khorgos
