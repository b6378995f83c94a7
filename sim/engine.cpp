#include "sim/engine.hpp"

#include "sim/calendar.hpp"
#include "sim/errors.hpp"
#include "sim/rng.hpp"
#include "sim/timeline.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <numeric>

namespace khorgos {

bool valid_scale(double scale) {
    return std::isfinite(scale) && scale >= 1 && scale <= 1e6;
}

namespace {

constexpr int kNever = INT_MAX;
constexpr std::size_t kPrefetch = 12;   ///< agents fetched ahead in the event loop
constexpr double kParallelDraws = 4096; ///< expected departures per step worth a parallel region
constexpr int kStatuses = 4;
constexpr std::array<std::string_view, kStatuses> kStatusNames{"at_origin", "in_kazakhstan",
                                                               "left_onward", "naturalised"};

/// The life-cycle milestone an agent in Kazakhstan is heading for.
enum class Plan : std::uint8_t {
    none,
    stay_end,      ///< end of a trader's or visitor's trip
    contract_end,  ///< end of a labour contract
    irregular_end, ///< end of an irregular stay: go home
    transit_end,   ///< a transit migrant moves on (or stays irregularly)
    naturalise,    ///< residence complete: become a citizen
    go_home,       ///< waiting for a crossing to open, then go home
};

/// What fires next: the plan, or one of the competing exponential events.
enum class Next : std::uint8_t { plan, marriage, regret };

enum Flag : std::uint8_t { kMarried = 1, kEnteredVisaFree1992 = 2 };

/// One agent's state. Every event reads and writes most of it together, so it
/// is packed in one small record (one cache line access per event) rather than
/// spread over a dozen arrays, which measured 2-3 times slower for the
/// random-order access of next-event scheduling.
struct Agent {
    std::uint32_t person = 0; ///< stable id of the person (event log, random streams)
    std::uint16_t group = 0;  ///< the pool group the agent belongs to
    std::uint8_t type = 0, ethnicity = 0, region = 0, flags = 0, plan = 0, next = 0;
};
static_assert(sizeof(Agent) <= 12, "agent state should stay small");

/// Records of the agents away from home, in slots. Whoever goes home frees
/// the slot: a trader is kept as a person id in the pool's idle list (the id
/// is all that lasts between trips), anyone else rejoins the pool's count; and
/// so do people who leave onward or naturalise. Reusing slots keeps the
/// records of a 32-year run in a few megabytes, so the random accesses of
/// next-event scheduling hit the cache, and a trader who sets out again costs
/// a sequential read of the idle list instead of a cache miss on an old record.
struct Agents {
    std::vector<Agent> state;
    std::vector<std::uint32_t> free_slots;
    std::uint32_t people = 0; ///< persons ever created as agents

    std::uint32_t add(AgentType t, Ethnicity e, std::uint16_t g) {
        if (people == UINT32_MAX)
            throw RuntimeError("more than 4.29 billion agents created: raise --scale");
        return add_person(people++, t, e, g);
    }
    /// A record for a person who already exists (a trader setting out again).
    std::uint32_t add_person(std::uint32_t person, AgentType t, Ethnicity e, std::uint16_t g) {
        Agent a;
        a.person = person;
        a.type = static_cast<std::uint8_t>(t);
        a.ethnicity = static_cast<std::uint8_t>(e);
        a.group = g;
        if (!free_slots.empty()) {
            const std::uint32_t slot = free_slots.back();
            free_slots.pop_back();
            state[slot] = a;
            return slot;
        }
        state.push_back(a);
        return static_cast<std::uint32_t>(state.size() - 1);
    }
    void release(std::uint32_t slot) { free_slots.push_back(slot); }
    Agent& operator[](std::uint32_t id) { return state[id]; }
    const Agent& operator[](std::uint32_t id) const { return state[id]; }
};

/// Potential movers of one (type, origin, ethnicity): a count not yet created
/// as agents, and the person ids of traders back home who may set out again.
struct Group {
    AgentType type;
    int origin;
    Ethnicity ethnicity;
    int pool;
    std::uint64_t unmaterialised = 0;
    double carry = 0;                ///< fractional agents not yet added (pool growth / scale)
    std::vector<std::uint32_t> idle; ///< person ids
};

/// A pool member drawn to set out this step.
struct Candidate {
    std::uint32_t group;
    std::uint64_t position;  ///< < idle.size(): that idle trader; otherwise a new person
    double priority;         ///< order among candidates competing for a quota
    double accept;           ///< uniform used to thin candidates beyond an assisted quota
    std::uint32_t household; ///< persons setting out together (repatriate households)
    bool assisted = false;   ///< holds a quota place
    bool accepted = true;
};

struct YearCounters {
    std::array<double, kAgentTypes> entries{};
    std::array<double, kPurposes> entries_by_purpose{};
    double labour_admitted = 0;
    double labour_cap = 0;
    double repatriate_households_assisted = 0;
    double repatriate_household_cap = 0;
    std::array<double, kEthnicities> naturalisations{};
    double marriages = 0;
    std::array<double, kEventKinds> events{};
};

class Engine {
  public:
    Engine(const Scenario& scenario, const RunOptions& options)
        : sc_(scenario), opt_(options), p_(scenario.parameters), state_(initial_policy(scenario)),
          next_open_(next_open_day(scenario)) {
        steps_ = (sc_.end_day - sc_.start_day) / sc_.step_days + 1;
        first_year_ = year_of(sc_.start_day);
        last_year_ = year_of(sc_.end_day);
        years_ = last_year_ - first_year_ + 1;
        regions_ = static_cast<int>(sc_.regions.size());
        crossings_ = static_cast<int>(sc_.crossings.size());
        buckets_.resize(static_cast<std::size_t>(steps_));
        yearly_.resize(static_cast<std::size_t>(years_));
        for (int p = 0; p < static_cast<int>(sc_.pools.size()); ++p)
            for (int e = 0; e < kEthnicities; ++e)
                if (sc_.pools[p].ethnicity[e] > 0)
                    groups_.push_back(Group{sc_.pools[p].type,
                                            sc_.pools[p].origin,
                                            static_cast<Ethnicity>(e),
                                            p,
                                            0,
                                            0,
                                            {}});
        candidates_.resize(groups_.size());
        stock_.assign(static_cast<std::size_t>(kAgentTypes * regions_), 0);
        stock_eth_.assign(static_cast<std::size_t>(kEthnicities * regions_), 0);
        const auto T = static_cast<std::size_t>(steps_);
        daily_stock_.assign(T * kAgentTypes * regions_, 0);
        daily_stock_eth_.assign(T * kEthnicities * regions_, 0);
        daily_flow_.assign(T * kAgentTypes * crossings_ * kDirections, 0);
        daily_onward_.assign(T * kAgentTypes, 0);
        daily_population_.assign(T * kStatuses, 0);
        daily_pool_.assign(T, 0);
        daily_kazakh_repatriates_.assign(T, 0);
    }

