#pragma once
// One run's state and its step, split by part of the model:
//   engine.cpp       the step in its documented order, pool growth, recording
//   life_cycle.cpp   each type's life cycle (set out, admission, arrival, end
//                    of plan, renewal, going home), driven by agent_types.hpp
//   departures.cpp   drawing who sets out from the origin groups, and crossing
//   policy_in_force  caps, their use and crossing capacities
//   schedule.hpp     the agents in Kazakhstan by step of their next event
//   tallies.hpp      what the run counts; observables.cpp and results.cpp read it
// Internal to sim/: only engine.hpp is the engine's interface.
#include "sim/agent_types.hpp"
#include "sim/calendar.hpp"
#include "sim/engine.hpp"
#include "sim/policy_in_force.hpp"
#include "sim/population.hpp"
#include "sim/rng.hpp"
#include "sim/schedule.hpp"
#include "sim/tallies.hpp"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace khorgos {

class Engine {
  public:
    Engine(const Scenario& scenario, const RunOptions& options);
    RunResult run();

  private:
    // ---- engine.cpp: the step ------------------------------------------------
    void grow_pools(int year);
    void settle_returners();
    void record_step();

    // ---- departures.cpp: who sets out, and crossing ---------------------------
    void departures();
    void enter();
    void region_weights();
    int choose_region(AgentType t, Ethnicity e, double u) const;
    std::uint32_t new_agent(Group& g, std::uint32_t group_index);
    void remove_idle(std::uint32_t group, std::vector<std::uint64_t>& positions);
    double network(Ethnicity e) const;
    double driver(AgentType t, double year) const;

    // ---- life_cycle.cpp: each type's rules ------------------------------------
    double hazard(const Group& g, const std::array<double, kAgentTypes>& drivers,
                  const std::array<double, kEthnicities>& networks) const;
    void admit_by_quota(AgentType type, double room);
    void arrive(std::uint32_t id, int crossing, int region, bool in_cohort, RandomStream& rng);
    void process_due_events();
    void set_plan(std::uint32_t id, Plan plan, int plan_day, RandomStream& rng);
    void go_home(std::uint32_t id, EventKind kind, int day, RandomStream& rng);
    int draw_purpose(RandomStream& rng) const;

    // ---- small helpers of the hot paths ---------------------------------------
    YearTally& this_year() { return tally_.yearly[static_cast<std::size_t>(year_ - first_year_)]; }

    double fractional_year(int day) const {
        const Date d = date_of(day);
        return d.year + (day - day_number(Date{d.year, 1, 1})) / 365.25;
    }

    /// The day a log-normal duration from today ends; past the horizon if it
    /// would end after it (computed in double, so huge draws cannot overflow).
    int after(double median, double sigma, RandomStream& rng) const {
        const double days = std::max(1.0, std::round(rng.lognormal(median, sigma)));
        return days > sc_.end_day - day0_ ? sc_.end_day + 1 : day0_ + static_cast<int>(days);
    }

    void schedule(std::uint32_t id, int day) { schedule_.add(id, day, day_end_); }

    void change_stock(std::uint32_t id, int delta) {
        const Agent& a = agents_[id];
        tally_.stock(a.type, a.region) += delta;
        tally_.stock_by_ethnicity(a.ethnicity, a.region) += delta;
    }

    void log(std::uint32_t id, EventKind kind, int day, int crossing, int from, int to) {
        this_year().events[static_cast<int>(kind)] += opt_.scale;
        ++tally_.events;
        if (!opt_.events) return;
        const Agent& a = agents_[id];
        log_.push_back(AgentEvent{day, a.person, a.type, a.ethnicity,
                                  static_cast<std::uint8_t>(kind),
                                  static_cast<std::int8_t>(crossing),
                                  static_cast<std::int16_t>(from), static_cast<std::int16_t>(to)});
    }

    // Places of the event log: origins, crossings, regions, the onward destination.
    int place_of_origin(int origin) const { return origin; }
    int place_of_crossing(int c) const { return static_cast<int>(sc_.origins.size()) + c; }
    int place_of_region(int r) const { return place_of_crossing(crossings_) + r; }
    int place_onward() const { return place_of_region(regions_); }

    const Scenario& sc_;
    const RunOptions opt_;
    const Parameters& p_;
    const int steps_, first_year_, regions_, crossings_;
    int step_ = 0, day0_ = 0, day_end_ = 0, year_ = 0; ///< the current step and its calendar year

    PolicyInForce policy_;
    Agents agents_;
    std::vector<Group> groups_;
    Schedule schedule_;
    Tallies tally_;

    // Scratch of one step, kept to reuse its memory.
    std::vector<std::vector<Candidate>> candidates_; ///< per group
    std::vector<Candidate> all_;
    std::vector<double> rate_;                ///< per group: hazard x step length
    std::uint64_t parallel_steps_ = 0;        ///< steps whose departures ran on several threads
    std::vector<double> region_cdf_;          ///< type x ethnicity x region, cumulative weights
    std::vector<double> attractiveness_;      ///< of one type, by region, this step
    std::vector<std::size_t> quota_order_;    ///< candidates of one quota type, by priority
    std::vector<std::uint64_t> leaving_idle_; ///< idle positions of one group setting out
    std::vector<std::pair<std::uint16_t, std::uint32_t>>
        returners_;                       ///< (group, slot) home this step
    std::vector<std::uint32_t> finished_; ///< slots of agents with no further event
    std::vector<AgentEvent> log_;
};

} // namespace khorgos
