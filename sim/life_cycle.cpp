// Each agent type's life cycle, as agent_types.hpp's table sets it out:
//   set out     hazard(): base hazard x driver x the type's policy gate (the
//               network factor is applied per group in departures.cpp)
//   admission   admit_by_quota(): quota places in random priority order
//   arrival     arrive(): region, stock, the first plan and competing events
//   end of plan process_due_events(): overstay, renewal, onward exit,
//               status application, naturalisation, marriage, regret
//               (status decisions under the quota: settlement.cpp)
//   going home  go_home(): through an open crossing, or wait for one to open
#include "sim/engine_internal.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace khorgos {

namespace {
constexpr int kNever = INT_MAX;
} // namespace

/// Daily hazard of setting out for a type, before the network factor of
/// the member's ethnicity: base hazard x policy gate x driver.
double Engine::hazard(AgentType t, double driver) const {
    return base_hazard_[index(t)] * policy_gate(t) * driver;
}

/// The policy in force as a factor on a type's hazard of setting out.
double Engine::policy_gate(AgentType t) const {
    const TypeRules& r = rules(t);
    const PolicyState& state = policy_.state();
    double policy = 1;
    switch (r.gate) {
    case Gate::trade_regime:
        if (state.visa_free) policy *= p_[Param::policy_visa_free_multiplier];
        if (state.militarised) policy *= p_[Param::policy_militarised_multiplier];
        if (state.business_visas) policy *= p_[Param::policy_business_visa_multiplier];
        if (state.consulate && r.consulate) policy *= p_[Param::policy_consulate_multiplier];
        policy *= trade_regime_events(state);
        break;
    case Gate::labour_quota:
        policy = policy_.labour_room() ? 1 : 0;
        break;
    case Gate::assistance:
        policy = policy_.assistance_multiplier();
        break;
    case Gate::visa_free_only:
        policy = state.visa_free ? 1 : 0;
        break;
    }
    return policy;
}

/// The dated trade-regime events of traders and visitors: the 2010 Customs
/// Union (its common external tariff taxed the goods of the shuttle trade) and
/// the 2012 International Centre for Boundary Cooperation at Khorgos (30 days
/// without a visa inside the zone).
double Engine::trade_regime_events(const PolicyState& state) const {
    double m = 1;
    if (state.customs_union) m *= p_[Param::policy_customs_union_multiplier];
    if (state.boundary_centre) m *= p_[Param::policy_boundary_centre_multiplier];
    return m;
}

/// Limits candidates of one type to `room` quota places, in priority order.
/// Repatriates beyond the assisted quota still come, unassisted: their
/// hazard was drawn with the assistance multiplier, so each is kept with
/// the ratio of the unassisted to the assisted probability (exact thinning).
void Engine::admit_by_quota(AgentType type, double room) {
    auto& order = quota_order_;
    order.clear();
    for (const Drawing& d : drawing_)
        if (groups_[d.group].type == type) {
            GroupDepartures& candidates = departing_[d.group].value;
            for (std::size_t i = 0; i < candidates.drawn.size(); ++i)
                order.push_back(Ranked{candidates.quota[i], &candidates.drawn[i]});
        }
    std::sort(order.begin(), order.end(),
              [](const Ranked& a, const Ranked& b) { return a.draw.priority < b.draw.priority; });
    const auto places = static_cast<std::size_t>(std::max(0.0, room));
    const double assistance = policy_.assistance_multiplier();
    for (std::size_t k = 0; k < order.size(); ++k) {
        Candidate& c = *order[k].candidate;
        c.assisted = k < places;
        if (c.assisted) continue;
        // The ratio of the unassisted to the assisted chance of setting out.
        const double rate = rate_[c.group];
        c.accepted = type == AgentType::repatriate &&
                     order[k].draw.accept < std::expm1(-rate / assistance) / std::expm1(-rate);
    }
}