    RunResult run() {
        const auto started = std::chrono::steady_clock::now();
        std::size_t next_event = 0;
        for (int s = 0; s < steps_; ++s) {
            step_ = s;
            day0_ = sc_.start_day + s * sc_.step_days;
            day_end_ = std::min(day0_ + sc_.step_days, sc_.end_day + 1);
            const int year = year_of(day0_);
            if (s == 0 || year != year_) {
                year_ = year;
                start_year(year);
            }
            while (next_event < sc_.events.size() && sc_.events[next_event].day < day_end_)
                apply(sc_.events[next_event++], state_);
            update_caps();
            if (year == 1992 && state_.visa_free) visa_free_days_1992_ += day_end_ - day0_;
            process_due_events();
            departures();
            // People who came home this step may set out again from the next one.
            for (const auto& [g, id] : returners_) {
                if (groups_[g].type == AgentType::trader)
                    groups_[g].idle.push_back(agents_[id].person);
                else
                    groups_[g].unmaterialised += 1;
                agents_.release(id);
            }
            returners_.clear();
            for (const std::uint32_t id : finished_)
                agents_.release(id);
            finished_.clear();
            record_step();
            if (opt_.events && !log_.empty()) {
                opt_.events->record(log_.data(), log_.size());
                log_.clear();
            }
        }
        RunResult result = collect();
        result.counters.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return result;
    }

  private:
    // ---- calendar and policy ------------------------------------------------

    YearCounters& this_year() { return yearly_[static_cast<std::size_t>(year_ - first_year_)]; }

    double fractional_year(int day) const {
        const Date d = date_of(day);
        return d.year + (day - day_number(Date{d.year, 1, 1})) / 365.25;
    }

    /// Pools grow once a year by the increase of their size series; quotas restart.
    void start_year(int year) {
        labour_used_ = 0;
        repatriate_used_ = 0;
        // Quotas in agents are rounded at random (unbiased at any scale), with
        // one draw per year so that a quota changed mid-year rounds the same way.
        RandomStream rounding(opt_.seed, static_cast<std::uint32_t>(year), 0, Stream::quota);
        labour_rounding_ = rounding.uniform();
        repatriate_rounding_ = rounding.uniform();
        for (auto& g : groups_) {
            const Pool& pool = sc_.pools[static_cast<std::size_t>(g.pool)];
            const double share = pool.ethnicity[index(g.ethnicity)] * p_[Param::pool_size_factor];
            const double now = pool.size.at(year) * share;
            const double before = day0_ == sc_.start_day ? 0 : pool.size.at(year - 1) * share;
            const double add = std::max(0.0, now - before) / opt_.scale + g.carry;
            const auto whole = static_cast<std::uint64_t>(std::floor(add));
            g.carry = add - static_cast<double>(whole);
            g.unmaterialised += whole;
            pool_total_ += static_cast<double>(whole);
        }
    }

    /// Yearly quotas in agents (the timeline gives persons or families for all countries).
    void update_caps() {
        labour_cap_ = std::floor(state_.labour_quota * p_[Param::labourer_china_quota_share] *
                                     p_[Param::policy_labour_quota_factor] / opt_.scale +
                                 labour_rounding_);
        repatriate_cap_ =
            std::floor(state_.repatriation_families * p_[Param::repatriate_china_quota_share] *
                           p_[Param::policy_repatriation_quota_factor] / opt_.scale +
                       repatriate_rounding_);
        // The largest cap in force during the year (a quota may change mid-year).
        auto& y = this_year();
        y.labour_cap = std::max(y.labour_cap, labour_cap_);
        y.repatriate_household_cap = std::max(y.repatriate_household_cap, repatriate_cap_);
        const double len = day_end_ - day0_;
        capacity_left_.resize(static_cast<std::size_t>(crossings_));
        capacity_fraction_.resize(static_cast<std::size_t>(crossings_));
        for (int c = 0; c < crossings_; ++c) {
            const double cap = state_.crossing_capacity[c];
            if (cap <= 0) {
                capacity_left_[c] = HUGE_VAL;
                continue;
            }
            // Whole agents only; the fraction of the allowance carries to the next
            // step, so capacity/scale is honoured on average and never exceeded.
            const double allowance = cap * len / opt_.scale + capacity_fraction_[c];
            capacity_left_[c] = std::floor(allowance);
            capacity_fraction_[c] = allowance - capacity_left_[c];
        }
    }

    double network(Ethnicity e) const {
        double present = 0;
        for (int r = 0; r < regions_; ++r)
            present += stock_eth_[index(e) * regions_ + r];
        present *= opt_.scale;
        return 1 + p_[Param::network_strength] * present /
                       (present + p_[Param::network_half_saturation]);
    }

    double driver(AgentType t, double year) const {
        const int d = sc_.driver_of_type[index(t)];
        if (d < 0) return 1;
        static constexpr Param kElasticity[] = {
            Param::trader_driver_elasticity, Param::visitor_driver_elasticity,
            Param::labourer_driver_elasticity, Param::repatriate_driver_elasticity,
            Param::transit_driver_elasticity};
        return std::pow(sc_.drivers[static_cast<std::size_t>(d)].series.at(year),
                        p_[kElasticity[index(t)]]);
    }

