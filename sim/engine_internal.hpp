#pragma once
// One run's state and its step, split by part of the model:
//   engine.cpp       the step in its documented order, pool growth, recording
//   life_cycle.cpp   each type's life cycle (set out, admission, arrival, end
//                    of plan, renewal, going home), driven by agent_types.hpp
//   departures.cpp   drawing who sets out from the origin groups, and crossing
//   settlement.cpp   status decisions under the status quota, permanent
//                    residence and the people who settled
//   policy_in_force  caps, their use and crossing capacities
//   schedule.hpp     the agents in Kazakhstan by step of their next event
//   tallies.hpp      what the run counts; observables.cpp and results.cpp read it
//   step_output.hpp  what a chunk of a step changes, merged in chunk order
// Internal to sim/: only engine.hpp is the engine's interface.
#include "sim/agent_types.hpp"
#include "sim/calendar.hpp"
#include "sim/engine.hpp"
#include "sim/policy_in_force.hpp"
#include "sim/population.hpp"
#include "sim/rng.hpp"
#include "sim/schedule.hpp"
#include "sim/step_output.hpp"
#include "sim/tallies.hpp"
#include "sim/team.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace khorgos {

/// A household that crossed this step: its persons (head first) in arrival_persons_.
struct Arrival {
    std::uint32_t first, count; ///< range in arrival_persons_
    std::int32_t crossing;
    std::uint32_t group;
};

/// A group in which someone sets out this step: which of its clocks choose.
struct Drawing {
    int group;
    bool idle;  ///< the repeat clock of the idle person ids
    bool fresh; ///< the clock of the members not yet created
};

/// What one thread writes while another writes the next one (per-group
/// candidate lists): on cache lines of its own, so that two threads do not
/// take a line from each other at every write (false sharing), which made
/// the parallel draws several times slower than the serial ones.
template <typename T> struct alignas(64) OwnLines { T value; };

/// A household of a group that crossed, before the step's person ids are
/// handed out: its head is an idle person id or a new person, the members
/// who join are new persons.
struct Crossed {
    std::uint32_t count;
    std::int32_t crossing;
    std::uint32_t idle_head; ///< the head's person id, if from_idle
    bool from_idle;
};

/// One group's departures of a step: its candidates (for a quota type with
/// their quota draws, quota[i] of drawn[i]), then the households that crossed.
struct GroupDepartures {
    std::vector<Candidate> drawn;
    std::vector<QuotaDraw> quota;
    std::vector<Crossed> crossed;
    std::vector<std::uint64_t> leaving_idle; ///< idle positions of those who set out
    std::uint64_t new_persons = 0;           ///< persons created by the crossings
    std::uint64_t persons = 0;               ///< persons in the crossed households
    std::uint32_t quota_places = 0;          ///< labour or assisted repatriation places used
    // Where the group's crossings go in the step's arrivals (cross()).
    std::uint32_t first_arrival = 0, first_person = 0, first_new_person = 0;
};

/// A candidate of a quota type in the competition for places.
struct Ranked {
    QuotaDraw draw;
    Candidate* candidate;
};

/// A repatriate refused status, waiting for the next review (settlement.cpp).
struct Applicant {
    Agent agent;
    int regret_day; ///< the day they give up and go home, if not granted before
};

class Engine {
  public:
    Engine(const Scenario& scenario, const RunOptions& options);
    RunResult run();

  private:
    // ---- engine.cpp: the step ------------------------------------------------
    void grow_pools(int year);
    /// Runs work(chunk, output) for chunks 0..n-1, on several threads when
    /// there are several chunks, then merges their outputs in chunk order.
    template <typename Work> void in_chunks(std::size_t n, Work work);
    void merge(StepOutput& out);
    void remember_grants(StepOutput& out);
    void settle_returners();
    void record_step();

    // ---- departures.cpp: who sets out, and crossing ---------------------------
    void departures();
    void cross(bool parallel);
    void cross(int group, bool capacity_limited);
    void cross(const Candidate& c, Group& g, bool capacity_limited, GroupDepartures& out);
    void hand_out_persons(int group);
    void region_weights();
    template <typename F> void for_each_drawing(bool parallel, F f);
    int choose_region(AgentType t, Ethnicity e, double u) const;
    void remove_idle(Group& g, std::vector<std::uint64_t>& positions);
    double network(Ethnicity e) const;
    double driver(AgentType t, double year);

