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

SeriesReader::SeriesReader(const Series& series) : series_(&series) {
    if (series.log_linear)
        for (const double v : series.values)
            logs_.push_back(v > 0 ? std::log(v) : 0);
}

double SeriesReader::at(double year) {
    const Series& s = *series_;
    if (s.years.empty()) return 0;
    if (year <= s.years.front()) return s.values.front();
    if (year >= s.years.back()) return s.values.back();
    if (s.years[hi_ - 1] > year) hi_ = 1; // time went back: search from the start
    while (s.years[hi_] <= year)
        ++hi_;
    const std::size_t lo = hi_ - 1;
    const double w = (year - s.years[lo]) / (s.years[hi_] - s.years[lo]);
    if (s.log_linear && s.values[lo] > 0 && s.values[hi_] > 0)
        return std::exp(logs_[lo] + w * (logs_[hi_] - logs_[lo]));
    return s.values[lo] + w * (s.values[hi_] - s.values[lo]);
}

} // namespace khorgos