    /// Daily hazard of setting out for a member of group g, under today's policy;
    /// `drivers` and `networks` hold this step's factors by type and ethnicity.
    double hazard(const Group& g, const std::array<double, kAgentTypes>& drivers,
                  const std::array<double, kEthnicities>& networks) const {
        double policy = 1;
        double base = 0;
        switch (g.type) {
        case AgentType::trader:
        case AgentType::visitor:
            base = g.type == AgentType::trader ? p_[Param::trader_base_hazard]
                                               : p_[Param::visitor_base_hazard];
            if (state_.visa_free) policy *= p_[Param::policy_visa_free_multiplier];
            if (state_.militarised) policy *= p_[Param::policy_militarised_multiplier];
            if (state_.business_visas) policy *= p_[Param::policy_business_visa_multiplier];
            if (state_.consulate && g.type == AgentType::visitor)
                policy *= p_[Param::policy_consulate_multiplier];
            break;
        case AgentType::labourer:
            base = p_[Param::labourer_base_hazard];
            policy = labour_used_ < labour_cap_ ? 1 : 0;
            break;
        case AgentType::repatriate:
            base = p_[Param::repatriate_base_hazard];
            policy = assistance_multiplier();
            break;
        case AgentType::transit:
            base = p_[Param::transit_base_hazard];
            policy = state_.visa_free ? 1 : 0;
            break;
        }
        return base * policy * drivers[index(g.type)] * networks[index(g.ethnicity)];
    }

    /// Hazard multiplier of repatriates while assisted quota places remain.
    double assistance_multiplier() const {
        return repatriate_used_ < repatriate_cap_
                   ? 1 + p_[Param::repatriate_assistance_effect] * state_.assistance
                   : 1;
    }

    // ---- agents in Kazakhstan ------------------------------------------------

    void log(std::uint32_t id, EventKind kind, int day, int crossing, int from, int to) {
        this_year().events[static_cast<int>(kind)] += opt_.scale;
        ++events_;
        if (!opt_.events) return;
        log_.push_back(AgentEvent{day, agents_[id].person, agents_[id].type, agents_[id].ethnicity,
                                  static_cast<std::uint8_t>(kind),
                                  static_cast<std::int8_t>(crossing),
                                  static_cast<std::int16_t>(from), static_cast<std::int16_t>(to)});
    }

    int place_of_origin(int origin) const { return origin; }
    int place_of_crossing(int c) const { return static_cast<int>(sc_.origins.size()) + c; }
    int place_of_region(int r) const { return place_of_crossing(crossings_) + r; }
    int place_onward() const { return place_of_region(regions_); }

    void schedule(std::uint32_t id, int day) {
        // An event never fires in the step that scheduled it (one event per agent per step).
        day = std::max(day, day_end_);
        if (day > sc_.end_day) return;
        const auto step = static_cast<std::size_t>((day - sc_.start_day) / sc_.step_days);
        buckets_[step].push_back(id);
    }

    /// Sets the agent's plan and draws its competing events; schedules the earliest.
    void set_plan(std::uint32_t id, Plan plan, int plan_day, RandomStream& rng) {
        agents_[id].plan = static_cast<std::uint8_t>(plan);
        double first = plan_day;
        Next next = Next::plan;
        const auto type = static_cast<AgentType>(agents_[id].type);
        const bool settled = plan == Plan::naturalise;
        if (!(agents_[id].flags & kMarried) && type != AgentType::repatriate && !settled) {
            const double t = day0_ + rng.exponential(p_[Param::marriage_rate] / 365.25);
            if (t < first) first = t, next = Next::marriage;
        }
        if (type == AgentType::repatriate && plan == Plan::naturalise) {
            const double t = day0_ + rng.exponential(p_[Param::repatriate_regret_rate] / 365.25);
            if (t < first) first = t, next = Next::regret;
        }
        agents_[id].next = static_cast<std::uint8_t>(next);
        if (first < kNever) schedule(id, static_cast<int>(std::ceil(first)));
    }

    /// The day a log-normal duration from today ends; past the horizon if it
    /// would end after it (computed in double, so huge draws cannot overflow).
    int after(double median, double sigma, RandomStream& rng) const {
        const double days = std::max(1.0, std::round(rng.lognormal(median, sigma)));
        return days > sc_.end_day - day0_ ? sc_.end_day + 1 : day0_ + static_cast<int>(days);
    }

    void change_stock(std::uint32_t id, int delta) {
        stock_[agents_[id].type * regions_ + agents_[id].region] += delta;
        stock_eth_[agents_[id].ethnicity * regions_ + agents_[id].region] += delta;
    }

    /// Choice of crossing by proximity to the origin among open crossings with room.
    int choose_crossing(int origin, double u, double persons) const {
        double total = 0;
        for (int c = 0; c < crossings_; ++c)
            if (state_.crossing_open[c] && capacity_left_[c] >= persons - 1e-9)
                total += sc_.crossings[c].proximity[origin];
        if (total <= 0) return -1;
        double x = u * total;
        int last = -1;
        for (int c = 0; c < crossings_; ++c)
            if (state_.crossing_open[c] && capacity_left_[c] >= persons - 1e-9) {
                const double w = sc_.crossings[c].proximity[origin];
                if (w <= 0) continue;
                last = c;
                if (x < w) return c;
                x -= w;
            }
        return last;
    }

    void go_home(std::uint32_t id, EventKind kind, int day, RandomStream& rng) {
        const Group& g = groups_[agents_[id].group];
        const int c = choose_crossing(g.origin, rng.uniform(), 0);
        if (c < 0) { // every crossing closed: wait for the first to reopen
            const int reopen = next_open_[static_cast<std::size_t>(day - sc_.start_day)];
            agents_[id].plan = static_cast<std::uint8_t>(Plan::go_home);
            agents_[id].next = static_cast<std::uint8_t>(Next::plan);
            schedule(id, reopen);
            return;
        }
        change_stock(id, -1);
        flow(agents_[id].type, c, Direction::exit) += 1;
        log(id, kind, day, c, place_of_region(agents_[id].region), place_of_origin(g.origin));
        if (agents_[id].flags & kEnteredVisaFree1992) returned_visa_free_1992_ += 1;
        // Back in the pool at the end of the step: the record is freed then (an
        // irregular labourer who was a trader becomes an idle trader again).
        returners_.emplace_back(agents_[id].group, id);
    }

