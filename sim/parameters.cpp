#include "sim/parameters.hpp"

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

Parameters::Parameters() {
    const auto& specs = parameter_specs();
    for (int i = 0; i < kParamCount; ++i)
        values_[i] = specs[i].default_value;
}

} // namespace khorgos
