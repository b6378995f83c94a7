#pragma once
// Checks of a mean estimated from replicate runs, with the tolerance from the
// replicates' own spread: |mean - expected| < t * s / sqrt(n), t the Student t
// quantile for n - 1 degrees of freedom at a two-sided false-alarm rate of
// 1e-4 per check (what 3.9 standard deviations give for a normal; 4 estimated
// standard errors of 5 replicates would give 0.016).
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <vector>

namespace khorgos::testing {

/// Student t quantile 1 - 5e-5 for df degrees of freedom (scipy.stats.t.ppf),
/// rounded up; df is rounded down, and held at 40 beyond, which is conservative.
inline double t_bound(double df) {
    static constexpr std::array<double, 40> kQuantile{
        6366.1978, 99.9925, 28.0001, 15.5442, 11.1777, 9.0824, 7.8847, 7.1201, 6.5937, 6.2112,
        5.9213,    5.6946,  5.5126,  5.3635,  5.2392,  5.1340, 5.0439, 4.9658, 4.8976, 4.8374,
        4.7840,    4.7362,  4.6933,  4.6545,  4.6192,  4.5871, 4.5576, 4.5306, 4.5056, 4.4825,
        4.4611,    4.4412,  4.4226,  4.4052,  4.3889,  4.3736, 4.3592, 4.3457, 4.3329, 4.3208};
    const int k = std::clamp(static_cast<int>(std::floor(df)), 1, 40);
    return kQuantile[static_cast<std::size_t>(k - 1)];
}

struct MeanAndVariance {
    double mean = 0, variance = 0; ///< the sample variance (n - 1 in the denominator)
    std::size_t n = 0;
};

inline MeanAndVariance mean_and_variance(const std::vector<double>& x) {
    MeanAndVariance m;
    m.n = x.size();
    m.mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(m.n);
    for (const double y : x)
        m.variance += (y - m.mean) * (y - m.mean);
    m.variance /= static_cast<double>(m.n - 1);
    return m;
}

/// The bound on |mean(x) - expected| for replicates x.
inline double one_sample_bound(const std::vector<double>& x) {
    const MeanAndVariance m = mean_and_variance(x);
    return t_bound(static_cast<double>(m.n - 1)) * std::sqrt(m.variance / static_cast<double>(m.n));
}

/// The bound on |mean(x) - mean(y)| for independent replicates (Welch).
inline double two_sample_bound(const std::vector<double>& x, const std::vector<double>& y) {
    const MeanAndVariance a = mean_and_variance(x), b = mean_and_variance(y);
    const double va = a.variance / static_cast<double>(a.n),
                 vb = b.variance / static_cast<double>(b.n);
    const double df =
        va + vb > 0
            ? (va + vb) * (va + vb) /
                  (va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1))
            : 1;
    return t_bound(df) * std::sqrt(va + vb);
}

} // namespace khorgos::testing
