#include "sim/parameters.hpp"

#include <utility>

namespace khorgos {

const std::array<ParamSpec, kParamCount>& parameter_specs() {
    static const std::array<ParamSpec, kParamCount> specs{{
#define KHORGOS_PARAM(id, name, def, lo, hi, unit, meaning) {name, def, lo, hi, unit, meaning},
#include "sim/parameters.def"
#undef KHORGOS_PARAM
    }};
    return specs;
}

std::optional<Param> find_parameter(std::string_view name) {
    const auto& specs = parameter_specs();
    for (int i = 0; i < kParamCount; ++i)
        if (specs[i].name == name) return static_cast<Param>(i);
    return std::nullopt;
}

std::string replaced_by(std::string_view name) {
    // The daily hazards fitted before set-outs a year replaced them (issue 16).
    static constexpr std::pair<std::string_view, std::string_view> kReplaced[] = {
        {"trader.base_hazard", "trader.new_traders_per_year"},
        {"trader.repeat_hazard", "trader.days_between_trips"},
        {"visitor.base_hazard", "visitor.entries_per_year"},
        {"labourer.base_hazard", "labourer.entries_per_year"},
        {"repatriate.base_hazard", "repatriate.households_per_year"},
        {"transit.base_hazard", "transit.entries_per_year"},
    };
    for (const auto& [old_name, now] : kReplaced)
        if (name == old_name)
            return " (the daily hazard '" + std::string(old_name) + "' is now '" +
                   std::string(now) + "', in the units of docs/model.md and khorgos parameters)";
    return "";
}

Parameters::Parameters() {
    const auto& specs = parameter_specs();
    for (int i = 0; i < kParamCount; ++i)
        values_[i] = specs[i].default_value;
}

} // namespace khorgos