/// A household settles: the head draws the region they all settle in.
void Engine::settle(const Arrival& household, bool in_cohort, StepOutput& out) {
    const std::uint32_t* persons = arrival_persons_.data() + household.first;
    const Group& g = groups_[household.group];
    int region = 0;
    for (std::uint32_t m = 0; m < household.count; ++m) {
        Agent a;
        a.person = persons[m];
        a.group = static_cast<std::uint16_t>(household.group);
        a.type = static_cast<std::uint8_t>(g.type);
        a.ethnicity = static_cast<std::uint8_t>(g.ethnicity);
        RandomStream rng(opt_.seed, a.person, static_cast<std::uint32_t>(step_), Stream::arrival);
        if (m == 0) region = choose_region(g.type, g.ethnicity, rng.uniform());
        arrive(a, household.crossing, region, in_cohort, rng, out);
        reschedule(a, out);
    }
}

void Engine::arrive(Agent& a, int crossing, int region, bool in_cohort, RandomStream& rng,
                    StepOutput& out) {
    const AgentType type = a.agent_type();
    const TypeRules& r = rules(type);
    a.region = static_cast<std::uint8_t>(region);
    change_stock(a, +1, out);
    out.flow(index(type), crossing, Direction::entry) += 1;
    out.year.entries[index(type)] += opt_.scale;
    log(a, EventKind::entry, day0_, crossing, place_of_origin(groups_[a.group].origin),
        place_of_region(region), out);
    bool without_visa = r.visa == Visa::never_needed ||
                        (r.visa == Visa::unless_visa_free && policy_.state().visa_free);
    if (type == AgentType::visitor) { // visitors passing through never need one
        const int purpose = draw_purpose(rng);
        out.year.entries_by_purpose[purpose] += opt_.scale;
        without_visa = without_visa || purpose == static_cast<int>(Purpose::transit_through);
    }
    if (type == AgentType::labourer) { // a quota worker: a permit issued, an entry
        out.year.labour_admitted += opt_.scale;
        out.year.labour_entered += opt_.scale;
        out.permits_valid += 1;
    }
    if (r.first_plan == Plan::status && has_status(a.person)) // status is granted once
        set_plan(a, Plan::naturalise,
                 after(p_[Param::repatriate_naturalisation_median],
                       p_[Param::repatriate_naturalisation_sigma], rng),
                 rng, out);
    else
        set_plan(a, r.first_plan, after(p_[r.plan_median], p_[r.plan_sigma], rng), rng, out);
    if (in_cohort && without_visa) {
        a.flags |= kInVisaFreeCohort;
        out.cohort_entered += 1;
    }
}

/// Sets the agent's plan and draws its competing events; the earliest is
/// its next event (queued by reschedule once the event is done).
void Engine::set_plan(Agent& a, Plan plan, int plan_day, RandomStream& rng, StepOutput& out) {
    a.plan = static_cast<std::uint8_t>(plan);
    double first = plan_day;
    Next next = Next::plan;
    const TypeRules& r = rules(a.agent_type());
    const bool settled = plan == Plan::status || plan == Plan::naturalise;
    if (r.marries && !settled) {
        // Marriage and reunification as one exponential at the sum of their
        // rates, and which of the two by their shares when it comes first:
        // the same competing events for one draw (rarely two) instead of two.
        const double marriage = a.flags & kMarried ? 0 : marriage_rate_[a.ethnicity];
        const double reunification =
            a.flags & (kMarried | kReunified) ? 0 : reunification_rate_[a.ethnicity];
        const double t = day0_ + rng.exponential(marriage + reunification);
        if (t < first) {
            first = t;
            next = rng.uniform() * (marriage + reunification) < marriage ? Next::marriage
                                                                         : Next::reunification;
        }
    }
    if (r.regrets && settled) {
        const double t = day0_ + rng.exponential(p_[Param::repatriate_regret_rate] / 365.25);
        if (t < first) first = t, next = Next::regret;
    }
    a.next = static_cast<std::uint8_t>(next);
    if (first < kNever) out.next_day = static_cast<int>(std::ceil(first));
}