    void process_due_events() {
        auto& due = buckets_[static_cast<std::size_t>(step_)];
        for (std::size_t i = 0; i < due.size(); ++i) {
            // Due agents are scattered over memory: fetch a few ahead (memory-bound loop).
            if (i + kPrefetch < due.size()) __builtin_prefetch(&agents_[due[i + kPrefetch]]);
            const std::uint32_t id = due[i];
            RandomStream rng(opt_.seed, agents_[id].person, static_cast<std::uint32_t>(step_),
                             Stream::outcome);
            const int day = day0_;
            const auto next = static_cast<Next>(agents_[id].next);
            const auto type = static_cast<AgentType>(agents_[id].type);
            if (next == Next::marriage) {
                agents_[id].flags |= kMarried;
                this_year().marriages += opt_.scale;
                log(id, EventKind::marriage, day, -1, place_of_region(agents_[id].region), -1);
                set_plan(id, Plan::naturalise,
                         after(p_[Param::married_naturalisation_median],
                               p_[Param::married_naturalisation_sigma], rng),
                         rng);
                continue;
            }
            if (next == Next::regret) {
                go_home(id, EventKind::regret_return, day, rng);
                continue;
            }
            switch (static_cast<Plan>(agents_[id].plan)) {
            case Plan::stay_end: {
                const double overstay = type == AgentType::trader
                                            ? p_[Param::trader_overstay_prob]
                                            : p_[Param::visitor_overstay_prob];
                if (rng.uniform() < overstay) {
                    change_stock(id, -1);
                    agents_[id].type = static_cast<std::uint8_t>(AgentType::labourer);
                    change_stock(id, +1);
                    log(id, EventKind::overstay, day, -1, place_of_region(agents_[id].region), -1);
                    set_plan(id, Plan::irregular_end,
                             after(p_[Param::irregular_stay_median],
                                   p_[Param::irregular_stay_sigma], rng),
                             rng);
                } else {
                    go_home(id, EventKind::return_home, day, rng);
                }
                break;
            }
            case Plan::contract_end:
                if (rng.uniform() < p_[Param::labourer_renew_prob] && labour_used_ < labour_cap_) {
                    labour_used_ += 1;
                    this_year().labour_admitted += opt_.scale;
                    log(id, EventKind::renewal, day, -1, place_of_region(agents_[id].region), -1);
                    set_plan(id, Plan::contract_end,
                             after(p_[Param::labourer_contract_median],
                                   p_[Param::labourer_contract_sigma], rng),
                             rng);
                } else {
                    go_home(id, EventKind::return_home, day, rng);
                }
                break;
            case Plan::transit_end:
                if (rng.uniform() < p_[Param::transit_onward_prob]) {
                    change_stock(id, -1);
                    left_onward_ += 1;
                    finished_.push_back(id);
                    daily_onward_[static_cast<std::size_t>(step_) * kAgentTypes + type_index(id)] +=
                        1;
                    log(id, EventKind::onward_exit, day, -1, place_of_region(agents_[id].region),
                        place_onward());
                } else {
                    set_plan(id, Plan::irregular_end,
                             after(p_[Param::irregular_stay_median],
                                   p_[Param::irregular_stay_sigma], rng),
                             rng);
                }
                break;
            case Plan::irregular_end:
            case Plan::go_home:
                go_home(id, EventKind::return_home, day, rng);
                break;
            case Plan::naturalise:
                change_stock(id, -1);
                naturalised_ += 1;
                finished_.push_back(id);
                this_year().naturalisations[agents_[id].ethnicity] += opt_.scale;
                log(id, EventKind::naturalisation, day, -1, place_of_region(agents_[id].region),
                    -1);
                break;
            case Plan::none:
                break;
            }
        }
        std::vector<std::uint32_t>().swap(due); // the bucket is spent: free its memory
    }

    int type_index(std::uint32_t id) const { return agents_[id].type; }

    double& flow(int type, int crossing, Direction d) {
        return daily_flow_[((static_cast<std::size_t>(step_) * kAgentTypes + type) * crossings_ +
                            crossing) *
                               kDirections +
                           static_cast<int>(d)];
    }

    // ---- departures from the origins ----------------------------------------

    void departures() {
        const double year = fractional_year(day0_);
        const double len = day_end_ - day0_;
        const int n_groups = static_cast<int>(groups_.size());
        probability_.resize(groups_.size());
        keep_unassisted_.resize(groups_.size());
        const double assistance = assistance_multiplier();
        double expected_draws = 0;
        // Once per step, not per group: pow and the network sums are the
        // step's fixed cost, which dominates at coarse scales.
        std::array<double, kAgentTypes> drivers;
        for (int t = 0; t < kAgentTypes; ++t)
            drivers[t] = driver(static_cast<AgentType>(t), year);
        std::array<double, kEthnicities> networks;
        for (int e = 0; e < kEthnicities; ++e)
            networks[e] = network(static_cast<Ethnicity>(e));
        for (int g = 0; g < n_groups; ++g) {
            const double h = hazard(groups_[g], drivers, networks);
            probability_[g] = -std::expm1(-h * len);
            // Beyond the assisted quota a candidate is kept with the ratio of the
            // unassisted to the assisted chance of setting out (exact thinning).
            keep_unassisted_[g] = groups_[g].type == AgentType::repatriate && probability_[g] > 0
                                      ? std::expm1(-h / assistance * len) / -probability_[g]
                                      : 0;
            expected_draws += probability_[g] * static_cast<double>(groups_[g].idle.size() +
                                                                    groups_[g].unmaterialised);
        }
        // A parallel region costs a few microseconds, and much more when the
        // cores are shared: only worth it when the step has many draws.
        const bool parallel = opt_.threads > 1 && expected_draws > kParallelDraws;
        const double household_extra = p_[Param::repatriate_household_size] - 1;

        // Each group's draws use its own stream, so this loop's schedule cannot matter.
#pragma omp parallel for schedule(dynamic, 4) num_threads(opt_.threads) if (parallel)
        for (int g = 0; g < n_groups; ++g) {
            auto& out = candidates_[g];
            out.clear();
            const Group& group = groups_[g];
            const std::uint64_t n = group.idle.size() + group.unmaterialised;
            RandomStream pick(opt_.seed, static_cast<std::uint32_t>(g),
                              static_cast<std::uint32_t>(step_), Stream::departure);
            RandomStream order(opt_.seed, static_cast<std::uint32_t>(g),
                               static_cast<std::uint32_t>(step_), Stream::priority);
            RandomStream household(opt_.seed, static_cast<std::uint32_t>(g),
                                   static_cast<std::uint32_t>(step_), Stream::household);
            // Only labourers and repatriates compete for quota places.
            const bool quota =
                group.type == AgentType::labourer || group.type == AgentType::repatriate;
            pick.bernoulli_select(n, probability_[g], [&](std::uint64_t position) {
                Candidate c{static_cast<std::uint32_t>(g), position, 0, 0, 1};
                if (quota) {
                    c.priority = order.uniform();
                    c.accept = order.uniform();
                }
                if (group.type == AgentType::repatriate)
                    c.household = 1 + household.poisson(household_extra);
                out.push_back(c);
            });
        }

        // Quotas: candidates compete in random priority order (deterministic given the seed).
        all_.clear();
        for (auto& list : candidates_)
            all_.insert(all_.end(), list.begin(), list.end());
        admit_by_quota(AgentType::labourer, labour_cap_ - labour_used_);
        admit_by_quota(AgentType::repatriate, repatriate_cap_ - repatriate_used_);
        enter();
    }

