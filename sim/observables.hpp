#pragma once
// The model's side of each official figure (MODEL.md's table), computed from
// the run's tallies after the run: a new observable never touches the step loop.
#include "sim/calendar.hpp"
#include "sim/result.hpp"
#include "sim/scenario.hpp"
#include "sim/tallies.hpp"

namespace khorgos {

/// The year whose visa-free entrants nonreturn_per_day_1992 follows: the
/// engine flags them on entry (Tallies::cohort_year).
constexpr int kVisaFreeCohortYear = 1992;

/// The census the resident stock is compared with: Kazakhstan's 2009 census
/// (25 February to 6 March 2009), on its first day; the engine marks who is
/// present a year before it.
constexpr Date kCensusDay{2009, 2, 25};

/// The observables whose period lies inside the scenario's horizon and ends
/// by `last_day` (the tallies hold the steps up to it).
std::vector<Observable> observables(const Scenario& scenario, const Tallies& tally, double scale,
                                    int last_day);

/// The run's output: coordinates, the daily and yearly series (unless
/// `series` is false), the observables. Takes the tallies' daily series.
RunResult results(const Scenario& scenario, Tallies&& tally, double scale,
                  const RunCounters& counters, bool series);

} // namespace khorgos