/// The agents due this step, in chunks; renewals, which compete for the
/// year's quota, and status applications, which compete for the status
/// quota, are decided afterwards in the order they came due, then the
/// reviews of applications refused before.
void Engine::process_due_events() {
    std::vector<Agent>& due = schedule_.due(step_);
    in_chunks(due.size(), [&](std::size_t begin, std::size_t end, StepOutput& out) {
        for (std::size_t i = begin; i < end; ++i) {
            end_of_plan(due[i], static_cast<std::uint32_t>(i), out);
            reschedule(due[i], out);
        }
    });
    // Renewals and applications wait in the due list, which lives until the step's end.
    bool in_order = false;
    for (auto& chunk : outputs_) {
        for (const std::uint32_t i : chunk.renewals) {
            renew_or_go_home(due[i], serial_);
            reschedule(due[i], serial_);
        }
        in_order = in_order || !chunk.renewals.empty();
        chunk.renewals.clear();
    }
    for (auto& chunk : outputs_) {
        for (const std::uint32_t i : chunk.status_applications)
            decide_status(due[i], serial_);
        in_order = in_order || !chunk.status_applications.empty();
        chunk.status_applications.clear();
    }
    in_order = in_order || !status_queue_.due(step_).empty();
    review_status();
    if (in_order) {
        merge(serial_);
        remember_grants(serial_);
    }
    schedule_.release(step_);
}

/// The due event of the agent at `position` in the step's due list.
void Engine::end_of_plan(Agent& a, std::uint32_t position, StepOutput& out) {
    RandomStream rng(opt_.seed, a.person, static_cast<std::uint32_t>(step_), Stream::outcome);
    const int day = day0_;
    const AgentType type = a.agent_type();
    const int here = place_of_region(a.region);
    if (static_cast<Next>(a.next) == Next::marriage) {
        a.flags |= kMarried;
        out.year.marriages += opt_.scale;
        if (static_cast<Plan>(a.plan) == Plan::contract_end) out.permits_valid -= 1;
        log(a, EventKind::marriage, day, -1, here, -1, out);
        set_plan(a, Plan::naturalise,
                 after(p_[Param::married_naturalisation_median],
                       p_[Param::married_naturalisation_sigma], rng),
                 rng, out);
        return;
    }
    if (static_cast<Next>(a.next) == Next::reunification) {
        join_relatives(a, rng, out);
        return;
    }
    if (static_cast<Next>(a.next) == Next::regret) {
        go_home(a, EventKind::regret_return, day, rng, out);
        return;
    }
    switch (static_cast<Plan>(a.plan)) {
    case Plan::stay_end: // a trip ends: home, or an overstay as an irregular labourer
        if (rng.uniform() < p_[rules(type).overstay]) {
            change_stock(a, -1, out);
            a.type = static_cast<std::uint8_t>(AgentType::labourer);
            change_stock(a, +1, out);
            log(a, EventKind::overstay, day, -1, here, -1, out);
            set_plan(a, Plan::irregular_end,
                     after(p_[Param::irregular_stay_median], p_[Param::irregular_stay_sigma], rng),
                     rng, out);
        } else {
            go_home(a, EventKind::return_home, day, rng, out);
        }
        break;
    case Plan::contract_end: // a renewal needs a place of the year's quota: decided in order
        if (rng.uniform() < p_[Param::labourer_renew_prob]) {
            out.renewals.push_back(position);
        } else {
            out.permits_valid -= 1;
            go_home(a, EventKind::return_home, day, rng, out);
        }
        break;
    case Plan::transit_end: // onward to Russia/Europe, or an irregular stay
        if (rng.uniform() < p_[Param::transit_onward_prob]) {
            change_stock(a, -1, out);
            out.left_onward += 1;
            out.onward(index(type)) += 1;
            log(a, EventKind::onward_exit, day, -1, here, place_onward(), out);
        } else {
            set_plan(a, Plan::irregular_end,
                     after(p_[Param::irregular_stay_median], p_[Param::irregular_stay_sigma], rng),
                     rng, out);
        }
        break;
    case Plan::irregular_end:
    case Plan::go_home:
        go_home(a, EventKind::return_home, day, rng, out);
        break;
    case Plan::status: // an application for status: decided under the quota, in order
        out.status_applications.push_back(position);
        break;
    case Plan::naturalise:
        change_stock(a, -1, out);
        out.naturalised += 1;
        out.settled(a.ethnicity, a.region) += 1; // a citizen now, living where they lived
        out.year.naturalisations[a.ethnicity] += opt_.scale;
        if (a.flags & kMarried) out.year.naturalisations_by_marriage[a.ethnicity] += opt_.scale;
        if (a.flags & kReunified)
            out.year.naturalisations_by_reunification[a.ethnicity] += opt_.scale;
        log(a, EventKind::naturalisation, day, -1, here, -1, out);
        break;
    case Plan::none:
        break;
    }
}

