#pragma once
// The engine's observer interface for the agent-level event log. The engine
// calls it once per step with that step's events in a fixed order (so the log
// is the same on any thread count); the HDF5 implementation lives in output/.
#include <cstddef>
#include <cstdint>

namespace khorgos {

/// One row of the agent-level event log.
struct AgentEvent {
    std::int32_t day;       ///< days since 1990-01-01
    std::uint32_t agent;    ///< stable agent id
    std::uint8_t type;      ///< AgentType after the event
    std::uint8_t ethnicity; ///< Ethnicity
    std::uint8_t kind;      ///< EventKind
    std::int8_t crossing;   ///< crossing index, -1 when no border is crossed
    std::int16_t from;      ///< place index (RunResult::places), -1 if none
    std::int16_t to;        ///< place index, -1 if none
};

class EventRecorder {
  public:
    virtual ~EventRecorder() = default;
    /// Receives the events of one step. @throws RuntimeError if they cannot be stored.
    virtual void record(const AgentEvent* events, std::size_t count) = 0;
};

} // namespace khorgos
