#pragma once
// The people of a run: origin groups of potential movers (counts, plus the
// person ids of those kept at home between trips: traders and repatriates,
// agent_types.hpp), and the packed records of the agents away
// from home, in reusable slots.
#include "sim/errors.hpp"
#include "sim/rng.hpp"
#include "sim/types.hpp"

#include <cstdint>
#include <vector>

namespace khorgos {

/// The life-cycle milestone an agent in Kazakhstan is heading for.
enum class Plan : std::uint8_t {
    none,
    stay_end,      ///< end of a trader's or visitor's trip
    contract_end,  ///< end of a labour contract
    irregular_end, ///< end of an irregular stay: go home
    transit_end,   ///< a transit migrant moves on (or stays irregularly)
    status,        ///< a repatriate's status decision: oralman/kandas status granted
    naturalise,    ///< permanent residence (status, marriage or family reunification)
                   ///< until citizenship
    go_home,       ///< waiting for a crossing to open, then go home
};

/// What fires next: the plan, or one of the competing exponential events.
enum class Next : std::uint8_t { plan, marriage, regret, reunification };

enum Flag : std::uint8_t {
    kMarried = 1,
    kInVisaFreeCohort = 2,  ///< entered without a visa in the followed visa-free year
    kPresentYearBefore = 4, ///< present a year before the census day (census-style residents)
    kReunified = 8,         ///< permanent residence by family reunification
    kQuits = 16,            ///< a trader who gives up the trade on coming home
};

/// One agent's state. Every event reads and writes most of it together, so it
/// is packed in one small record (one cache line access per event) rather than
/// spread over a dozen arrays, which measured 2-3 times slower for the
/// random-order access of next-event scheduling.
struct Agent {
    std::uint32_t person = 0; ///< stable id of the person (event log, random streams)
    std::uint16_t group = 0;  ///< the origin group the agent belongs to
    std::uint8_t type = 0, ethnicity = 0, region = 0, flags = 0, plan = 0, next = 0;

    AgentType agent_type() const { return static_cast<AgentType>(type); }
};
static_assert(sizeof(Agent) <= 12, "agent state should stay small");

/// Records of the agents away from home, in slots. Whoever goes home frees
/// the slot: a trader or a repatriate is kept as a person id in the group's
/// idle list (the id is all that lasts between trips), anyone else rejoins the
/// group's count; and
/// so do people who leave onward or naturalise. Reusing slots keeps the
/// records of a 32-year run in a few megabytes, so the random accesses of
/// next-event scheduling hit the cache, and a trader who sets out again costs
/// a sequential read of the idle list instead of a cache miss on an old record.
struct Agents {
    std::vector<Agent> state;
    std::vector<std::uint32_t> free_slots;
    std::uint32_t people = 0; ///< persons ever created as agents

    /// The id of a person not created before.
    std::uint32_t new_person() {
        if (people == UINT32_MAX)
            throw RuntimeError("more than 4.29 billion agents created: raise --scale");
        return people++;
    }
    /// A slot for a record that the caller writes later: the crossing decides
    /// who takes which slot in order, the settling (on any thread) writes the
    /// record, so that a record is first touched by the thread that uses it.
    std::uint32_t take_slot() {
        if (!free_slots.empty()) {
            const std::uint32_t slot = free_slots.back();
            free_slots.pop_back();
            return slot;
        }
        state.emplace_back();
        return static_cast<std::uint32_t>(state.size() - 1);
    }
    void release(std::uint32_t slot) { free_slots.push_back(slot); }
    Agent& operator[](std::uint32_t id) { return state[id]; }
    const Agent& operator[](std::uint32_t id) const { return state[id]; }
};

/// Potential movers of one (type, origin, ethnicity): a count not yet created
/// as agents, and the person ids of traders and repatriates back home who may
/// set out again. On cache lines of its own: the draws of neighbouring groups
/// run on different threads and write their clocks.
struct alignas(64) Group {
    AgentType type = AgentType::trader;
    int origin = 0;
    Ethnicity ethnicity = Ethnicity::han;
    int pool = 0;
    std::uint64_t unmaterialised = 0;
    double carry = 0;                ///< fractional agents not yet added (pool growth / scale)
    std::vector<std::uint32_t> idle; ///< person ids
    ExposureClock departures;        ///< who of the members sets out (of the idle: see repeats)
    ExposureClock repeats;           ///< who of the idle sets out again, for types that repeat

    std::uint64_t members() const { return idle.size() + unmaterialised; }
};

/// A group member drawn to set out this step.
struct Candidate {
    std::uint32_t group;
    std::uint64_t position;  ///< < idle.size(): that idle trader; otherwise a new person
    double priority;         ///< order among candidates competing for a quota
    double accept;           ///< uniform used to thin candidates beyond an assisted quota
    std::uint32_t household; ///< persons setting out together (repatriate households)
    double crossing_u;       ///< uniform that picks the crossing (drawn with the candidate, in
                             ///< parallel; the choice itself waits for the capacity left)
    bool assisted = false;   ///< holds a quota place
    bool accepted = true;
};

} // namespace khorgos