    /// Limits candidates of one type to `room` quota places, in priority order.
    /// Repatriates beyond the assisted quota still come, unassisted: their
    /// hazard was drawn with the assistance multiplier, so each is kept with
    /// the ratio of the unassisted to the assisted probability (exact thinning).
    void admit_by_quota(AgentType type, double room) {
        std::vector<std::size_t> index;
        for (std::size_t i = 0; i < all_.size(); ++i)
            if (groups_[all_[i].group].type == type) index.push_back(i);
        std::sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) {
            return all_[a].priority < all_[b].priority;
        });
        const auto places = static_cast<std::size_t>(std::max(0.0, room));
        for (std::size_t k = 0; k < index.size(); ++k) {
            Candidate& c = all_[index[k]];
            c.assisted = k < places;
            if (!c.assisted)
                c.accepted = type == AgentType::repatriate && c.accept < keep_unassisted_[c.group];
        }
    }

    /// Region weights for each (type, ethnicity) at the start of this step:
    /// attractiveness x (1 + pull x the region's share of the same ethnicity).
    void region_weights() {
        const double year = fractional_year(day0_);
        region_cdf_.assign(static_cast<std::size_t>(kAgentTypes * kEthnicities * regions_), 0);
        for (int e = 0; e < kEthnicities; ++e) {
            double total = 0;
            for (int r = 0; r < regions_; ++r)
                total += sc_.regions[r].diaspora[e] + stock_eth_[e * regions_ + r] * opt_.scale;
            for (int t = 0; t < kAgentTypes; ++t) {
                double cumulative = 0;
                for (int r = 0; r < regions_; ++r) {
                    const double people =
                        sc_.regions[r].diaspora[e] + stock_eth_[e * regions_ + r] * opt_.scale;
                    const double share = total > 0 ? people / total : 0;
                    cumulative += sc_.regions[r].attractiveness[t].at(year) *
                                  (1 + p_[Param::network_region_pull] * share);
                    region_cdf_[static_cast<std::size_t>((t * kEthnicities + e) * regions_ + r)] =
                        cumulative;
                }
            }
        }
    }

    int choose_region(AgentType t, Ethnicity e, double u) const {
        const auto first = region_cdf_.begin() + (index(t) * kEthnicities + index(e)) * regions_;
        const auto last = first + regions_;
        const double x = u * *(last - 1);
        const auto it = std::upper_bound(first, last, x);
        return static_cast<int>(std::min<std::ptrdiff_t>(it - first, regions_ - 1));
    }

    /// Accepted candidates cross in candidate order (group, then position),
    /// because crossing capacity couples them; then each arrival settles.
    void enter() {
        region_weights();
        const bool visa_free_1992 = state_.visa_free && year_ == 1992;
        std::uint32_t stream_group = UINT32_MAX;
        RandomStream crossing_rng(opt_.seed, 0, 0, Stream::crossing);
        std::vector<std::uint64_t> leaving_idle;
        // The idle traders who set out are scattered over long idle lists:
        // prefetch their entries first, so that the loads overlap.
        for (const Candidate& c : all_)
            if (c.accepted && c.position < groups_[c.group].idle.size())
                __builtin_prefetch(&groups_[c.group].idle[c.position]);
        for (std::size_t i = 0; i < all_.size(); ++i) {
            Candidate& c = all_[i];
            if (!c.accepted) continue;
            Group& g = groups_[c.group];
            if (c.group != stream_group) {
                remove_idle(stream_group, leaving_idle);
                stream_group = c.group;
                crossing_rng = RandomStream(opt_.seed, c.group, static_cast<std::uint32_t>(step_),
                                            Stream::crossing);
            }
            const bool from_idle = c.position < g.idle.size();
            // A new head may already have left as a member of an earlier household.
            if (!from_idle && g.unmaterialised == 0) continue;
            // Household members who join the head come from the not-yet-created pool.
            const std::uint64_t members =
                from_idle ? 1 + std::min<std::uint64_t>(c.household - 1, g.unmaterialised)
                          : std::min<std::uint64_t>(c.household, g.unmaterialised);
            const int crossing =
                choose_crossing(g.origin, crossing_rng.uniform(), static_cast<double>(members));
            if (crossing < 0) continue; // no open crossing with room: stays home
            capacity_left_[crossing] -= static_cast<double>(members);
            std::uint32_t head;
            if (from_idle) {
                head = agents_.add_person(g.idle[c.position], g.type, g.ethnicity,
                                          static_cast<std::uint16_t>(c.group));
                leaving_idle.push_back(c.position);
            } else {
                head = new_agent(g, c.group);
            }
            // A household settles in the region its head chose.
            RandomStream head_rng = arrival_stream(head);
            const int region = choose_region(g.type, g.ethnicity, head_rng.uniform());
            arrive(head, crossing, region, visa_free_1992, head_rng);
            for (std::uint64_t m = 1; m < members; ++m) {
                const std::uint32_t member = new_agent(g, c.group);
                RandomStream member_rng = arrival_stream(member);
                arrive(member, crossing, region, visa_free_1992, member_rng);
            }
            if (g.type == AgentType::labourer) labour_used_ += 1;
            if (g.type == AgentType::repatriate && c.assisted) {
                repatriate_used_ += 1;
                this_year().repatriate_households_assisted += opt_.scale;
            }
        }
        remove_idle(stream_group, leaving_idle);
    }

