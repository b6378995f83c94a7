#include "sim/engine.hpp"

#include "sim/engine_internal.hpp"
#include "sim/errors.hpp"
#include "sim/observables.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <utility>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace khorgos {

double daily_hazard(const Scenario& scenario, AgentType type) {
    const int first_year = year_of(scenario.start_day);
    double persons = 0;
    for (const Pool& pool : scenario.pools)
        if (pool.type == type) persons += pool.size.at(first_year);
    if (persons <= 0) return 0;
    return scenario.parameters[rules(type).set_outs] / (365.25 * persons);
}

bool valid_scale(double scale) {
    return std::isfinite(scale) && scale >= 1 && scale <= 1e6;
}

namespace {
int steps_of(const Scenario& s) {
    return (s.end_day - s.start_day) / s.step_days + 1;
}
} // namespace

Engine::Engine(const Scenario& scenario, const RunOptions& options)
    : sc_(scenario), opt_(options), p_(scenario.parameters), steps_(steps_of(scenario)),
      first_year_(year_of(scenario.start_day)), regions_(static_cast<int>(scenario.regions.size())),
      crossings_(static_cast<int>(scenario.crossings.size())),
      policy_(scenario, options.seed, options.scale),
      schedule_(scenario.start_day, scenario.end_day, scenario.step_days),
      status_queue_(scenario.start_day, scenario.end_day, scenario.step_days),
      tally_(static_cast<std::size_t>(steps_),
             static_cast<std::size_t>(year_of(scenario.end_day) - first_year_ + 1),
             scenario.regions.size(), scenario.crossings.size()),
      team_(options.threads), serial_(scenario.regions.size(), scenario.crossings.size()) {
    tally_.cohort_year = kVisaFreeCohortYear;
    for (int t = 0; t < kAgentTypes; ++t)
        base_hazard_[t] = daily_hazard(sc_, static_cast<AgentType>(t));
    // Marriage: rate x (mixed + (1 - mixed) x P / (P + half)), P the community
    // of the same ethnicity in Kazakhstan, the pool of partners.
    const double mixed = p_[Param::marriage_mixed_share];
    for (int e = 0; e < kEthnicities; ++e) {
        const double pool = sc_.partner_pool[e];
        marriage_rate_[e] = p_[Param::marriage_rate] / 365.25 *
                            (mixed + (1 - mixed) * pool / (pool + p_[Param::marriage_pool_half]));
    }
    for (int p = 0; p < static_cast<int>(sc_.pools.size()); ++p)
        for (int e = 0; e < kEthnicities; ++e)
            if (sc_.pools[p].ethnicity[e] > 0) {
                Group g;
                g.type = sc_.pools[p].type;
                g.origin = sc_.pools[p].origin;
                g.ethnicity = static_cast<Ethnicity>(e);
                g.pool = p;
                groups_.push_back(std::move(g));
            }
    departing_.resize(groups_.size());
    for (const Driver& d : sc_.drivers)
        driver_series_.emplace_back(d.series);
    for (int t = 0; t < kAgentTypes; ++t)
        for (const Region& r : sc_.regions)
            attractiveness_series_.emplace_back(r.attractiveness[t]);
}

