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
inline constexpr int kFormatVersion = 1;

// Groups with a fixed meaning; every other group holds variables.
inline constexpr const char* kObservables = "observables";
inline constexpr const char* kEvents = "events";
inline constexpr const char* kProvenance = "provenance";

inline constexpr const char* kObservableDimension = "observable";
inline constexpr const char* kParameterDimension = "parameter";
inline constexpr const char* kParameterValue = "parameter_value";
inline constexpr const char* kEventDimension = "event";

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
    {"agent_type", offsetof(AgentEvent, type), Scalar::u8, "agent_type",
     "agent type after the event, index into agent_type"},
    {"ethnicity", offsetof(AgentEvent, ethnicity), Scalar::u8, "ethnicity",
     "ethnicity, index into ethnicity"},
    {"kind", offsetof(AgentEvent, kind), Scalar::u8, "event_kind",
     "event kind, index into event_kind"},
    {"crossing", offsetof(AgentEvent, crossing), Scalar::i8, "crossing",
     "border crossing used, index into crossing, -1 if none"},
    {"from", offsetof(AgentEvent, from), Scalar::i16, "place",
     "place left, index into place, -1 if none"},
    {"to", offsetof(AgentEvent, to), Scalar::i16, "place",
     "place reached, index into place, -1 if none"},
}};

} // namespace khorgos::output::layout
