#pragma once
// The people of a run: origin groups of potential movers (counts, plus the
// person ids of those kept at home between trips: traders and repatriates,
// agent_types.hpp), and the packed record of an agent away from home, which
// travels with it through the schedule's buckets (schedule.hpp).
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
/// is packed in one small record rather than spread over a dozen arrays. The
/// record itself waits in the bucket of its next event (not an index to it),
/// so a step reads its due agents in sequence instead of one cache miss each,
/// and the thread that runs a chunk of them touches no record another thread
/// wrote last (a line between the two cores costs about 250 ns here, three
/// events' work). Whoever goes home leaves no record behind: a trader or a
/// repatriate is kept as a person id in the group's idle list (the id is all
/// that lasts between trips), anyone else rejoins the group's count; and so do
/// people who leave onward or naturalise.
struct Agent {
    std::uint32_t person = 0; ///< stable id of the person (event log, random streams)
    std::uint16_t group = 0;  ///< the origin group the agent belongs to
    std::uint8_t type = 0, ethnicity = 0, region = 0, flags = 0, plan = 0, next = 0;

    AgentType agent_type() const { return static_cast<AgentType>(type); }
};
static_assert(sizeof(Agent) <= 12, "agent state should stay small");

/// Potential movers of one (type, origin, ethnicity): a count not yet created
/// as agents, and the person ids of traders and repatriates back home who may
/// set out again. Its fixed attributes and its changing counts are on cache
/// lines of their own: every event of its agents reads the first, on any
/// thread, while the step writes the second (the draws of neighbouring groups
/// run on different threads and write their clocks).
struct alignas(64) Group {
    AgentType type = AgentType::trader;
    int origin = 0;
    Ethnicity ethnicity = Ethnicity::han;
    int pool = 0;
    alignas(64) std::uint64_t unmaterialised = 0;
    double carry = 0;                ///< fractional agents not yet added (pool growth / scale)
    std::vector<std::uint32_t> idle; ///< person ids
    ExposureClock departures;        ///< who of the members sets out (of the idle: see repeats)
    ExposureClock repeats;           ///< who of the idle sets out again, for types that repeat

    std::uint64_t members() const { return idle.size() + unmaterialised; }
};

/// A group member drawn to set out this step. Written by the thread that
/// drew the group; read there when the group crosses on it, else by the
/// thread that crosses every group: kept to half a cache line.
struct Candidate {
    std::uint64_t position; ///< < idle.size(): that idle trader; otherwise a new person
    double crossing_u;      ///< uniform that picks the crossing (drawn with the candidate, in
                            ///< parallel; the choice itself waits for the capacity left)
    std::uint32_t group;
    std::uint32_t household; ///< persons setting out together (repatriate households)
    bool assisted = false;   ///< holds a quota place
    bool accepted = true;
};
static_assert(sizeof(Candidate) <= 32, "candidates should stay small");

/// The draws of a candidate of a quota type (agent_types.hpp), beside its
/// Candidate: only quota types need them.
struct QuotaDraw {
    double priority; ///< order among candidates competing for a quota
    double accept;   ///< uniform used to thin candidates beyond an assisted quota
};

} // namespace khorgos
