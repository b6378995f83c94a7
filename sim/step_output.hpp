#pragma once
// What one chunk of a step's work changes: stock changes, tallies, the agents
// it schedules (their records, with the day of their next event), its event
// log rows and who went home. A step's due events and arrivals are cut into
// chunks of a fixed size, so that chunks can run on any thread; their outputs
// are merged in chunk order, so the result depends on the seed alone.
#include "sim/population.hpp"
#include "sim/recorder.hpp"
#include "sim/tallies.hpp"

#include <climits>
#include <cstdint>
#include <utility>
#include <vector>

namespace khorgos {

/// An agent's record and the day of its next event.
struct Scheduled {
    Agent agent;
    int day;
};

/// Someone who came home: kept as an idle person id of the group, or back in its count.
struct Returner {
    std::uint32_t person;
    std::uint16_t group;
    bool idle; ///< kept at home between trips (a trader who did not quit, a repatriate)
};

struct alignas(64) StepOutput {
    StepOutput(std::size_t regions, std::size_t crossings)
        : stock({kAgentTypes, regions}), stock_by_ethnicity({kEthnicities, regions}),
          settled({kEthnicities, regions}), flow({kAgentTypes, crossings, kDirections}),
          onward({kAgentTypes}) {}

    Grid<int, 2> stock;              ///< change of type x region
    Grid<int, 2> stock_by_ethnicity; ///< change of ethnicity x region
    Grid<int, 2> settled;            ///< change of ethnicity x region (naturalised)
    Grid<double, 3> flow;            ///< type x crossing x direction
    Grid<double, 1> onward;          ///< type
    YearTally year;                  ///< additions to the year's tallies
    double left_onward = 0, naturalised = 0, cohort_entered = 0, cohort_returned = 0;
    double status_grants = 0; ///< agents granted status
    int permits_valid = 0;    ///< change of the work permits valid
    std::uint64_t events = 0;

    std::vector<Scheduled> scheduled; ///< in order
    /// The day of the next event of the agent being handled, if it has one
    /// (set_plan); its record is queued once its event is done (Engine::reschedule).
    int next_day = kNoNextEvent;
    /// No next event: days count from 1990-01-01, so a real day may be negative.
    static constexpr int kNoNextEvent = INT_MIN;
    std::vector<AgentEvent> log;
    std::vector<Returner> returners;
    /// Contract ends that drew a renewal, decided in order (positions in the step's due list).
    std::vector<std::uint32_t> renewals;
    /// Status applications, decided in order under the status quota (positions in the due list).
    std::vector<std::uint32_t> status_applications;
    std::vector<std::uint32_t> granted; ///< persons granted status (remembered at the merge)

    /// Adds the numbers to the run's tallies (step `step`, year `year`) and clears them.
    void merge_tallies(Tallies& t, std::size_t step, YearTally& y) {
        // Only a logged event changes the grids or the year's counts (log()
        // counts it): an output without one, such as a day's refused status
        // reviews, merges its few scalars alone.
        if (events > 0) merge_event_tallies(t, step, y);
        t.left_onward += left_onward;
        t.naturalised += naturalised;
        t.cohort_entered += cohort_entered;
        t.cohort_returned += cohort_returned;
        t.events += events;
        t.daily_status_grants(step) += status_grants;
        t.permits_valid += permits_valid;
        left_onward = naturalised = cohort_entered = cohort_returned = status_grants = 0;
        permits_valid = 0;
        events = 0;
    }

  private:
    void merge_event_tallies(Tallies& t, std::size_t step, YearTally& y) {
        add(t.stock, stock);
        add(t.stock_by_ethnicity, stock_by_ethnicity);
        add(t.settled, settled);
        add_to_slice(t.daily_flow, step, flow);
        add_to_slice(t.daily_onward, step, onward);
        for (int i = 0; i < kAgentTypes; ++i)
            y.entries[i] += year.entries[i];
        for (int i = 0; i < kPurposes; ++i)
            y.entries_by_purpose[i] += year.entries_by_purpose[i];
        for (int i = 0; i < kEthnicities; ++i)
            y.naturalisations[i] += year.naturalisations[i];
        for (int i = 0; i < kEthnicities; ++i)
            y.naturalisations_by_marriage[i] += year.naturalisations_by_marriage[i];
        for (int i = 0; i < kEthnicities; ++i)
            y.naturalisations_by_reunification[i] += year.naturalisations_by_reunification[i];
        for (int i = 0; i < kEventKinds; ++i)
            y.events[i] += year.events[i];
        y.labour_admitted += year.labour_admitted;
        y.labour_entered += year.labour_entered;
        y.marriages += year.marriages;
        y.status_grants += year.status_grants;
        year = YearTally{};
    }

    template <typename T, std::size_t R> static void add(Grid<T, R>& to, Grid<T, R>& from) {
        T* out = to.slice(0);
        T* in = from.slice(0);
        const std::size_t n = from.values().size();
        for (std::size_t i = 0; i < n; ++i) {
            out[i] += in[i];
            in[i] = 0;
        }
    }
    template <std::size_t R, std::size_t S>
    static void add_to_slice(Grid<double, R>& to, std::size_t step, Grid<double, S>& from) {
        double* out = to.slice(step);
        double* in = from.slice(0);
        const std::size_t n = from.values().size();
        for (std::size_t i = 0; i < n; ++i) {
            out[i] += in[i];
            in[i] = 0;
        }
    }
};

} // namespace khorgos
