#pragma once
// Names and shapes shared by the writer and the reader of run files. Any
// change here is a format change: bump kFormatVersion and update SCHEMA.md.
#include "sim/recorder.hpp"

#include <hdf5.h>

#include <array>
#include <cstddef>
#include <string>

namespace khorgos::output::layout {

inline constexpr const char* kFormatAttribute = "khorgos_format";
inline constexpr const char* kFormatName = "khorgos-run";
inline constexpr const char* kFormatVersionAttribute = "khorgos_format_version";
// 2: UDUNITS units, time axis, uint64 as text too; 3: time bounds and
// cell_methods, the year a CF time axis; 4: labels as CF auxiliary
// coordinates NAME_name(NAME) beside an int32 index coordinate NAME
inline constexpr int kFormatVersion = 4;

// Groups with a fixed meaning; every other group holds variables.
inline constexpr const char* kObservables = "observables";
inline constexpr const char* kEvents = "events";
inline constexpr const char* kProvenance = "provenance";

inline constexpr const char* kObservableDimension = "observable";
inline constexpr const char* kParameterDimension = "parameter";
inline constexpr const char* kParameterValue = "parameter_value";
inline constexpr const char* kEventDimension = "event";
/// CF bounds of a time axis NAME: NAME_bnds(NAME, nv).
inline constexpr const char* kBoundsSuffix = "_bnds";
inline constexpr const char* kVertexDimension = "nv";
/// The labels of a label coordinate NAME (format 4): NAME_name(NAME).
inline constexpr const char* kLabelSuffix = "_name";

/// AgentEvent::day counts days from this epoch (sim/recorder.hpp).
inline constexpr const char* kDayUnits = "days since 1990-01-01";
inline constexpr const char* kCalendar = "proleptic_gregorian";

/// Rows per chunk of the event log and per write: one chunk of each column per flush.
inline constexpr std::size_t kEventChunk = 65536;

/// netCDF-C's marker for a dimension that has no coordinate values: the
/// dimension scale's NAME starts with this text, followed by the length.
std::string dimension_without_variable(std::size_t length);

enum class Scalar { i8, u8, i16, i32, u32 };
hid_t file_type(Scalar type);
hid_t memory_type(Scalar type);
std::size_t size_of(Scalar type);

/// One column of the event log: a 1-d dataset over the "event" dimension.
/// Columns that index a coordinate are named "<coordinate>_index" (from/to
/// prefixed): a variable named like a dimension, as "agent_type" would be, is
/// taken for that dimension's coordinate variable by R's ncdf4 and cannot be read.
struct EventColumn {
    const char* name;
    std::size_t offset; ///< of the field in AgentEvent
    Scalar type;
    const char* labels; ///< the coordinate the values index, or nullptr
    const char* long_name;
};

inline constexpr std::array<EventColumn, 8> kEventColumns{{
    {"day", offsetof(AgentEvent, day), Scalar::i32, nullptr, "day of the event"},
    {"agent", offsetof(AgentEvent, agent), Scalar::u32, nullptr, "stable agent id"},
    {"agent_type_index", offsetof(AgentEvent, type), Scalar::u8, "agent_type",
     "agent type after the event"},
    {"ethnicity_index", offsetof(AgentEvent, ethnicity), Scalar::u8, "ethnicity", "ethnicity"},
    {"event_kind_index", offsetof(AgentEvent, kind), Scalar::u8, "event_kind", "event kind"},
    {"crossing_index", offsetof(AgentEvent, crossing), Scalar::i8, "crossing",
     "border crossing used, -1 if none"},
    {"from_place_index", offsetof(AgentEvent, from), Scalar::i16, "place",
     "place left, -1 if none"},
    {"to_place_index", offsetof(AgentEvent, to), Scalar::i16, "place", "place reached, -1 if none"},
}};

} // namespace khorgos::output::layout
