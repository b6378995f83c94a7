#include "sim/policy_in_force.hpp"

#include "sim/calendar.hpp"
#include "sim/rng.hpp"

#include <algorithm>
#include <cmath>

namespace khorgos {

PolicyInForce::PolicyInForce(const Scenario& scenario, std::uint64_t seed, double scale)
    : sc_(scenario), p_(scenario.parameters), seed_(seed), scale_(scale),
      crossings_(static_cast<int>(scenario.crossings.size())),
      next_open_(khorgos::next_open_day(scenario)), state_(initial_policy(scenario)),
      capacity_left_(scenario.crossings.size()), capacity_fraction_(scenario.crossings.size()) {}

void PolicyInForce::start_year(int year) {
    labour_used_ = 0;
    repatriate_used_ = 0;
    // Quotas in agents are rounded at random (unbiased at any scale), with
    // one draw per year so that a quota changed mid-year rounds the same way.
    RandomStream rounding(seed_, static_cast<std::uint32_t>(year), 0, Stream::quota);
    labour_rounding_ = rounding.uniform();
    repatriate_rounding_ = rounding.uniform();
    status_used_ = 0;
    status_rounding_ = rounding.uniform();
    year_start_ = day_number(Date{year, 1, 1});
    year_days_ = day_number(Date{year + 1, 1, 1}) - year_start_;
    china_labour_share_ = china_labour_share(year);
}

void PolicyInForce::start_step(int day0, int day_end, YearTally& year) {
    const bool first_step = open_cdf_.empty();
    bool changed = false;
    while (next_event_ < sc_.events.size() && sc_.events[next_event_].day < day_end) {
        apply(sc_.events[next_event_++], state_);
        changed = true;
    }
    if (first_step || changed) rebuild_crossing_table();
    // Yearly quotas in agents (the timeline gives persons or families for all countries).
    labour_cap_ = std::floor(state_.labour_quota * china_labour_share_ *
                                 p_[Param::policy_labour_quota_factor] / scale_ +
                             labour_rounding_);
    repatriate_cap_ =
        std::floor(state_.repatriation_families * p_[Param::repatriate_china_quota_share] *
                       p_[Param::policy_repatriation_quota_factor] / scale_ +
                   repatriate_rounding_);
    // Status places open evenly over the year, up to the year's quota at its end.
    status_open_ =
        std::floor(p_[Param::repatriate_status_quota] / scale_ *
                       std::min(1.0, static_cast<double>(day_end - year_start_) / year_days_) +
                   status_rounding_);
    // The largest cap in force during the year (a quota may change mid-year).
    year.labour_cap = std::max(year.labour_cap, labour_cap_);
    year.repatriate_household_cap = std::max(year.repatriate_household_cap, repatriate_cap_);
    const double len = day_end - day0;
    if (state_.visa_free) year.visa_free_days += len;
    for (int c = 0; c < crossings_; ++c) {
        const double cap = state_.crossing_capacity[c];
        if (cap <= 0) {
            capacity_left_[c] = HUGE_VAL;
            continue;
        }
        // Whole agents only; the fraction of the allowance carries to the next
        // step, so capacity/scale is honoured on average and never exceeded.
        const double allowance = cap * len / scale_ + capacity_fraction_[c];
        capacity_left_[c] = std::floor(allowance);
        capacity_fraction_[c] = allowance - capacity_left_[c];
    }
}

/// China's part of the all-country labour quota in a year: the places that
/// Chinese employers' applications take, labourer.china_quota_share x the
/// index of their projects (the scenario's labour_quota_china driver), read
/// at the year's middle so that a year's cap changes only with the quota.
double PolicyInForce::china_labour_share(int year) const {
    const double share = p_[Param::labourer_china_quota_share];
    if (sc_.labour_quota_china < 0) return share;
    return share *
           sc_.drivers[static_cast<std::size_t>(sc_.labour_quota_china)].series.at(year + 0.5);
}

void PolicyInForce::rebuild_crossing_table() {
    const std::size_t origins = sc_.origins.size();
    open_cdf_.assign(origins * static_cast<std::size_t>(crossings_), 0);
    access_.assign(origins, 0);
    for (std::size_t o = 0; o < origins; ++o) {
        double cumulative = 0, all = 0;
        for (int c = 0; c < crossings_; ++c) {
            const double w = proximity(c, static_cast<int>(o));
            if (state_.crossing_open[c]) cumulative += w;
            all += w;
            open_cdf_[o * crossings_ + c] = cumulative;
        }
        access_[o] = all > 0 ? cumulative / all : 0;
    }
    capacity_limited_ = false;
    for (int c = 0; c < crossings_; ++c)
        capacity_limited_ =
            capacity_limited_ || (state_.crossing_open[c] && state_.crossing_capacity[c] > 0);
}

int PolicyInForce::choose_with_room(int origin, double u, double persons) const {
    double total = 0;
    for (int c = 0; c < crossings_; ++c)
        if (passable(c, persons)) total += proximity(c, origin);
    if (total <= 0) return -1;
    double x = u * total;
    int last = -1;
    for (int c = 0; c < crossings_; ++c)
        if (passable(c, persons)) {
            const double w = proximity(c, origin);
            if (w <= 0) continue;
            last = c;
            if (x < w) return c;
            x -= w;
        }
    return last;
}

} // namespace khorgos
