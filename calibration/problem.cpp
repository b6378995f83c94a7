#include "calibration/problem.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

namespace khorgos::calibration {

double Prior::density(double x) const {
    if (!contains(x)) return 0;
    switch (kind) {
    case PriorKind::uniform:
        return 1 / (upper - lower);
    case PriorKind::log_uniform:
        return 1 / (x * std::log(upper / lower));
    case PriorKind::normal: {
        const double z = (x - mean) / sd;
        return std::exp(-0.5 * z * z); // truncation constant cancels in the SMC weights
    }
    }
    return 0;
}

double Prior::sample(RandomStream& stream) const {
    switch (kind) {
    case PriorKind::uniform:
        return lower + (upper - lower) * stream.uniform();
    case PriorKind::log_uniform:
        return std::exp(std::log(lower) + std::log(upper / lower) * stream.uniform());
    case PriorKind::normal:
        for (int attempt = 0; attempt < 1000000; ++attempt) {
            const double x = mean + sd * stream.normal();
            if (contains(x)) return x;
        }
        return std::clamp(mean, lower,
                          upper); // bounds far out in a tail: validated against at load time
    }
    return lower;
}

namespace {
double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
} // namespace

double Prior::internal_density(double u) const {
    switch (kind) {
    case PriorKind::uniform:
        return contains(u) ? 1 / (upper - lower) : 0;
    case PriorKind::log_uniform: {
        const double a = std::log(lower), b = std::log(upper);
        return u >= a && u <= b ? 1 / (b - a) : 0;
    }
    case PriorKind::normal: {
        if (!contains(u)) return 0;
        const double z = (u - mean) / sd;
        const double mass = normal_cdf((upper - mean) / sd) - normal_cdf((lower - mean) / sd);
        return std::exp(-0.5 * z * z) / (sd * 2.5066282746310002 * mass); // sqrt(2 pi)
    }
    }
    return 0;
}

double Prior::internal_sd() const {
    const double width = to_internal(upper) - to_internal(lower);
    // A truncated normal is never wider than its bounds' uniform.
    return kind == PriorKind::normal ? std::min(sd, width / std::sqrt(12.0))
                                     : width / std::sqrt(12.0);
}

double Prior::internal_width90() const {
    const double width = 0.9 * (to_internal(upper) - to_internal(lower));
    return kind == PriorKind::normal ? std::min(width, 2 * 1.6448536269514722 * sd) : width;
}

std::string Prior::describe() const {
    char buffer[128];
    switch (kind) {
    case PriorKind::uniform:
        std::snprintf(buffer, sizeof buffer, "uniform(%g, %g)", lower, upper);
        break;
    case PriorKind::log_uniform:
        std::snprintf(buffer, sizeof buffer, "log_uniform(%g, %g)", lower, upper);
        break;
    case PriorKind::normal:
        std::snprintf(buffer, sizeof buffer, "normal(%g, %g) on [%g, %g]", mean, sd, lower, upper);
        break;
    }
    return buffer;
}

double Prior::to_internal(double x) const {
    return kind == PriorKind::log_uniform ? std::log(x) : x;
}
double Prior::from_internal(double u) const {
    return kind == PriorKind::log_uniform ? std::exp(u) : u;
}

namespace {
constexpr double kMissing = 1e3; // z of a target the run does not produce

double log_z(double simulated, double reference, double sd) {
    const double floor = 1e-3 * std::abs(reference);
    const double s = std::max(simulated, floor);
    return reference > 0 ? std::log(s / reference) / sd : (simulated - reference) / sd;
}
double scaled_z(double simulated, double reference, double sd) {
    const double scale = reference != 0 ? std::abs(reference) : 1;
    return (simulated - reference) / (sd * scale);
}
} // namespace

double comparison_scale(const Target& t, double x, DistanceKind kind) {
    if (kind == DistanceKind::log_ratio && t.value > 0)
        return std::log(std::max(x, 1e-3 * t.value));
    return x / (t.value != 0 ? std::abs(t.value) : 1.0);
}

FigureCheck early_rejection(const Problem& problem, const std::vector<double>& weights,
                            double tolerance) {
    auto sum = std::make_shared<double>(0.0);
    // A relative margin keeps the check exact when the terms, summed in the
    // order figures pass, round differently from the distance's own sum.
    const double limit = tolerance * (1 + 1e-9);
    return [&problem, weights, limit, sum](std::size_t i, double value) {
        if (!problem.fitted[i]) return true;
        const double z = standardized_error(problem.targets[i], value, problem.distance);
        *sum += (weights.empty() ? 1.0 : weights[i]) * z * z;
        return *sum <= limit;
    };
}

double standardized_error(const Target& t, double simulated, DistanceKind kind) {
    if (!std::isfinite(simulated)) return kMissing;
    double reference = t.value;
    if (t.error == ErrorModel::uniform) {
        if (simulated >= t.lower && simulated <= t.upper) return 0;
        reference = simulated < t.lower ? t.lower : t.upper;
    }
    const double sd = t.total_sd();
    return kind == DistanceKind::log_ratio ? log_z(simulated, reference, sd)
                                           : scaled_z(simulated, reference, sd);
}

std::vector<double> contributions(const Problem& problem, const std::vector<double>& simulated,
                                  const std::vector<double>& weights) {
    std::vector<double> c(problem.targets.size(), 0.0);
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (!problem.fitted[i]) continue;
        const double z = standardized_error(problem.targets[i], simulated[i], problem.distance);
        c[i] = (weights.empty() ? 1.0 : weights[i]) * z * z;
    }
    return c;
}

double distance(const Problem& problem, const std::vector<double>& simulated,
                const std::vector<double>& weights) {
    double sum = 0;
    for (double c : contributions(problem, simulated, weights))
        sum += c;
    return sum;
}

RandomStream calibration_stream(std::uint64_t seed, std::uint64_t id, std::uint32_t step,
                                CalibrationStream purpose) {
    // Ids are proposal numbers (< 2^32 in any feasible calibration).
    return RandomStream(seed, static_cast<std::uint32_t>(id), step,
                        static_cast<Stream>(static_cast<std::uint32_t>(purpose)));
}

std::uint64_t simulation_seed(std::uint64_t seed, std::uint64_t proposal, std::uint32_t generation,
                              std::uint32_t replicate) {
    RandomStream s = calibration_stream(seed, proposal, (generation << 12) | replicate,
                                        CalibrationStream::seeds);
    return s.next_u64();
}

double weighted_quantile(std::vector<std::pair<double, double>> vw, double q) {
    if (vw.empty()) return NAN;
    std::sort(vw.begin(), vw.end());
    double total = 0;
    for (const auto& p : vw)
        total += p.second;
    double cumulative = 0;
    for (const auto& p : vw) {
        cumulative += p.second;
        if (cumulative >= q * total) return p.first;
    }
    return vw.back().first;
}

} // namespace khorgos::calibration
