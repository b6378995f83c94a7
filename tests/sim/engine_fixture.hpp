#pragma once
// Shared helpers for engine tests: load a scenario of the source tree, run it,
// capture the event log.
#include "input/scenario_file.hpp"
#include "sim/engine.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace khorgos::testing {

inline std::string source_path(const std::string& relative) {
    return std::string(KHORGOS_SOURCE_DIR) + "/" + relative;
}

inline Scenario scenario(const std::string& relative, const std::vector<std::string>& sets = {}) {
    Scenario s = load_scenario(source_path(relative)).scenario;
    for (const auto& assignment : sets)
        apply_override(s, assignment);
    return s;
}

struct EventLog : EventRecorder {
    std::vector<AgentEvent> rows;
    void record(const AgentEvent* events, std::size_t count) override {
        rows.insert(rows.end(), events, events + count);
    }
};

inline RunResult run(const Scenario& s, std::uint64_t seed, int threads = 1, double scale = 1,
                     EventRecorder* log = nullptr) {
    RunOptions o;
    o.seed = seed;
    o.threads = threads;
    o.scale = scale;
    o.events = log;
    return simulate(s, o);
}

/// The value of an observable of the result; throws if the run has none.
inline double observable(const RunResult& r, const std::string& id, const std::string& period) {
    const Observable* o = r.observable(id, period);
    if (!o) throw std::runtime_error("no observable " + id + " for " + period);
    return o->value;
}

/// Index of a label in a coordinate of the result.
inline std::size_t label(const RunResult& r, const std::string& coordinate,
                         const std::string& name) {
    const auto& labels = r.coordinate(coordinate)->labels;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == name) return i;
    throw std::runtime_error("no label " + name + " in " + coordinate);
}

} // namespace khorgos::testing