    std::uint32_t new_agent(Group& g, std::uint32_t group_index) {
        g.unmaterialised -= 1;
        return agents_.add(g.type, g.ethnicity, static_cast<std::uint16_t>(group_index));
    }

    /// Removes the given idle positions (ascending) by swap-and-pop from the back.
    void remove_idle(std::uint32_t group, std::vector<std::uint64_t>& positions) {
        if (group == UINT32_MAX) return;
        auto& idle = groups_[group].idle;
        for (auto it = positions.rbegin(); it != positions.rend(); ++it) {
            idle[*it] = idle.back();
            idle.pop_back();
        }
        positions.clear();
    }

    RandomStream arrival_stream(std::uint32_t id) const {
        return RandomStream(opt_.seed, agents_[id].person, static_cast<std::uint32_t>(step_),
                            Stream::arrival);
    }

    void arrive(std::uint32_t id, int crossing, int region, bool visa_free_1992,
                RandomStream& rng) {
        const auto type = static_cast<AgentType>(agents_[id].type);
        const Group& g = groups_[agents_[id].group];
        agents_[id].region = static_cast<std::uint8_t>(region);
        change_stock(id, +1);
        flow(index(type), crossing, Direction::entry) += 1;
        YearCounters& y = this_year();
        y.entries[index(type)] += opt_.scale;
        if (type == AgentType::repatriate && agents_[id].ethnicity == index(Ethnicity::kazakh))
            daily_kazakh_repatriates_[static_cast<std::size_t>(step_)] += 1;
        log(id, EventKind::entry, day0_, crossing, place_of_origin(g.origin),
            place_of_region(region));
        // Traders and visitors need a visa unless entry is visa-free (visitors
        // passing through never do); labourers and repatriates hold one; transit
        // migrants come only while entry is visa-free.
        bool without_visa = false;
        switch (type) {
        case AgentType::trader:
            without_visa = state_.visa_free;
            set_plan(id, Plan::stay_end,
                     after(p_[Param::trader_stay_median], p_[Param::trader_stay_sigma], rng), rng);
            break;
        case AgentType::visitor: {
            const int purpose = draw_purpose(rng);
            y.entries_by_purpose[purpose] += opt_.scale;
            without_visa =
                state_.visa_free || purpose == static_cast<int>(Purpose::transit_through);
            set_plan(id, Plan::stay_end,
                     after(p_[Param::visitor_stay_median], p_[Param::visitor_stay_sigma], rng),
                     rng);
            break;
        }
        case AgentType::labourer:
            y.labour_admitted += opt_.scale;
            set_plan(
                id, Plan::contract_end,
                after(p_[Param::labourer_contract_median], p_[Param::labourer_contract_sigma], rng),
                rng);
            break;
        case AgentType::repatriate:
            set_plan(id, Plan::naturalise,
                     after(p_[Param::repatriate_naturalisation_median],
                           p_[Param::repatriate_naturalisation_sigma], rng),
                     rng);
            break;
        case AgentType::transit:
            without_visa = true;
            set_plan(id, Plan::transit_end,
                     after(p_[Param::transit_stay_median], p_[Param::transit_stay_sigma], rng),
                     rng);
            break;
        }
        // Entered without a visa while entry was visa-free in 1992 (nonreturn_per_day_1992).
        if (visa_free_1992 && without_visa) {
            agents_[id].flags |= kEnteredVisaFree1992;
            entered_visa_free_1992_ += 1;
        }
    }

    int draw_purpose(RandomStream& rng) const {
        const double w[kPurposes] = {
            p_[Param::visitor_share_business], p_[Param::visitor_share_private],
            p_[Param::visitor_share_tourism], p_[Param::visitor_share_transit]};
        const double total = w[0] + w[1] + w[2] + w[3];
        double x = rng.uniform() * total;
        for (int k = 0; k < kPurposes - 1; ++k) {
            if (x < w[k]) return k;
            x -= w[k];
        }
        return kPurposes - 1;
    }

    // ---- recording -------------------------------------------------------------

    void record_step() {
        const auto s = static_cast<std::size_t>(step_);
        std::copy(stock_.begin(), stock_.end(), daily_stock_.begin() + s * stock_.size());
        std::copy(stock_eth_.begin(), stock_eth_.end(),
                  daily_stock_eth_.begin() + s * stock_eth_.size());
        std::array<double, kStatuses> population{};
        for (const auto& g : groups_)
            population[0] += static_cast<double>(g.unmaterialised + g.idle.size());
        double in_kz = 0;
        for (const int x : stock_)
            in_kz += x;
        population[1] = in_kz;
        population[2] = left_onward_;
        population[3] = naturalised_;
        std::copy(population.begin(), population.end(), daily_population_.begin() + s * kStatuses);
        daily_pool_[s] = pool_total_;
        person_days_ += in_kz * (day_end_ - day0_);
    }

