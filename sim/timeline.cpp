#include "sim/timeline.hpp"

#include <algorithm>
#include <cmath>

namespace khorgos {

PolicyState initial_policy(const Scenario& scenario) {
    PolicyState state;
    state.visa_free = scenario.initial.visa_free;
    state.militarised = scenario.initial.militarised;
    state.consulate = scenario.initial.consulate;
    state.business_visas = scenario.initial.business_visas;
    for (const auto& c : scenario.crossings) {
        state.crossing_open.push_back(c.open_at_start ? 1 : 0);
        state.crossing_capacity.push_back(c.capacity_per_day);
        state.crossing_weight.push_back(1);
    }
    return state;
}

namespace {
template <typename F> void for_crossings(const PolicyEvent& e, PolicyState& s, F f) {
    const int n = static_cast<int>(s.crossing_open.size());
    for (int c = 0; c < n; ++c)
        if (e.crossing < 0 || e.crossing == c) f(c);
}
} // namespace

void apply(const PolicyEvent& e, PolicyState& s) {
    switch (e.kind) {
    case PolicyKind::visa_free_start:
        s.visa_free = true;
        break;
    case PolicyKind::visa_free_end:
        s.visa_free = false;
        break;
    case PolicyKind::border_normal:
        s.militarised = false;
        break;
    case PolicyKind::border_militarised:
        s.militarised = true;
        break;
    case PolicyKind::consulate_open:
        s.consulate = true;
        break;
    case PolicyKind::business_visas_start:
        s.business_visas = true;
        break;
    case PolicyKind::business_visas_end:
        s.business_visas = false;
        break;
    case PolicyKind::labour_quota:
        s.labour_quota = e.value;
        break;
    case PolicyKind::repatriation:
        s.repatriation_families = e.value;
        s.assistance = e.assistance;
        break;
    case PolicyKind::crossing_open:
        for_crossings(e, s, [&](int c) { s.crossing_open[c] = 1; });
        break;
    case PolicyKind::crossing_close:
        for_crossings(e, s, [&](int c) { s.crossing_open[c] = 0; });
        break;
    case PolicyKind::crossing_capacity:
        for_crossings(e, s, [&](int c) { s.crossing_capacity[c] = e.value; });
        break;
    case PolicyKind::crossing_weight:
        for_crossings(e, s, [&](int c) { s.crossing_weight[c] = e.value; });
        break;
    case PolicyKind::customs_union:
        s.customs_union = true;
        break;
    case PolicyKind::boundary_centre:
        s.boundary_centre = true;
        break;
    case PolicyKind::exit_regime:
        for (int k = 0; k < kEthnicities; ++k)
            if (e.ethnicity < 0 || e.ethnicity == k) s.exit_level[k] = e.value;
        break;
    }
}

std::vector<int> next_open_day(const Scenario& scenario) {
    const int days = scenario.end_day - scenario.start_day + 1;
    std::vector<char> open(static_cast<std::size_t>(days), 0);
    PolicyState state = initial_policy(scenario);
    std::size_t next_event = 0;
    for (int d = 0; d < days; ++d) {
        while (next_event < scenario.events.size() &&
               scenario.events[next_event].day <= scenario.start_day + d)
            apply(scenario.events[next_event++], state);
        open[d] = std::any_of(state.crossing_open.begin(), state.crossing_open.end(),
                              [](char o) { return o != 0; });
    }
    std::vector<int> next(static_cast<std::size_t>(days));
    int upcoming = scenario.end_day + 1;
    for (int d = days - 1; d >= 0; --d) {
        if (open[d]) upcoming = scenario.start_day + d;
        next[d] = upcoming;
    }
    return next;
}

} // namespace khorgos