/// One step, in the order docs/model.md documents.
RunResult Engine::run() {
    const auto started = std::chrono::steady_clock::now();
    for (int s = 0; s < steps_; ++s) {
        step_ = s;
        day0_ = sc_.start_day + s * sc_.step_days;
        day_end_ = std::min(day0_ + sc_.step_days, sc_.end_day + 1);
        if (s == 0 || day0_ >= next_year_day_) { // a new calendar year: pools grow, quotas restart
            year_ = year_of(day0_);
            year_start_day_ = day_number(Date{year_, 1, 1});
            next_year_day_ = day_number(Date{year_ + 1, 1, 1});
            policy_.start_year(year_);
            grow_pools(year_);
        }
        year_fraction_ = year_ + (day0_ - year_start_day_) / 365.25;
        policy_.start_step(day0_, day_end_, this_year()); // events, then caps and capacities
        reunification_rates();                            // from the settled at the step's start
        process_due_events();                             // ends of plans, competing events
        departures();                                     // who sets out, admission, arrival
        settle_returners(); // who came home may set out again from the next step
        record_step();
        take_census();
        parallel_steps_ += parallel_step_;
        parallel_step_ = false;
        if (opt_.events && !log_.empty()) {
            opt_.events->record(log_.data(), log_.size());
            log_.clear();
        }
        const bool year_ends = s + 1 == steps_ || day_end_ >= next_year_day_;
        if (year_ends && opt_.after_year &&
            !opt_.after_year(observables(sc_, tally_, opt_.scale, day_end_ - 1)))
            break;
    }
    RunCounters counters;
    counters.events = tally_.events;
    counters.agents = people_;
    counters.person_days_away = tally_.person_days * opt_.scale;
    counters.parallel_steps = parallel_steps_;
    RunResult result = results(sc_, std::move(tally_), opt_.scale, counters, opt_.series);
    result.counters.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

/// Pools grow once a year by the increase of their size series.
void Engine::grow_pools(int year) {
    for (auto& g : groups_) {
        const Pool& pool = sc_.pools[static_cast<std::size_t>(g.pool)];
        const double share = pool.ethnicity[index(g.ethnicity)] * p_[Param::pool_size_factor];
        const double now = pool.size.at(year) * share;
        const double before = day0_ == sc_.start_day ? 0 : pool.size.at(year - 1) * share;
        const double add = std::max(0.0, now - before) / opt_.scale + g.carry;
        const auto whole = static_cast<std::uint64_t>(std::floor(add));
        g.carry = add - static_cast<double>(whole);
        g.unmaterialised += whole;
        tally_.pool_created += static_cast<double>(whole);
    }
}

/// Appends a chunk's output to the step: tallies, then the agents it
/// scheduled, its log rows and who went home, in its order (the persons it
/// granted status: remember_grants).
void Engine::merge(StepOutput& out) {
    out.merge_tallies(tally_, static_cast<std::size_t>(step_), this_year());
    for (const Scheduled& s : out.scheduled)
        schedule_.add(s.agent, s.day, day_end_);
    out.scheduled.clear();
    log_.insert(log_.end(), out.log.begin(), out.log.end());
    out.log.clear();
    returners_.insert(returners_.end(), out.returners.begin(), out.returners.end());
    out.returners.clear();
}

/// Remembers the persons granted status in a chunk's output, for their next stay.
void Engine::remember_grants(StepOutput& out) {
    for (const std::uint32_t person : out.granted) {
        if (person >= status_granted_.size()) status_granted_.resize(people_, false);
        status_granted_[person] = true;
    }
    out.granted.clear();
}

/// People who came home rejoin their group (a trader as an idle person id,
/// anyone else in the count).
void Engine::settle_returners() {
    for (const Returner& r : returners_) {
        if (r.idle)
            groups_[r.group].idle.push_back(r.person);
        else
            groups_[r.group].unmaterialised += 1;
    }
    returners_.clear();
}

void Engine::record_step() {
    const auto s = static_cast<std::size_t>(step_);
    std::copy(tally_.stock.values().begin(), tally_.stock.values().end(),
              tally_.daily_stock.slice(s));
    std::copy(tally_.stock_by_ethnicity.values().begin(), tally_.stock_by_ethnicity.values().end(),
              tally_.daily_stock_by_ethnicity.slice(s));
    // Counted as integers and converted once (the same values: the counts
    // are exact in a double), not a conversion per term.
    std::uint64_t at_origin = 0;
    for (const auto& g : groups_)
        at_origin += g.unmaterialised + g.idle.size();
    std::int64_t present = 0;
    for (const int x : tally_.stock.values())
        present += x;
    const auto in_kz = static_cast<double>(present);
    tally_.daily_population(s, Status::at_origin) = static_cast<double>(at_origin);
    tally_.daily_population(s, Status::in_kazakhstan) = in_kz;
    tally_.daily_population(s, Status::left_onward) = tally_.left_onward;
    tally_.daily_population(s, Status::naturalised) = tally_.naturalised;
    tally_.daily_pool(s) = tally_.pool_created;
    tally_.daily_permits_valid(s) = tally_.permits_valid;
    tally_.person_days += in_kz * (day_end_ - day0_);
}

std::uint64_t memory_bound_bytes(const Scenario& scenario, double scale) {
    double persons = 0;
    for (const auto& pool : scenario.pools)
        persons += *std::max_element(pool.size.values.begin(), pool.size.values.end());
    persons *= scenario.parameters[Param::pool_size_factor];
    // A record in a schedule bucket (twice: a bucket's growth), an idle list
    // entry, and a status bit per person (a bound: a byte).
    const double agents = persons / scale * (2 * sizeof(Agent) + sizeof(std::uint32_t) + 1);
    const double steps = steps_of(scenario);
    const double cells = static_cast<double>(kAgentTypes + kEthnicities) * scenario.regions.size() +
                         kAgentTypes * (2.0 * scenario.crossings.size() + 1) + kStatuses + 3;
    const double series = steps * cells * sizeof(double); // counted, then handed to the output
    return static_cast<std::uint64_t>(std::min(agents + series, 1.8e19));
}

namespace {
/// A run frees a spent schedule bucket every step and grows new ones, tens
/// of kilobytes each. With glibc's defaults that memory goes back to the
/// kernel (heap trimming, and mmap for blocks over a threshold that starts
/// at 128 KiB) and is faulted in again, a fault per page: about a tenth of a
/// scale-1 run's time on a virtual machine. Kept in the heap, it is reused.
/// Once per process; it changes no result. (Setting either threshold stops
/// glibc's own raising of the mmap threshold, so both are set; 32 MiB is
/// the largest mmap threshold glibc accepts on 64-bit systems.)
void keep_freed_memory() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        // A refusal costs only speed: the defaults then stay as they were.
        if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1) mallopt(M_TRIM_THRESHOLD, 256 << 20);
    });
#endif
}
} // namespace

RunResult simulate(const Scenario& scenario, const RunOptions& options) {
    if (!valid_scale(options.scale))
        throw InputError("", 0, 0, "--scale",
                         "must be a number from 1 to 1e6, got " + std::to_string(options.scale));
    if (options.threads < 1 || options.threads > 1024)
        throw InputError("", 0, 0, "--threads", "must be from 1 to 1024");
    keep_freed_memory();
    return Engine(scenario, options).run();
}

} // namespace khorgos
