// ABC-SMC additions of history matching: the prior truncated to a region,
// early rejection, and stopping once the tolerance stops falling.
#include "calibration/abc_smc.hpp"
#include "calibration/problem.hpp"
#include "sim/rng.hpp"
#include "toy_model.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>

using namespace khorgos;
using namespace khorgos::calibration;
using namespace khorgos::calibration::toy;

namespace {

double normal_cdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

AbcSettings settings(int particles, int generations) {
    AbcSettings s;
    s.particles = particles;
    s.max_generations = generations;
    s.min_acceptance = 0.001;
    s.seed = 20261129;
    return s;
}

} // namespace

TEST_CASE("ABC-SMC with its prior truncated to a region", "[calibration][stochastic]") {
    // The toy's N(0, 1) prior truncated to the "region" [0.9, 1.6]: the ABC
    // target becomes p_h restricted to it, computed by quadrature; no particle
    // may leave the region. Generation 0 comes from a sample uniform on it.
    const Problem problem = toy_problem();
    AbcSettings s = settings(1000, 6);
    s.min_tolerance = 0.1 * 0.1;
    s.start = AbcStart::history_matching;
    const double lo = 0.9, hi = 1.6;
    s.region = [&](const std::vector<double>& theta) { return theta[0] >= lo && theta[0] <= hi; };
    RandomStream draw(3, 0, 0, Stream::outcome);
    for (int i = 0; i < 1000; ++i)
        s.region_sample.push_back(lo + (hi - lo) * draw.uniform());
    const auto gens =
        run_abc_smc(problem, s, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    const Generation& last = gens.back();
    const double h = std::sqrt(last.tolerance);
    double z = 0, m1 = 0, m2 = 0;
    for (double t = lo; t <= hi; t += 1e-4) {
        const double w = std::exp(-0.5 * t * t) *
                         (normal_cdf((1 + h - t) / kNoiseSd) - normal_cdf((1 - h - t) / kNoiseSd));
        z += w;
        m1 += w * t;
        m2 += w * t * t;
    }
    const double mean = m1 / z, sd = std::sqrt(m2 / z - mean * mean);
    double estimate = 0;
    for (std::size_t i = 0; i < last.weights.size(); ++i) {
        CHECK(last.particles[i] >= lo);
        CHECK(last.particles[i] <= hi);
        estimate += last.weights[i] * last.particles[i];
    }
    INFO("generations " << gens.size() << ", h " << h << ", ESS " << last.ess << "; estimate "
                        << estimate << ", truncated ABC target " << mean << " +- " << sd);
    REQUIRE(last.ess > 200);
    // The untruncated target's mean (0.8) lies outside: the truncation shows.
    CHECK(mean > 1.0);
    CHECK(std::abs(estimate - mean) < 4 * sd / std::sqrt(last.ess));
}

namespace {

// Five yearly figures y_t = theta + N(0, 0.5^2), all observed as 1; each year
// costs one step. The staged version reports each year's figure as it passes.
constexpr int kYears = 5;

Problem yearly_problem() {
    Problem p = toy_problem();
    const Target t = p.targets[0];
    p.targets.clear();
    for (int y = 0; y < kYears; ++y) {
        Target ty = t;
        ty.period = std::to_string(2000 + y);
        p.targets.push_back(ty);
    }
    p.fitted.assign(kYears, true);
    return p;
}

std::vector<double> yearly(const std::vector<double>& theta, std::uint64_t seed,
                           const FigureCheck& keep_going, std::atomic<long>& steps) {
    std::vector<double> values(kYears, NAN);
    for (int y = 0; y < kYears; ++y) {
        ++steps;
        RandomStream s(seed, 7, static_cast<std::uint32_t>(y), Stream::outcome);
        values[static_cast<std::size_t>(y)] = theta[0] + kNoiseSd * s.normal();
        if (keep_going &&
            !keep_going(static_cast<std::size_t>(y), values[static_cast<std::size_t>(y)]))
            break;
    }
    return values;
}

} // namespace

TEST_CASE("ABC-SMC early rejection: the same posterior, fewer steps simulated", "[calibration]") {
    Problem problem = yearly_problem();
    std::atomic<long> full_steps{0}, staged_steps{0};
    problem.simulate = [&](const std::vector<double>& theta, std::uint64_t seed) {
        return yearly(theta, seed, nullptr, full_steps);
    };
    const StagedSimulator staged = [&](const std::vector<double>& theta, std::uint64_t seed,
                                       const FigureCheck& keep_going) {
        return yearly(theta, seed, keep_going, staged_steps);
    };
    const AbcSettings s = settings(300, 5);
    const auto plain =
        run_abc_smc(problem, s, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    const long plain_steps = full_steps.exchange(0);
    const auto early = run_abc_smc(problem, s, openmp_evaluator(problem.simulate, 2, staged), {},
                                   nullptr, nullptr);
    const long early_steps = full_steps + staged_steps;
    REQUIRE(plain.size() == early.size());
    for (std::size_t g = 0; g < plain.size(); ++g) {
        CHECK(plain[g].particles == early[g].particles);
        CHECK(plain[g].weights == early[g].weights);
        CHECK(plain[g].distances == early[g].distances);
        CHECK(plain[g].tolerance == early[g].tolerance);
        CHECK(plain[g].proposals == early[g].proposals);
    }
    INFO("steps simulated: " << plain_steps << " without early rejection, " << early_steps
                             << " with it");
    // Generation 0 (no tolerance yet) runs whole either way; later ones stop
    // most rejected runs after a year or two.
    CHECK(static_cast<double>(early_steps) < 0.8 * static_cast<double>(plain_steps));
}

TEST_CASE("ABC-SMC stops once the tolerance stops falling", "[calibration]") {
    // Two figures of the same quantity that disagree (1 and 3, sd 1): no
    // parameter brings the distance below 2, so the tolerance levels off above
    // it and the run stops well before its generation limit.
    Problem problem = toy_problem();
    Target other = problem.targets[0];
    other.period = "again";
    other.value = other.lower = other.upper = 3;
    other.error_sd = 1.0 / 3; // scaled: z = ybar - 3
    problem.targets.push_back(other);
    problem.fitted = {true, true};
    const Simulator one = problem.simulate;
    problem.simulate = [one](const std::vector<double>& theta, std::uint64_t seed) {
        const double y = one(theta, seed)[0];
        return std::vector<double>{y, y};
    };
    AbcSettings s = settings(200, 30);
    s.min_tolerance_drop = 0.05;
    const auto gens =
        run_abc_smc(problem, s, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    INFO("generations " << gens.size() << ", last tolerance " << gens.back().tolerance);
    CHECK(stopping_reason(s, gens) == "the tolerance stopped falling");
    CHECK(gens.size() < 30);
    CHECK(gens.back().tolerance > 2);
}