/// A labourer who drew a renewal: renewed while the year's quota has room, else home.
void Engine::renew_or_go_home(Agent& a, StepOutput& out) {
    RandomStream rng(opt_.seed, a.person, static_cast<std::uint32_t>(step_), Stream::outcome);
    rng.uniform(); // the renewal draw, made in end_of_plan
    if (!policy_.labour_room()) {
        out.permits_valid -= 1;
        go_home(a, EventKind::return_home, day0_, rng, out);
        return;
    }
    policy_.use_labour_places(1);
    out.year.labour_admitted += opt_.scale;
    log(a, EventKind::renewal, day0_, -1, place_of_region(a.region), -1, out);
    set_plan(a, Plan::contract_end,
             after(p_[Param::labourer_contract_median], p_[Param::labourer_contract_sigma], rng),
             rng, out);
}

void Engine::go_home(Agent& a, EventKind kind, int day, RandomStream& rng, StepOutput& out) {
    const Group& g = groups_[a.group];
    const int c = policy_.choose_crossing(g.origin, rng.uniform(), 0);
    if (c < 0) { // every crossing closed: wait for the first to reopen
        a.plan = static_cast<std::uint8_t>(Plan::go_home);
        a.next = static_cast<std::uint8_t>(Next::plan);
        out.next_day = policy_.next_open_day(day);
        return;
    }
    change_stock(a, -1, out);
    // A shuttle trader may give up the trade on coming home (group type: an
    // irregular labourer who was a trader comes home as a trader).
    const Param quit = rules(g.type).quit;
    if (quit != kNoParam && rng.uniform() < p_[quit]) a.flags |= kQuits;
    out.flow(a.type, c, Direction::exit) += 1;
    log(a, kind, day, c, place_of_region(a.region), place_of_origin(g.origin), out);
    if (a.flags & kInVisaFreeCohort) out.cohort_returned += 1;
    // Back in the group at the end of the step (an irregular labourer who was
    // a trader becomes an idle trader again); the record is not kept.
    out.returners.push_back(
        Returner{a.person, a.group, rules(g.type).kept_at_home && !(a.flags & kQuits)});
}

int Engine::draw_purpose(RandomStream& rng) const {
    const double w[kPurposes] = {p_[Param::visitor_share_business],
                                 p_[Param::visitor_share_private], p_[Param::visitor_share_tourism],
                                 p_[Param::visitor_share_transit]};
    const double total = w[0] + w[1] + w[2] + w[3];
    double x = rng.uniform() * total;
    for (int k = 0; k < kPurposes - 1; ++k) {
        if (x < w[k]) return k;
        x -= w[k];
    }
    return kPurposes - 1;
}

} // namespace khorgos
