#pragma once
// The rules of each agent type in one table: its parameters, the policy that
// gates its setting out, whether it competes for quota places, the plan it
// starts on arrival, and which competing events it is exposed to.
// life_cycle.cpp applies them: set out, admission, arrival, end of plan,
// renewal, going home.
#include "sim/parameters.hpp"
#include "sim/population.hpp"
#include "sim/types.hpp"

#include <array>

namespace khorgos {

/// How the policy in force gates a type's hazard of setting out.
enum class Gate : std::uint8_t {
    trade_regime,   ///< x the visa-free, militarised-border and business-visa multipliers
    labour_quota,   ///< only while the year's labour quota has room
    assistance,     ///< x the assistance multiplier while assisted quota places remain
    visa_free_only, ///< only while entry is visa-free
};

/// Whether an entrant needs a visa (the visa-free cohort counts those who do not).
enum class Visa : std::uint8_t { unless_visa_free, held, never_needed };

constexpr Param kNoParam = Param::count_;

struct TypeRules {
    Param set_outs;          ///< set-outs a year at driver index 1 (daily_hazard converts)
    Param driver_elasticity; ///< exponent of the type's driver series
    Gate gate;
    bool consulate;    ///< the consulate multiplier applies (visitors)
    bool quota;        ///< competes for quota places (labour or repatriation)
    Plan first_plan;   ///< the plan started on arrival
    Param plan_median; ///< log-normal duration of the first plan
    Param plan_sigma;  ///<
    Param overstay;    ///< chance a stay ends in an overstay (kNoParam: never)
    bool marries;      ///< marriage competes with its plans (until naturalisation)
    bool regrets;      ///< may go back before naturalising
    Visa visa;         ///<
    bool kept_at_home; ///< kept as a person id between trips (traders, repatriates), else back to
                       ///< the count
    /// Shuttle trade: a person id back home sets out again after a mean wait
    /// of this many days (a daily hazard of 1 / it, x the policy in force, not
    /// the driver), and gives up the trade on coming home with chance `quit`.
    /// kNoParam: the type's own hazard.
    Param repeat = kNoParam;
    Param quit = kNoParam; ///<
};

constexpr std::array<TypeRules, kAgentTypes> kTypeRules{{
    // trader: shuttle and bazaar traders, repeated short trips
    {Param::trader_new_per_year, Param::trader_driver_elasticity, Gate::trade_regime, false, false,
     Plan::stay_end, Param::trader_stay_median, Param::trader_stay_sigma,
     Param::trader_overstay_prob, true, false, Visa::unless_visa_free, true,
     Param::trader_days_between_trips, Param::trader_quit_prob},
    // visitor: business, private, tourist and transit-through trips
    {Param::visitor_entries_per_year, Param::visitor_driver_elasticity, Gate::trade_regime, true,
     false, Plan::stay_end, Param::visitor_stay_median, Param::visitor_stay_sigma,
     Param::visitor_overstay_prob, true, false, Visa::unless_visa_free, false},
    // labourer: company workers under the yearly quota (and overstayers, irregularly)
    {Param::labourer_entries_per_year, Param::labourer_driver_elasticity, Gate::labour_quota, false,
     true, Plan::contract_end, Param::labourer_contract_median, Param::labourer_contract_sigma,
     kNoParam, true, false, Visa::held, false},
    // repatriate: ethnic Kazakh households, under the repatriation quota; the
    // status decision after arrival, then residence until naturalisation. Kept
    // as a person id at home, so a re-arrival keeps the status granted before.
    {Param::repatriate_households_per_year, Param::repatriate_driver_elasticity, Gate::assistance,
     false, true, Plan::status, Param::repatriate_status_median, Param::repatriate_status_sigma,
     kNoParam, false, true, Visa::held, true},
    // transit: Kazakhstan as a corridor to Europe while entry is visa-free
    {Param::transit_entries_per_year, Param::transit_driver_elasticity, Gate::visa_free_only, false,
     false, Plan::transit_end, Param::transit_stay_median, Param::transit_stay_sigma, kNoParam,
     true, false, Visa::never_needed, false},
}};

constexpr const TypeRules& rules(AgentType t) {
    return kTypeRules[static_cast<std::size_t>(t)];
}

} // namespace khorgos