    // ---- life_cycle.cpp: each type's rules ------------------------------------
    double hazard(AgentType t, double driver) const;
    double policy_gate(AgentType t) const;
    double trade_regime_events(const PolicyState& state) const;
    void admit_by_quota(AgentType type, double room);
    void settle(const Arrival& household, bool in_cohort, StepOutput& out);
    void arrive(Agent& a, int crossing, int region, bool in_cohort, RandomStream& rng,
                StepOutput& out);
    void process_due_events();
    void end_of_plan(Agent& a, std::uint32_t position, StepOutput& out);
    void renew_or_go_home(Agent& a, StepOutput& out);
    void set_plan(Agent& a, Plan plan, int plan_day, RandomStream& rng, StepOutput& out);
    void go_home(Agent& a, EventKind kind, int day, RandomStream& rng, StepOutput& out);
    int draw_purpose(RandomStream& rng) const;

    // ---- settlement.cpp: status, residence and the settled -------------------
    void decide_status(Agent& a, StepOutput& out);
    void review_status();
    void grant_status(Agent& a, RandomStream& rng, StepOutput& out);
    void wait_for_review(Applicant* first, Applicant* last, StepOutput& out);
    void join_relatives(Agent& a, RandomStream& rng, StepOutput& out);
    void reunification_rates();
    double settled_and_present(Ethnicity e) const;
    double diaspora(int e, int region) const;
    void take_census();

    // ---- small helpers of the hot paths ---------------------------------------
    YearTally& this_year() { return tally_.yearly[static_cast<std::size_t>(year_ - first_year_)]; }

    /// The day a log-normal duration from today ends; past the horizon if it
    /// would end after it (computed in double, so huge draws cannot overflow).
    int after(double median, double sigma, RandomStream& rng) const {
        const double days = std::max(1.0, std::round(rng.lognormal(median, sigma)));
        return days > sc_.end_day - day0_ ? sc_.end_day + 1 : day0_ + static_cast<int>(days);
    }

    /// An agent's event is done: its record goes to the bucket of its next
    /// event, if set_plan or go_home gave it one, with whatever the event
    /// changed in it after that.
    static void reschedule(const Agent& a, StepOutput& out) {
        if (out.next_day == StepOutput::kNoNextEvent) return;
        out.scheduled.push_back(Scheduled{a, out.next_day});
        out.next_day = StepOutput::kNoNextEvent;
    }

    /// Whether the person was granted repatriate status on an earlier stay.
    bool has_status(std::uint32_t person) const {
        return person < status_granted_.size() && status_granted_[person];
    }

    void change_stock(const Agent& a, int delta, StepOutput& out) const {
        out.stock(a.type, a.region) += delta;
        out.stock_by_ethnicity(a.ethnicity, a.region) += delta;
    }