    RunResult collect() {
        RunResult r;
        const auto T = static_cast<std::size_t>(steps_);
        Coordinate time{"time", "start of the simulation step", "days since 1990-01-01", {}, {}};
        for (int s = 0; s < steps_; ++s)
            time.values.push_back(sc_.start_day + s * sc_.step_days);
        Coordinate year{"year", "calendar year", "year", {}, {}};
        for (int y = first_year_; y <= last_year_; ++y)
            year.values.push_back(y);
        auto labels = [](const std::string& name, const std::string& long_name, auto&& names) {
            Coordinate c{name, long_name, "", {}, {}};
            for (const auto& n : names)
                c.labels.emplace_back(n);
            return c;
        };
        std::vector<std::string> regions, crossings, origins, places;
        for (const auto& o : sc_.origins)
            origins.push_back(o.id);
        for (const auto& c : sc_.crossings)
            crossings.push_back(c.id);
        for (const auto& g : sc_.regions)
            regions.push_back(g.id);
        places = origins;
        places.insert(places.end(), crossings.begin(), crossings.end());
        places.insert(places.end(), regions.begin(), regions.end());
        places.push_back(sc_.onward_destination);
        r.coordinates = {
            time,
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

        const double k = opt_.scale;
        auto persons = [k](std::vector<double> v) {
            for (auto& x : v)
                x *= k;
            return v;
        };
        auto& vars = r.variables;
        vars.push_back(
            {"daily",
             "stock",
             {"time", "agent_type", "region"},
             "persons",
             "people from China present in Kazakhstan (not naturalised) at the end of the step",
             persons(daily_stock_)});
        vars.push_back(
            {"daily",
             "stock_by_ethnicity",
             {"time", "ethnicity", "region"},
             "persons",
             "people from China present in Kazakhstan by ethnicity at the end of the step",
             persons(daily_stock_eth_)});
        vars.push_back({"daily",
                        "flow",
                        {"time", "agent_type", "crossing", "direction"},
                        "persons",
                        "border crossings of people from China during the step",
                        persons(daily_flow_)});
        vars.push_back({"daily",
                        "onward_exit",
                        {"time", "agent_type"},
                        "persons",
                        "departures from Kazakhstan to Russia/Europe during the step",
                        persons(daily_onward_)});
        vars.push_back({"daily",
                        "population",
                        {"time", "status"},
                        "persons",
                        "members of the pools by status at the end of the step",
                        persons(daily_population_)});
        vars.push_back({"daily",
                        "pool_created",
                        {"time"},
                        "persons",
                        "people ever added to the pools of potential movers",
                        persons(daily_pool_)});

        auto yearly = [&](auto field, std::size_t width) {
            std::vector<double> v;
            for (const auto& y : yearly_) {
                const auto row = field(y);
                v.insert(v.end(), row.begin(), row.begin() + static_cast<std::ptrdiff_t>(width));
            }
            return v;
        };
        auto one = [](double x) { return std::array<double, 1>{x}; };
        vars.push_back({"yearly",
                        "entries",
                        {"year", "agent_type"},
                        "persons",
                        "entries of Chinese citizens into Kazakhstan in the year",
                        yearly([](const YearCounters& y) { return y.entries; }, kAgentTypes)});
        vars.push_back(
            {"yearly",
             "entries_by_purpose",
             {"year", "purpose"},
             "persons",
             "visitors' entries in the year by purpose",
             yearly([](const YearCounters& y) { return y.entries_by_purpose; }, kPurposes)});
        vars.push_back(
            {"yearly",
             "labour_admitted",
             {"year"},
             "persons",
             "Chinese workers admitted under the labour quota in the year (entries and renewals)",
             yearly([&](const YearCounters& y) { return one(y.labour_admitted); }, 1)});
        vars.push_back({"yearly",
                        "labour_cap_cn",
                        {"year"},
                        "persons",
                        "places of the year's labour quota open to Chinese workers",
                        yearly([&](const YearCounters& y) { return one(y.labour_cap * k); }, 1)});
        vars.push_back(
            {"yearly",
             "repatriate_households_assisted",
             {"year"},
             "households",
             "repatriate households from China holding a quota place",
             yearly([&](const YearCounters& y) { return one(y.repatriate_households_assisted); },
                    1)});
        vars.push_back(
            {"yearly",
             "repatriate_household_cap",
             {"year"},
             "households",
             "quota places (families) open to households from China",
             yearly([&](const YearCounters& y) { return one(y.repatriate_household_cap * k); },
                    1)});
        vars.push_back(
            {"yearly",
             "naturalisations",
             {"year", "ethnicity"},
             "persons",
             "people from China granted citizenship of Kazakhstan in the year",
             yearly([](const YearCounters& y) { return y.naturalisations; }, kEthnicities)});
        vars.push_back({"yearly",
                        "marriages",
                        {"year"},
                        "persons",
                        "marriages of Chinese citizens with citizens of Kazakhstan in the year",
                        yearly([&](const YearCounters& y) { return one(y.marriages); }, 1)});
        vars.push_back({"yearly",
                        "events",
                        {"year", "event_kind"},
                        "persons",
                        "agent events in the year by kind",
                        yearly([](const YearCounters& y) { return y.events; }, kEventKinds)});

        add_observables(r);
        r.counters.events = events_;
        r.counters.agents = agents_.people;
        r.counters.person_days_away = person_days_ * k;
        (void)T;
        return r;
    }

    // ---- observables: the model's side of each official figure ------------------

    bool covers(int first_day, int last_day) const {
        return first_day >= sc_.start_day && last_day <= sc_.end_day;
    }
    const YearCounters* year_counters(int year) const {
        if (year < first_year_ || year > last_year_) return nullptr;
        if (!covers(day_number({year, 1, 1}), day_number({year, 12, 31}))) return nullptr;
        return &yearly_[static_cast<std::size_t>(year - first_year_)];
    }
    /// Steps whose start day lies in [first, last].
    template <typename F> double sum_steps(int first, int last, F per_step) const {
        double total = 0;
        for (int s = 0; s < steps_; ++s) {
            const int d = sc_.start_day + s * sc_.step_days;
            if (d >= first && d <= last) total += per_step(static_cast<std::size_t>(s));
        }
        return total;
    }
    int step_of(int day) const {
        return (day - sc_.start_day) / sc_.step_days;
    }

    void add_observables(RunResult& r) const {
        const double k = opt_.scale;
        auto add = [&](const std::string& id, const std::string& period, double value,
                       const std::string& units, const std::string& definition) {
            r.observables.push_back({id, period, value, units, definition});
        };
        for (int year : {2000, 2005, 2010, 2014})
            if (const auto* y = year_counters(year))
                add("nsc_visitors_cn", std::to_string(year),
                    std::accumulate(y->entries.begin(), y->entries.end(), 0.0), "persons",
                    "entries of Chinese citizens (all purposes) recorded in the year");
        for (int year : {1993, 2004, 2006, 2010})
            if (const auto* y = year_counters(year))
                add("labour_quota_cn", std::to_string(year), y->labour_admitted, "persons",
                    "Chinese workers admitted under the quota in the year");
        if (const auto* y = year_counters(2010))
            if (!sc_.foreign_quota_workers.empty())
                add("labour_share_cn", "2010",
                    y->labour_admitted / sc_.foreign_quota_workers.at(2010.5), "1",
                    "Chinese quota workers / all foreign quota workers (scenario series) in the "
                    "year");
        if (year_counters(1992) && visa_free_days_1992_ > 0)
            add("nonreturn_per_day_1992", "1992",
                (entered_visa_free_1992_ - returned_visa_free_1992_) * k / visa_free_days_1992_,
                "persons/day",
                "entrants of 1992 under the visa-free regime who never went back to China, per "
                "visa-free day");
        const int nat_first = day_number({1995, 1, 1}), nat_last = day_number({2014, 12, 31});
        if (covers(nat_first, nat_last)) {
            std::array<double, kEthnicities> by{};
            for (int year = 1995; year <= 2014; ++year)
                for (int e = 0; e < kEthnicities; ++e)
                    by[e] += yearly_[year - first_year_].naturalisations[e];
            const std::string period = "1995-01-01/2014-12-31";
            const double total = std::accumulate(by.begin(), by.end(), 0.0);
            add("citizenship_cn", period, total, "persons", "naturalisations of people from China");
            add("citizenship_cn_kazakh", period, by[index(Ethnicity::kazakh)], "persons",
                "naturalisations of ethnic Kazakhs from China");
            add("citizenship_cn_han", period, by[index(Ethnicity::han)], "persons",
                "naturalisations of Han Chinese from China");
            add("citizenship_cn_other", period,
                total - by[index(Ethnicity::kazakh)] - by[index(Ethnicity::han)], "persons",
                "naturalisations of people from China of other ethnicities");
        }
        const int rep_first = day_number({1991, 1, 1}), rep_last = day_number({2019, 9, 30});
        if (covers(rep_first, rep_last)) {
            const double arrivals = sum_steps(
                rep_first, rep_last, [&](std::size_t s) { return daily_kazakh_repatriates_[s]; });
            add("repatriates_cn", "1991-01-01/2019-09-30", arrivals * k, "persons",
                "ethnic Kazakh repatriates arriving from China");
        }
        if (covers(day_number({1991, 1, 1}), day_number({2007, 12, 31}))) {
            double n = 0;
            for (int year = 1991; year <= 2007; ++year)
                n += yearly_[year - first_year_].marriages;
            add("marriages_cn", "1991-01-01/2007-12-31", n, "persons",
                "marriages of Chinese citizens with citizens of Kazakhstan");
        }
        // Context figures (not fitted by default).
        auto stock_on = [&](int day) {
            const auto s = static_cast<std::size_t>(step_of(day));
            double n = 0;
            for (std::size_t i = 0; i < stock_.size(); ++i)
                n += daily_stock_[s * stock_.size() + i];
            return n * k;
        };
        for (const Date d : {Date{2000, 12, 31}, Date{2009, 12, 31}})
            if (covers(day_number(d), day_number(d)))
                add("cn_present_stock", to_string(d), stock_on(day_number(d)), "persons",
                    "Chinese citizens from China present in Kazakhstan on the day");
        const Date end{2021, 12, 31};
        if (covers(day_number(end), day_number(end))) {
            const auto s = static_cast<std::size_t>(step_of(day_number(end)));
            double han = 0, urban = 0;
            for (int g = 0; g < regions_; ++g) {
                const double n =
                    daily_stock_eth_[(s * kEthnicities + index(Ethnicity::han)) * regions_ + g];
                han += n;
                urban += n * sc_.regions[g].urban_share;
            }
            add("han_stock", to_string(end), han * k, "persons",
                "Han Chinese from China present in Kazakhstan on the day");
            if (han > 0)
                add("han_urban_share", to_string(end), urban / han, "1",
                    "share of Han Chinese present who live in cities (regions' urban shares)");
        }
    }

    const Scenario& sc_;
    const RunOptions opt_;
    const Parameters& p_;
    PolicyState state_;
    const std::vector<int> next_open_;

    int steps_ = 0, first_year_ = 0, last_year_ = 0, years_ = 0, regions_ = 0, crossings_ = 0;
    int step_ = 0, day0_ = 0, day_end_ = 0, year_ = 0; ///< the current step and its calendar year

    Agents agents_;
    std::vector<Group> groups_;
    std::vector<std::vector<Candidate>> candidates_;
    std::vector<Candidate> all_;
    std::vector<double> probability_, keep_unassisted_;
    std::vector<double> region_cdf_;
    std::vector<std::vector<std::uint32_t>> buckets_;
    std::vector<std::pair<std::uint16_t, std::uint32_t>> returners_;
    std::vector<std::uint32_t>
        finished_; ///< slots of agents with no further event, freed after the step
    std::vector<AgentEvent> log_;

    double labour_cap_ = 0, labour_used_ = 0, repatriate_cap_ = 0, repatriate_used_ = 0;
    std::vector<double> capacity_left_, capacity_fraction_;
    double labour_rounding_ = 0, repatriate_rounding_ = 0; ///< this year's quota rounding draws
    std::vector<int> stock_, stock_eth_;
    double left_onward_ = 0, naturalised_ = 0, pool_total_ = 0;
    double visa_free_days_1992_ = 0, entered_visa_free_1992_ = 0, returned_visa_free_1992_ = 0;
    double person_days_ = 0;
    std::uint64_t events_ = 0;

    std::vector<YearCounters> yearly_;
    std::vector<double> daily_stock_, daily_stock_eth_, daily_flow_, daily_onward_,
        daily_population_, daily_pool_, daily_kazakh_repatriates_;
};

} // namespace

