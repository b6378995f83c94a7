// Settlement: a repatriate's application for oralman/kandas status is decided
// under the yearly status quota; status, marriage or family reunification
// (joining settled relatives) is permanent residence,
// which leads to citizenship; citizens stay, settled, in the region they
// lived in, where they count in the diaspora and the network effect; and the
// census-style resident stock (present 12 months or more, and citizens).
#include "sim/engine_internal.hpp"
#include "sim/observables.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace khorgos {

namespace {
/// Days until a refused application is reviewed again. The status quota opens
/// evenly over the year, so a monthly review keeps a queue's grants even too;
/// no source gives the review cycle.
constexpr int kStatusReviewDays = 30;
} // namespace

/// An application for status: granted while the status quota has room (then
/// residence towards citizenship), else reviewed again every
/// kStatusReviewDays. Decided in the order the applications came due, so the
/// quota's use depends on the seed alone.
void Engine::decide_status(Agent& a, StepOutput& out) {
    RandomStream rng(opt_.seed, a.person, static_cast<std::uint32_t>(step_), Stream::outcome);
    if (policy_.status_room()) {
        grant_status(a, rng, out);
        reschedule(a, out);
        return;
    }
    // The hazard of regret is constant, so one draw covers the whole wait:
    // the reviews before it cost no random stream.
    const double regret = day0_ + rng.exponential(p_[Param::repatriate_regret_rate] / 365.25);
    Applicant applicant{a, regret > sc_.end_day ? INT_MAX : static_cast<int>(std::ceil(regret))};
    wait_for_review(&applicant, &applicant + 1, out);
}

/// The reviews due this step, after the step's first applications, in the
/// order the applicants were refused: places while the quota has room, and
/// the others wait again.
void Engine::review_status() {
    std::vector<Applicant>& due = status_queue_.due(step_);
    std::size_t i = 0;
    for (; i < due.size() && policy_.status_room(); ++i) {
        Agent& a = due[i].agent;
        RandomStream rng(opt_.seed, a.person, static_cast<std::uint32_t>(step_), Stream::outcome);
        grant_status(a, rng, serial_);
        reschedule(a, serial_);
    }
    wait_for_review(due.data() + i, due.data() + due.size(), serial_);
    status_queue_.release(step_);
}

void Engine::grant_status(Agent& a, RandomStream& rng, StepOutput& out) {
    policy_.use_status_place();
    out.year.status_grants += opt_.scale;
    out.status_grants += 1;
    out.granted.push_back(a.person);
    log(a, EventKind::status_grant, day0_, -1, place_of_region(a.region), -1, out);
    set_plan(a, Plan::naturalise,
             after(p_[Param::repatriate_naturalisation_median],
                   p_[Param::repatriate_naturalisation_sigma], rng),
             rng, out);
}

/// Refused applicants wait for the next review, unless they give up before
/// it. Thousands wait at a time: each costs a copy of its record.
void Engine::wait_for_review(Applicant* first, Applicant* last, StepOutput& out) {
    const int review = day0_ + kStatusReviewDays;
    std::vector<Applicant>& queue = status_queue_.bucket(review, day_end_);
    // Once, for a step's reviews: grown one by one, the bucket would be copied
    // at every doubling.
    if (last - first > 1) queue.reserve(queue.size() + static_cast<std::size_t>(last - first));
    for (; first != last; ++first) {
        if (first->regret_day > review) {
            queue.push_back(*first);
            continue;
        }
        first->agent.next = static_cast<std::uint8_t>(Next::regret);
        out.scheduled.push_back(Scheduled{first->agent, first->regret_day});
    }
}

/// Persons of an ethnicity from China in Kazakhstan: present and settled.
double Engine::settled_and_present(Ethnicity e) const {
    double n = 0;
    for (int r = 0; r < regions_; ++r)
        n += tally_.stock_by_ethnicity(index(e), r) + tally_.settled(index(e), r);
    return n * opt_.scale;
}

/// A region's diaspora of an ethnicity: the scenario's (older migrations),
/// grown by the run's naturalised citizens who live there.
double Engine::diaspora(int e, int region) const {
    return sc_.regions[region].diaspora[e] + tally_.settled(e, region) * opt_.scale;
}

/// On the census day (observables.hpp), after the step: who has been present
/// since a year before, and the citizens settled. A year before, everyone
/// present is marked; a record freed since (a return home, a naturalisation,
/// an onward exit) is reused unmarked, so a mark still present means 12
/// months or more in the country without leaving.
void Engine::take_census() {
    const int census = day_number(kCensusDay);
    const int year_before = day_number(Date{kCensusDay.year - 1, kCensusDay.month, kCensusDay.day});
    const auto in_step = [&](int day) { return day >= day0_ && day < day_end_; };
    if (!in_step(year_before) && !in_step(census)) return;
    // Everyone present waits for a later step: in the schedule or the status queue.
    const auto each_present = [&](auto f) {
        schedule_.for_each_waiting(step_ + 1, f);
        status_queue_.for_each_waiting(step_ + 1,
                                       [&](Applicant& applicant) { f(applicant.agent); });
    };
    if (in_step(year_before)) {
        each_present([](Agent& a) { a.flags |= kPresentYearBefore; });
        return;
    }
    each_present([&](const Agent& a) {
        if (a.flags & kPresentYearBefore) tally_.census_present_year[a.ethnicity] += 1;
    });
    for (int e = 0; e < kEthnicities; ++e)
        for (int r = 0; r < regions_; ++r)
            tally_.census_settled[e] += tally_.settled(e, r);
    tally_.census_taken = true;
}

/// Family reunification: a Chinese citizen present joins relatives who have
/// settled (naturalised citizens of the same ethnicity) as a permanent
/// resident, on the way to citizenship after the same residence as a spouse.
void Engine::join_relatives(Agent& a, RandomStream& rng, StepOutput& out) {
    a.flags |= kReunified;
    if (static_cast<Plan>(a.plan) == Plan::contract_end) out.permits_valid -= 1;
    set_plan(a, Plan::naturalise,
             after(p_[Param::married_naturalisation_median],
                   p_[Param::married_naturalisation_sigma], rng),
             rng, out);
}

/// This step's daily reunification hazard by ethnicity: rate x S/(S + half),
/// S the run's naturalised citizens of the ethnicity (a relative to join).
/// A hazard drawn when a plan starts keeps the rate of that step.
void Engine::reunification_rates() {
    // Only an event changes the settled (StepOutput::merge_tallies): most
    // steps at coarse scales have none, and keep the rates.
    if (tally_.events == reunification_events_) return;
    reunification_events_ = tally_.events;
    for (int e = 0; e < kEthnicities; ++e) {
        double settled = 0;
        for (int r = 0; r < regions_; ++r)
            settled += tally_.settled(e, r);
        settled *= opt_.scale;
        reunification_rate_[e] = p_[Param::reunification_rate] / 365.25 * settled /
                                 (settled + p_[Param::network_half_saturation]);
    }
}

} // namespace khorgos
