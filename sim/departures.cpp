// Departures from the origins: who sets out this step (geometric skips over
// each origin group, one stream per group), admission under the quotas
// (life_cycle.cpp), and the crossing and region of each arrival.
#include "sim/engine_internal.hpp"
#include "sim/errors.hpp"

#include <algorithm>
#include <cmath>

namespace khorgos {

namespace {
constexpr double kParallelDraws = 4096; ///< expected departures per step worth a parallel region
} // namespace

/// Same-ethnicity network factor: 1 + strength x S / (S + half saturation),
/// S the persons of the ethnicity from China in Kazakhstan: present, and
/// settled (naturalised) relatives (settlement.cpp).
double Engine::network(Ethnicity e) const {
    const double present = settled_and_present(e);
    return 1 +
           p_[Param::network_strength] * present / (present + p_[Param::network_half_saturation]);
}

/// The type's driver series to the power of its elasticity (1 without a driver).
double Engine::driver(AgentType t, double year) {
    const int d = sc_.driver_of_type[index(t)];
    if (d < 0) return 1;
    return std::pow(driver_series_[static_cast<std::size_t>(d)].at(year),
                    p_[rules(t).driver_elasticity]);
}

void Engine::departures() {
    const double year = year_fraction_;
    const double len = day_end_ - day0_;
    const int n_groups = static_cast<int>(groups_.size());
    drawing_.clear();
    rate_.resize(groups_.size());
    repeat_rate_.resize(groups_.size());
    // Only a team decides by it whether to share the draws.
    const bool team = team_.size() > 1;
    double expected_draws = 0;
    // Once per step, not per group: pow and the network sums are the
    // step's fixed cost, which dominates at coarse scales.
    std::array<double, kAgentTypes> drivers;
    for (int t = 0; t < kAgentTypes; ++t)
        drivers[t] = driver(static_cast<AgentType>(t), year);
    // Only an event changes who is present or settled (StepOutput::merge_tallies).
    if (tally_.events != network_events_) {
        network_events_ = tally_.events;
        for (int e = 0; e < kEthnicities; ++e)
            networks_[e] = network(static_cast<Ethnicity>(e));
    }
    const std::array<double, kEthnicities>& networks = networks_;
    std::array<double, kAgentTypes> by_type, gates;
    for (int t = 0; t < kAgentTypes; ++t) {
        by_type[t] = hazard(static_cast<AgentType>(t), drivers[t]);
        gates[t] = policy_gate(static_cast<AgentType>(t));
    }
    // Reaching an open crossing: a closure deters as well as diverts.
    // Access changes only when the timeline opens or closes crossings: pow
    // once per change, not per step.
    reach_.resize(sc_.origins.size());
    reach_access_.resize(sc_.origins.size(), -1);
    for (std::size_t o = 0; o < reach_.size(); ++o) {
        const double access = policy_.access(static_cast<int>(o));
        if (access == reach_access_[o]) continue;
        reach_access_[o] = access;
        reach_[o] = std::pow(access, p_[Param::crossing_logsum]);
    }
    // China's exit regime lets through a share of each ethnicity's departures.
    const auto& exit = policy_.state().exit_level;
    for (int g = 0; g < n_groups; ++g) {
        const auto e = static_cast<std::size_t>(index(groups_[g].ethnicity));
        const double h = by_type[index(groups_[g].type)] * networks[e] * exit[e] *
                         reach_[static_cast<std::size_t>(groups_[g].origin)];
        rate_[g] = h * len;
        const Param repeat = rules(groups_[g].type).repeat;
        // Without a repeat hazard, the idle set out at the type's own rate.
        repeat_rate_[g] = repeat == kNoParam
                              ? rate_[g]
                              : 1 / p_[repeat] * gates[index(groups_[g].type)] * networks[e] *
                                    exit[e] * reach_[static_cast<std::size_t>(groups_[g].origin)] *
                                    len;
        if (team) {
            expected_draws += rate_[g] * static_cast<double>(groups_[g].unmaterialised);
            expected_draws += repeat_rate_[g] * static_cast<double>(groups_[g].idle.size());
        }
        // Most groups at coarse scales: nobody sets out, and the exposure is
        // used up here, without a stream or a call of draw below.
        const bool idle = !groups_[g].repeats.quiet(groups_[g].idle.size(), repeat_rate_[g]);
        const bool fresh = !groups_[g].departures.quiet(groups_[g].unmaterialised, rate_[g]);
        if (idle || fresh) drawing_.push_back(Drawing{g, idle, fresh});
    }
    // Waking the team costs microseconds: only worth it for many draws.
    const bool parallel = team && expected_draws > kParallelDraws;
    const double household_extra = p_[Param::repatriate_household_size] - 1;

    // Each group's draws use its own stream, so this loop's schedule cannot matter.
    const auto draw = [&](const Drawing& d) {
        const int g = d.group;
        GroupDepartures& out = departing_[g].value;
        // Only this step's drawing groups are read (admission, crossing).
        out.drawn.clear();
        out.quota.clear();
        Group& group = groups_[g];
        const std::uint64_t idle = group.idle.size();
        RandomStream pick(opt_.seed, static_cast<std::uint32_t>(g),
                          static_cast<std::uint32_t>(step_), Stream::departure);
        RandomStream order(opt_.seed, static_cast<std::uint32_t>(g),
                           static_cast<std::uint32_t>(step_), Stream::priority);
        RandomStream household(opt_.seed, static_cast<std::uint32_t>(g),
                               static_cast<std::uint32_t>(step_), Stream::household);
        RandomStream crossing(opt_.seed, static_cast<std::uint32_t>(g),
                              static_cast<std::uint32_t>(step_), Stream::crossing);
        const bool quota = rules(group.type).quota;
        const auto candidate = [&](std::uint64_t position) {
            Candidate c{position, crossing.uniform(), static_cast<std::uint32_t>(g), 1};
            if (quota) {
                QuotaDraw& q = out.quota.emplace_back();
                q.priority = order.uniform();
                q.accept = order.uniform();
            }
            if (group.type == AgentType::repatriate)
                c.household = 1 + household.poisson(household_extra);
            out.drawn.push_back(c);
        };
        // The idle (positions below idle) and the rest draw on their own clocks.
        if (d.idle) group.repeats.select(idle, repeat_rate_[g], pick, candidate);
        if (d.fresh)
            group.departures.select(group.unmaterialised, rate_[g], pick,
                                    [&](std::uint64_t i) { candidate(idle + i); });
    };
    if (parallel) parallel_step_ = true;
    for_each_drawing(parallel, draw);

    // Quotas: candidates compete in random priority order (deterministic given the seed).
    admit_by_quota(AgentType::labourer, policy_.labour_places_left());
    admit_by_quota(AgentType::repatriate, policy_.repatriate_places_left());
    cross(parallel);
}

/// Region weights for each (type, ethnicity) that sets out this step, from
/// the stocks at its start: attractiveness x (1 + pull x the region's share
/// of the same ethnicity: the diaspora, grown by the settled, and the people
/// present). Rows no candidate needs are not computed.
void Engine::region_weights() {
    std::array<bool, kAgentTypes * kEthnicities> needed{};
    for (const Drawing& d : drawing_) {
        const Group& g = groups_[d.group];
        for (const Candidate& c : departing_[d.group].value.drawn)
            if (c.accepted) {
                needed[static_cast<std::size_t>(index(g.type) * kEthnicities +
                                                index(g.ethnicity))] = true;
                break;
            }
    }
    const double year = year_fraction_;
    const auto row = [](int t, int e) { return static_cast<std::size_t>(t * kEthnicities + e); };
    region_cdf_.resize(static_cast<std::size_t>(kAgentTypes * kEthnicities * regions_));
    attractiveness_.resize(static_cast<std::size_t>(kAgentTypes * regions_));
    share_.resize(static_cast<std::size_t>(regions_));
    for (int t = 0; t < kAgentTypes; ++t) {
        bool type_needed = false;
        for (int e = 0; e < kEthnicities; ++e)
            type_needed = type_needed || needed[row(t, e)];
        if (!type_needed) continue;
        for (int r = 0; r < regions_; ++r)
            attractiveness_[t * regions_ + r] = attractiveness_series_[t * regions_ + r].at(year);
    }
    // The shares of an ethnicity once, for every type of it that sets out.
    for (int e = 0; e < kEthnicities; ++e) {
        bool ethnicity_needed = false;
        for (int t = 0; t < kAgentTypes; ++t)
            ethnicity_needed = ethnicity_needed || needed[row(t, e)];
        if (!ethnicity_needed) continue;
        double total = 0;
        for (int r = 0; r < regions_; ++r) {
            share_[r] = diaspora(e, r) + tally_.stock_by_ethnicity(e, r) * opt_.scale;
            total += share_[r];
        }
        for (int r = 0; r < regions_; ++r)
            share_[r] = total > 0 ? share_[r] / total : 0;
        for (int t = 0; t < kAgentTypes; ++t) {
            if (!needed[row(t, e)]) continue;
            double cumulative = 0;
            for (int r = 0; r < regions_; ++r) {
                cumulative += attractiveness_[t * regions_ + r] *
                              (1 + p_[Param::network_region_pull] * share_[r]);
                region_cdf_[row(t, e) * regions_ + r] = cumulative;
            }
        }
    }
}

int Engine::choose_region(AgentType t, Ethnicity e, double u) const {
    const auto first = region_cdf_.begin() + (index(t) * kEthnicities + index(e)) * regions_;
    const auto last = first + regions_;
    const double x = u * *(last - 1);
    const auto it = std::upper_bound(first, last, x);
    return static_cast<int>(std::min<std::ptrdiff_t>(it - first, regions_ - 1));
}

/// Accepted candidates cross in candidate order (group, then position).
/// Without a crossing capacity the groups are independent and cross on the
/// threads that drew them; with one, each takes room from the next, in
/// group order. Then person ids and quota places, in group order, and the
/// households that crossed settle, in chunks.
void Engine::cross(bool parallel) {
    region_weights();
    const bool limited = policy_.capacity_limited();
    for_each_drawing(parallel && !limited, [&](const Drawing& d) { cross(d.group, limited); });

    // Distinct persons, all with ids below 2^32: the sums fit.
    std::uint32_t arrivals = 0, persons = 0;
    for (const Drawing& d : drawing_) {
        GroupDepartures& out = departing_[d.group].value;
        if (out.new_persons > UINT32_MAX - people_)
            throw RuntimeError("more than 4.29 billion agents created: raise --scale");
        out.first_arrival = arrivals;
        out.first_person = persons;
        out.first_new_person = people_;
        arrivals += static_cast<std::uint32_t>(out.crossed.size());
        persons += static_cast<std::uint32_t>(out.persons);
        people_ += static_cast<std::uint32_t>(out.new_persons);
        const AgentType type = groups_[d.group].type;
        if (type == AgentType::labourer) policy_.use_labour_places(out.quota_places);
        if (type == AgentType::repatriate) {
            policy_.use_repatriate_places(out.quota_places);
            for (std::uint32_t h = 0; h < out.quota_places; ++h)
                this_year().repatriate_households_assisted += opt_.scale;
        }
    }
    arrivals_.resize(arrivals);
    arrival_persons_.resize(persons);
    for_each_drawing(parallel, [&](const Drawing& d) { hand_out_persons(d.group); });

    const bool in_cohort = policy_.state().visa_free && year_ == tally_.cohort_year;
    in_chunks(arrivals_.size(), [&](std::size_t begin, std::size_t end, StepOutput& out) {
        for (std::size_t i = begin; i < end; ++i)
            settle(arrivals_[i], in_cohort, out);
    });
}

/// The accepted candidates of one group cross, in order.
void Engine::cross(int group, bool capacity_limited) {
    Group& g = groups_[group];
    GroupDepartures& out = departing_[group].value;
    out.crossed.clear();
    out.new_persons = out.persons = out.quota_places = 0;
    // The idle traders who set out are scattered over long idle lists:
    // prefetch their entries first, so that the loads overlap.
    for (const Candidate& c : out.drawn)
        if (c.accepted && c.position < g.idle.size()) __builtin_prefetch(&g.idle[c.position]);
    for (const Candidate& c : out.drawn)
        if (c.accepted) cross(c, g, capacity_limited, out);
    remove_idle(g, out.leaving_idle);
}

/// An accepted candidate and the household members who join them cross, if
/// an open crossing has room.
void Engine::cross(const Candidate& c, Group& g, bool capacity_limited, GroupDepartures& out) {
    const bool from_idle = c.position < g.idle.size();
    // A new head may already have left as a member of an earlier household.
    if (!from_idle && g.unmaterialised == 0) return;
    // Household members who join the head come from the not-yet-created pool.
    const std::uint64_t members =
        from_idle ? 1 + std::min<std::uint64_t>(c.household - 1, g.unmaterialised)
                  : std::min<std::uint64_t>(c.household, g.unmaterialised);
    const int crossing =
        policy_.choose_crossing(g.origin, c.crossing_u, static_cast<double>(members));
    if (crossing < 0) return; // no open crossing with room: stays home
    // Room is read only while some crossing has a capacity.
    if (capacity_limited) policy_.use_capacity(crossing, static_cast<double>(members));
    // Field by field in place: a braced temporary was stored in parts and
    // copied in one load, a store-forwarding stall of the loop.
    Crossed& crossed = out.crossed.emplace_back();
    crossed.count = static_cast<std::uint32_t>(members);
    crossed.crossing = crossing;
    crossed.from_idle = from_idle;
    if (from_idle) {
        crossed.idle_head = g.idle[c.position];
        out.leaving_idle.push_back(c.position);
    }
    const std::uint64_t created = from_idle ? members - 1 : members;
    g.unmaterialised -= created;
    out.new_persons += created;
    out.persons += members;
    if (g.type == AgentType::labourer || (g.type == AgentType::repatriate && c.assisted))
        out.quota_places += 1;
}

/// Writes a group's crossed households into the step's arrivals, their new
/// persons numbered from the group's first id (in the order they crossed).
void Engine::hand_out_persons(int group) {
    const GroupDepartures& out = departing_[group].value;
    Arrival* arrival = arrivals_.data() + out.first_arrival;
    std::uint32_t* person = arrival_persons_.data() + out.first_person;
    std::uint32_t first = out.first_person, next_new = out.first_new_person;
    for (const Crossed& c : out.crossed) {
        arrival->first = first;
        arrival->count = c.count;
        arrival->crossing = c.crossing;
        arrival->group = static_cast<std::uint32_t>(group);
        ++arrival;
        *person++ = c.from_idle ? c.idle_head : next_new++;
        for (std::uint32_t m = 1; m < c.count; ++m)
            *person++ = next_new++;
        first += c.count;
    }
}

/// Removes the given idle positions (ascending) by swap-and-pop from the back.
void Engine::remove_idle(Group& g, std::vector<std::uint64_t>& positions) {
    auto& idle = g.idle;
    for (auto it = positions.rbegin(); it != positions.rend(); ++it) {
        idle[*it] = idle.back();
        idle.pop_back();
    }
    positions.clear();
}

} // namespace khorgos