std::uint64_t memory_bound_bytes(const Scenario& scenario, double scale) {
    double persons = 0;
    for (const auto& pool : scenario.pools)
        persons += *std::max_element(pool.size.values.begin(), pool.size.values.end());
    persons *= scenario.parameters[Param::pool_size_factor];
    // A record, a slot in a schedule bucket and in an idle list per person (a bound).
    const double agents = persons / scale * (sizeof(Agent) + 2 * sizeof(std::uint32_t));
    const double steps = (scenario.end_day - scenario.start_day) / scenario.step_days + 1.0;
    const double cells = static_cast<double>(kAgentTypes + kEthnicities) * scenario.regions.size() +
                         kAgentTypes * (2.0 * scenario.crossings.size() + 1) + kStatuses + 1;
    const double series = steps * cells * sizeof(double) * 2; // counted, then copied out
    return static_cast<std::uint64_t>(std::min(agents + series, 1.8e19));
}

RunResult simulate(const Scenario& scenario, const RunOptions& options) {
    if (!valid_scale(options.scale))
        throw InputError("", 0, 0, "--scale",
                         "must be a number from 1 to 1e6, got " + std::to_string(options.scale));
    if (options.threads < 1 || options.threads > 1024)
        throw InputError("", 0, 0, "--threads", "must be from 1 to 1024");
    return Engine(scenario, options).run();
}

} // namespace khorgos
