#pragma once
// What one run produces, as plain data: labelled coordinates, named
// multi-dimensional variables (row-major, dimensions named by coordinates),
// and the scalar observables that mirror the official figures. output/ writes
// it to HDF5 and reads it back; batch and calibration consume it.
#include <cstdint>
#include <string>
#include <vector>

namespace khorgos {

/// A time axis as the files store it (CF, output/SCHEMA.md): for each cell,
/// the instant stored as its coordinate and its (start, end) bounds.
struct TimeCells {
    std::string units;          ///< "days since 1990-01-01"
    std::string long_name;      ///< what the stored instant is
    std::vector<double> values; ///< a step's end (its stocks' instant), a year's start
    std::vector<double> bounds; ///< (start, end) per value: the days a sum covers
};

/// A dimension of the output: either labels (region ids, ...) or numbers (days, years).
struct Coordinate {
    std::string name;                ///< dimension name, e.g. "time", "region"
    std::string long_name;           ///< human description
    std::string units;               ///< e.g. "days since 1990-01-01"; empty for labels
    std::vector<double> values;      ///< numeric coordinates (time, year); empty for labels
    std::vector<std::string> labels; ///< label coordinates; empty for numeric ones
    /// For a time axis, its CF form, which files store instead of values and
    /// units; empty otherwise. A coordinate read from a file has both the same.
    TimeCells time = {};
    std::size_t size() const { return labels.empty() ? values.size() : labels.size(); }
};

/// A named array over some coordinates, stored row-major (last dimension fastest).
struct Variable {
    std::string group;             ///< "daily", "yearly" or "totals"
    std::string name;              ///< e.g. "stock"
    std::vector<std::string> dims; ///< coordinate names, outermost first
    std::string units;             ///< UDUNITS: "1" for a count (long_name says of what), "d-1"
    std::string long_name;
    std::vector<double> values;
    /// CF cell_methods along its time axis: "time: point" for a value at the
    /// end of the step (a stock), "time: sum" for a sum over the step (a flow).
    std::string cell_methods = {};
};

/// One model-side figure that mirrors an official statistic (MODEL.md's table).
struct Observable {
    std::string id;         ///< e.g. "nsc_visitors_cn"
    std::string period;     ///< e.g. "2010" or "1995-01-01/2014-12-31"
    double value = 0;       ///< in persons (or persons per day, or a share)
    std::string units;      ///< UDUNITS: "1" for a count or a share, "d-1" per day
    std::string definition; ///< the statistic's definition, in words
};

/// Counters of the run itself (not of the modelled world).
struct RunCounters {
    std::uint64_t events = 0;         ///< agent events processed
    std::uint64_t agents = 0;         ///< agents ever created
    double person_days_away = 0;      ///< agent-days spent in Kazakhstan, summed over steps
    double seconds = 0;               ///< wall time of the engine
    std::uint64_t parallel_steps = 0; ///< steps that ran part of their work on several threads
};

struct RunResult {
    std::vector<Coordinate> coordinates;
    std::vector<Variable> variables;
    std::vector<Observable> observables;
    RunCounters counters;

    const Coordinate* coordinate(const std::string& name) const {
        for (const auto& c : coordinates)
            if (c.name == name) return &c;
        return nullptr;
    }
    const Variable* variable(const std::string& name) const {
        for (const auto& v : variables)
            if (v.name == name) return &v;
        return nullptr;
    }
    const Observable* observable(const std::string& id, const std::string& period) const {
        for (const auto& o : observables)
            if (o.id == id && o.period == period) return &o;
        return nullptr;
    }
};

} // namespace khorgos
