#pragma once
// Every behavioural parameter of the model, declared once with its default,
// unit, bounds and meaning (parameters.cpp). Scenario files and `--set` refer to
// them by dotted name; the engine reads them by enum, never by string.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace khorgos {

enum class Param : int {
#define KHORGOS_PARAM(id, name, def, lo, hi, unit, meaning) id,
#include "sim/parameters.def"
#undef KHORGOS_PARAM
    count_
};
constexpr int kParamCount = static_cast<int>(Param::count_);

struct ParamSpec {
    std::string_view name; ///< dotted name, e.g. "visitor.entries_per_year"
    double default_value;
    double lower, upper; ///< inclusive bounds; values outside are input errors
    std::string_view unit;
    std::string_view meaning;
};

/// The specification of every parameter, in declaration order.
const std::array<ParamSpec, kParamCount>& parameter_specs();

/// The parameter of a dotted name, if it exists.
std::optional<Param> find_parameter(std::string_view name);

/// For a name the model no longer has, what replaced it ("" otherwise), to
/// follow "unknown parameter".
std::string replaced_by(std::string_view name);

/// A full set of parameter values; starts at the declared defaults.
class Parameters {
  public:
    Parameters();
    double operator[](Param p) const { return values_[static_cast<int>(p)]; }
    double& operator[](Param p) { return values_[static_cast<int>(p)]; }
    const std::array<double, kParamCount>& values() const { return values_; }

  private:
    std::array<double, kParamCount> values_;
};

} // namespace khorgos
