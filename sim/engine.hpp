#pragma once
// The engine: runs one Scenario with one seed and returns its trajectories and
// observables. Agents at their origin are sampled in aggregate per group (type x
// origin x ethnicity) with geometric skips, and agents in Kazakhstan are driven
// by next-event scheduling, so a run's cost grows with the number of events, not
// with agents x days. Randomness comes only from counter-based streams keyed by
// the seed, so the result does not depend on the thread count.
#include "sim/recorder.hpp"
#include "sim/result.hpp"
#include "sim/scenario.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace khorgos {

struct RunOptions {
    std::uint64_t seed = 1;
    int threads = 1;
    double scale = 1;                ///< persons per agent
    EventRecorder* events = nullptr; ///< receives the agent-level event log, if set
    bool series = true;              ///< false: the result holds the observables and counters only
    /// If set, called at the end of each calendar year with the observables
    /// whose period has ended; returning false ends the run there (its result
    /// holds the observables final by then). Calibration's early rejection.
    std::function<bool(const std::vector<Observable>&)> after_year;
};

/// Runs the scenario. @throws InputError if the options are out of range.
RunResult simulate(const Scenario& scenario, const RunOptions& options);

/// An upper bound of the engine's memory for a run: every person of every pool
/// present at once, plus the series. Used to refuse a run the machine cannot hold.
std::uint64_t memory_bound_bytes(const Scenario& scenario, double scale);

/// The daily hazard of setting out of a type at driver index 1, with no
/// policy, network or crossing effect: its set-outs-a-year parameter (e.g.
/// `visitor.entries_per_year`) over 365.25 x the persons of all the scenario's
/// pools of the type in its first year (before `pool.size_factor`, which scales
/// the movers); 0 without such a pool. docs/model.md, "Setting out".
double daily_hazard(const Scenario& scenario, AgentType type);

/// Persons per agent allowed by a scale factor (>= 1 and finite).
bool valid_scale(double scale);

} // namespace khorgos
