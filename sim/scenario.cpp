#include "sim/scenario.hpp"

#include <algorithm>
#include <cmath>

namespace khorgos {

double Series::at(double year) const {
    if (years.empty()) return 0;
    if (year <= years.front()) return values.front();
    if (year >= years.back()) return values.back();
    const auto hi = static_cast<std::size_t>(std::upper_bound(years.begin(), years.end(), year) -
                                             years.begin());
    const std::size_t lo = hi - 1;
    const double w = (year - years[lo]) / (years[hi] - years[lo]);
    if (log_linear && values[lo] > 0 && values[hi] > 0)
        return std::exp(std::log(values[lo]) + w * (std::log(values[hi]) - std::log(values[lo])));
    return values[lo] + w * (values[hi] - values[lo]);
}

} // namespace khorgos