    void log(const Agent& a, EventKind kind, int day, int crossing, int from, int to,
             StepOutput& out) const {
        out.year.events[static_cast<int>(kind)] += opt_.scale;
        ++out.events;
        if (!opt_.events) return;
        out.log.push_back(
            AgentEvent{day, a.person, a.type, a.ethnicity, static_cast<std::uint8_t>(kind),
                       static_cast<std::int8_t>(crossing), static_cast<std::int16_t>(from),
                       static_cast<std::int16_t>(to)});
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
    int year_start_day_ = 0, next_year_day_ = 0;       ///< 1 January of year_ and of the next
    double year_fraction_ = 0; ///< the step's start as a fractional year (2004.5: 2 July 2004)

    PolicyInForce policy_;
    std::uint32_t people_ = 0; ///< persons ever created as agents
    std::vector<Group> groups_;
    StepBuckets<Agent> schedule_; ///< the agents in Kazakhstan, by the step of their next event
    StepBuckets<Applicant> status_queue_; ///< refused applicants by the step of their next review
    Tallies tally_;
    /// Daily marriage hazard by ethnicity: partners mostly from the same community.
    std::array<double, kAgentTypes> base_hazard_{}; ///< daily_hazard() of each type, once
    std::array<double, kEthnicities> marriage_rate_{};
    /// Daily hazard of family reunification by ethnicity, this step (settlement.cpp).
    std::array<double, kEthnicities> reunification_rate_{};
    std::array<double, kEthnicities> networks_{}; ///< network() by ethnicity
    /// tally_.events when reunification_rate_ and networks_ were computed.
    std::uint64_t reunification_events_ = UINT64_MAX, network_events_ = UINT64_MAX;
    /// By person id: granted repatriate status (a status is granted once per
    /// person). Written only after a step's chunks are done (remember_grants):
    /// arrivals read it.
    std::vector<bool> status_granted_; ///< a bit per person: written only by remember_grants
    Team team_;
    std::uint64_t parallel_steps_ = 0; ///< steps that ran work on several threads
    bool parallel_step_ = false;       ///< this step did

    // Scratch of one step, kept to reuse its memory.
    std::vector<StepOutput> outputs_;                  ///< per chunk
    std::vector<std::atomic<bool>> chunk_done_;        ///< per chunk: its work is done
    StepOutput serial_;                                ///< of the work done in order (renewals)
    std::vector<OwnLines<GroupDepartures>> departing_; ///< per group
    std::vector<Drawing> drawing_;                     ///< the groups that draw this step
    std::vector<double> rate_;                         ///< per group: hazard x step length
    std::vector<double> repeat_rate_;         ///< per group: the idle's repeat hazard x length
    std::vector<double> reach_;               ///< per origin: access to open crossings ^ logsum
    std::vector<double> reach_access_;        ///< per origin: the access reach_ was computed for
    std::vector<double> region_cdf_;          ///< type x ethnicity x region, cumulative weights
    std::vector<double> attractiveness_;      ///< type x region, this step
    std::vector<SeriesReader> driver_series_; ///< of sc_.drivers
    std::vector<SeriesReader> attractiveness_series_; ///< type x region
    std::vector<double> share_;       ///< of one ethnicity, by region (region_weights)
    std::vector<Ranked> quota_order_; ///< candidates of one quota type, by priority
    std::vector<Arrival> arrivals_;
    std::vector<std::uint32_t> arrival_persons_;
    std::vector<Returner> returners_;
    std::vector<AgentEvent> log_;
};

/// Items (due agents, arriving households) per chunk of a step's work. A
/// chunk costs a merge, and on several threads a wake-up of the team (a few
/// microseconds); 1,024 events take about 100 us.
constexpr std::size_t kChunkItems = 1024;

/// Calls f(drawing) for each group that draws this step, on the team when
/// `parallel`. A group is offered to the same thread every step, so that its
/// candidates and crossings stay on one core.
template <typename F> void Engine::for_each_drawing(bool parallel, F f) {
    if (!parallel) {
        for (const Drawing& d : drawing_)
            f(d);
        return;
    }
    team_.for_each(
        drawing_.size(), [&](std::size_t k) { f(drawing_[k]); },
        [&](std::size_t k) { return static_cast<std::size_t>(drawing_[k].group); });
}

template <typename Work> void Engine::in_chunks(std::size_t items, Work work) {
    // Most steps at coarse scales: nothing is due or arrives, and the team
    // call (two std::function objects) would be the step's largest cost.
    if (items == 0) return;
    const std::size_t chunks = (items + kChunkItems - 1) / kChunkItems;
    while (outputs_.size() < chunks)
        outputs_.emplace_back(static_cast<std::size_t>(regions_),
                              static_cast<std::size_t>(crossings_));
    if (chunk_done_.size() < chunks) chunk_done_ = std::vector<std::atomic<bool>>(chunks);
    for (std::size_t c = 0; c < chunks; ++c)
        chunk_done_[c].store(false, std::memory_order_relaxed);
    // The caller merges the chunks done so far, in chunk order, after each
    // chunk it runs: the merges overlap the other threads' chunks instead
    // of waiting for all of them. A chunk's work reads nothing that a merge
    // writes (the status bits of grants are set after the last chunk).
    std::size_t merged = 0;
    const auto merge_done = [&] {
        while (merged < chunks && chunk_done_[merged].load(std::memory_order_acquire))
            merge(outputs_[merged++]);
    };
    const auto run_chunk = [&](std::size_t c) {
        work(c * kChunkItems, std::min(items, (c + 1) * kChunkItems), outputs_[c]);
        chunk_done_[c].store(true, std::memory_order_release);
        if (team_.on_caller()) merge_done();
    };
    if (chunks > 1 && team_.size() > 1) parallel_step_ = true;
    // Chunk c on thread c % threads when it can: its output's buffers stay on one core.
    team_.for_each(chunks, run_chunk, [](std::size_t c) { return c; });
    merge_done(); // every chunk is done
    for (std::size_t c = 0; c < chunks; ++c)
        remember_grants(outputs_[c]);
}

} // namespace khorgos
