// History matching on a toy model with a known non-implausible region.
//
// Two parameters: a ~ uniform(0, 1) and b ~ log_uniform(0.1, 10), v = log10 b.
// Two figures, log-normal around exp(f_1) and exp(f_2), f_1 = 2a + v + v^2 / 2
// and f_2 = a - v + 0.3 sin(6a), with a simulation noise of sd 0.05 on the log
// scale; the figures are those of the truth (a, v) = (0.3, 0.2), with an
// observation sd of 0.1 and
// a model discrepancy sd of 0.05 (log ratio). The exact implausibility of
// figure i at x is then |z_i - f_i(x)| / s with s = sqrt(0.1^2 + 0.05^2 + 0.05^2)
// = 0.1225 (the emulators' variance 0): the region is the curved band
// |f_1(a, v) - f_1(0.3, 0.2)| <= 3s, |f_2(a, v) - f_2(0.3, 0.2)| <= 3s.
//
// The region found uses emulators, whose mean E may differ from f by up to
// about 3 sqrt(V_em) (for a valid emulator, P > 99.7% per point and figure).
// Where it does not, the emulator's implausibility |z - E| / sqrt(s^2 + V_em)
// lies within (|z - f| -+ 3 sqrt(V_em)) / sqrt(s^2 + V_em), so a point is
//   surely kept     if  |z - f| <= 3 (sqrt(s^2 + V_em) - sqrt(V_em)) for every wave,
//   surely excluded if  |z - f| >  3 (sqrt(s^2 + V_em) + sqrt(V_em)) for some wave.
// The test draws 2,000 points in the box and counts those on the wrong side of
// these bounds: at most 2% (two figures, a few waves, 0.3% each if the
// emulators' errors were independent across points, which neighbouring points'
// are not; the count is 0 in the current build).
#include "calibration/history_matching.hpp"
#include "calibration/problem.hpp"
#include "output/posterior_file.hpp"
#include "sim/rng.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <unistd.h>

using namespace khorgos;
using namespace khorgos::calibration;
using Eigen::VectorXd;

namespace {

constexpr double kSimSd = 0.05;
const double kTotalSd = std::sqrt(0.1 * 0.1 + 0.05 * 0.05 + kSimSd * kSimSd);

double mean_a(double a, double b) {
    const double v = std::log10(b);
    return 2 * a + v + 0.5 * v * v;
}
double mean_b(double a, double b) {
    return a - std::log10(b) + 0.3 * std::sin(6 * a);
}

Problem hm_problem() {
    Problem p;
    Prior a;
    a.name = "a";
    a.kind = PriorKind::uniform;
    a.lower = 0;
    a.upper = 1;
    Prior b;
    b.name = "b";
    b.kind = PriorKind::log_uniform;
    b.lower = 0.1;
    b.upper = 10;
    p.priors = {a, b};
    for (const auto& [id, value] : {std::pair{"fig_a", mean_a(0.3, std::pow(10, 0.2))},
                                    std::pair{"fig_b", mean_b(0.3, std::pow(10, 0.2))}}) {
        Target t;
        t.id = id;
        t.period = "all";
        t.value = t.lower = t.upper = std::exp(value);
        t.kind = "yearly_count";
        t.error_sd = 0.1;
        t.discrepancy_sd = 0.05;
        // Longer than a report line's buffer, as a real reason may be.
        for (int k = 0; k < 10; ++k)
            t.discrepancy_reason += "the toy's stand-in for what a model leaves out; ";
        p.targets.push_back(t);
    }
    p.fitted = {true, true};
    p.distance = DistanceKind::log_ratio;
    p.simulate = [](const std::vector<double>& theta, std::uint64_t seed) {
        RandomStream s(seed, 11, 0, Stream::outcome);
        const double e1 = s.normal(), e2 = s.normal();
        return std::vector<double>{std::exp(mean_a(theta[0], theta[1]) + kSimSd * e1),
                                   std::exp(mean_b(theta[0], theta[1]) + kSimSd * e2)};
    };
    return p;
}

HistoryMatchingSettings hm_settings() {
    HistoryMatchingSettings s;
    // Few points a wave and a strict emulator-variance rule, so that the
    // region is refined over several waves rather than pinned by the first.
    s.points = 15;
    s.replicates = 2;
    s.max_waves = 4;
    s.variance_ratio = 0.002;
    s.region_points = 500;
    s.seed = 20261129;
    s.threads = 2;
    return s;
}

} // namespace

TEST_CASE("History matching finds the known non-implausible region",
          "[calibration][history_matching][stochastic]") {
    const Problem problem = hm_problem();
    const HistoryMatchingSettings s = hm_settings();
    const auto waves = run_history_matching(problem, s, openmp_evaluator(problem.simulate, 2), {},
                                            nullptr, nullptr);
    REQUIRE(!waves.empty());
    const NonImplausibleRegion region(problem, s, waves);
    const std::string report =
        history_matching_report(problem, s, waves, history_stopping_reason(s, waves));
    INFO(report);
    CHECK(region.contains({0.3, std::pow(10, 0.2)}));
    // Each target's row ends with its whole discrepancy reason.
    CHECK_THAT(report, Catch::Contains(problem.targets[0].discrepancy_reason + "\nfig_b "));

    const double za = std::log(problem.targets[0].value), zb = std::log(problem.targets[1].value);
    RandomStream draw(7, 1, 0, Stream::outcome);
    int wrong = 0, kept_sure = 0, excluded_sure = 0, inside = 0;
    const int n = 2000;
    for (int k = 0; k < n; ++k) {
        const std::vector<double> theta{draw.uniform(), std::pow(10, 2 * draw.uniform() - 1)};
        const VectorXd u = region.to_unit(theta);
        const double miss[2] = {std::abs(za - mean_a(theta[0], theta[1])),
                                std::abs(zb - mean_b(theta[0], theta[1]))};
        bool sure_in = true, sure_out = false;
        for (std::size_t w = 0; w < waves.size(); ++w) {
            const auto shares = region.emulator_shares({u}, w);
            for (int i = 0; i < 2; ++i) {
                // shares = V_em / (s^2 + V_sim) at this point, with V_sim estimated.
                const double others = kTotalSd * kTotalSd;
                const double v_em = shares[static_cast<std::size_t>(i)] *
                                    (problem.targets[0].total_sd() * problem.targets[0].total_sd() +
                                     waves[w].sim_variance[static_cast<std::size_t>(i)]);
                const double root = std::sqrt(others + v_em), em = std::sqrt(v_em);
                if (miss[i] > 3 * (root - em)) sure_in = false;
                if (miss[i] > 3 * (root + em)) sure_out = true;
            }
        }
        const bool in = region.contains(theta);
        inside += in ? 1 : 0;
        kept_sure += sure_in ? 1 : 0;
        excluded_sure += sure_out ? 1 : 0;
        if ((sure_in && !in) || (sure_out && in)) ++wrong;
    }
    INFO("region's share of the box " << waves.back().fraction << "; inside " << inside
                                      << ", surely kept " << kept_sure << ", surely excluded "
                                      << excluded_sure << ", on the wrong side " << wrong << " of "
                                      << n);
    // The bounds have teeth: most of the box is surely excluded, and the
    // region's core surely kept (the exact region is 9% of the box).
    CHECK(excluded_sure > n / 2);
    CHECK(kept_sure > n / 50);
    CHECK(wrong <= n / 50);
    // The region's share of the box lies between the surely kept and the not
    // surely excluded shares (4 binomial standard errors of the 2,000 test points).
    const double se = 4 * std::sqrt(0.25 / n);
    CHECK(waves.back().fraction > static_cast<double>(kept_sure) / n - se);
    CHECK(waves.back().fraction < 1 - static_cast<double>(excluded_sure) / n + se);
    // The simulation noise is recovered from the replicates: 15 points of 2
    // replicates give 15 V / 0.05^2 ~ chi-square(15), whose 0.001 and 0.999
    // quantiles are 3.48 and 37.7.
    for (const auto& w : waves)
        for (double v : w.sim_variance) {
            CHECK(15 * v / (kSimSd * kSimSd) > 3.48);
            CHECK(15 * v / (kSimSd * kSimSd) < 37.7);
        }
    // The region sample lies inside the region.
    const std::size_t d = 2;
    for (std::size_t p = 0; p < waves.back().region.size() / d; p += 25)
        CHECK(region.contains({waves.back().region[p * d], waves.back().region[p * d + 1]}));
}

TEST_CASE("History matching: waves do not depend on threads or order; resume is exact",
          "[calibration][history_matching]") {
    const Problem problem = hm_problem();
    HistoryMatchingSettings s = hm_settings();
    s.max_waves = 2;
    s.threads = 1;
    const auto one = run_history_matching(problem, s, openmp_evaluator(problem.simulate, 1), {},
                                          nullptr, nullptr);
    s.threads = 2;
    const BatchEvaluator reversed = [&](const std::vector<Evaluation>& batch) {
        std::vector<std::vector<double>> out(batch.size());
        for (std::size_t i = batch.size(); i-- > 0;)
            out[i] = problem.simulate(batch[i].theta, batch[i].seeds[0]);
        return out;
    };
    const auto two = run_history_matching(problem, s, reversed, {}, nullptr, nullptr);
    REQUIRE(one.size() == two.size());
    for (std::size_t w = 0; w < one.size(); ++w) {
        CHECK(one[w].design == two[w].design);
        CHECK(one[w].length_scales == two[w].length_scales);
        CHECK(one[w].region == two[w].region);
    }
    HistoryMatchingSettings first = s;
    first.max_waves = 1;
    auto part = run_history_matching(problem, first, openmp_evaluator(problem.simulate, 2), {},
                                     nullptr, nullptr);
    const auto resumed = run_history_matching(problem, s, openmp_evaluator(problem.simulate, 2),
                                              part, nullptr, nullptr);
    REQUIRE(resumed.size() == one.size());
    CHECK(resumed.back().region == one.back().region);
    s.seed += 1;
    const auto other = run_history_matching(problem, s, openmp_evaluator(problem.simulate, 2), {},
                                            nullptr, nullptr);
    CHECK(other.back().design != one.back().design);
}

TEST_CASE("History matching: a figure no parameter set reaches empties the region and is named",
          "[calibration][history_matching]") {
    // fig_b's figure moved 2 log units beyond what any (a, b) of the box gives
    // together with fig_a: the report names what no point meets.
    Problem problem = hm_problem();
    problem.targets[0].value = problem.targets[0].lower = problem.targets[0].upper = std::exp(2.9);
    problem.targets[1].value = problem.targets[1].lower = problem.targets[1].upper = std::exp(0.9);
    HistoryMatchingSettings s = hm_settings();
    const auto waves = run_history_matching(problem, s, openmp_evaluator(problem.simulate, 2), {},
                                            nullptr, nullptr);
    const std::string reason = history_stopping_reason(s, waves);
    const std::string report = history_matching_report(problem, s, waves, reason);
    INFO(report);
    CHECK(waves.back().region.empty());
    CHECK_THAT(reason, Catch::Contains("empty"));
    CHECK_THAT(report, Catch::Contains("together"));
}

TEST_CASE("History matching: waves survive the posterior file bit for bit",
          "[calibration][history_matching]") {
    // One region of two waves and one empty region (a file whose last wave
    // left nothing must still be written and read).
    for (const double shift : {0.0, 2.1}) {
        Problem problem = hm_problem();
        for (auto& t : problem.targets)
            t.value = t.lower = t.upper = t.value * std::exp(shift);
        HistoryMatchingSettings s = hm_settings();
        s.max_waves = 2;
        PosteriorData data;
        data.method = "history_matching";
        // Real parameter names: the reader checks them against the engine's table.
        data.parameter_names = {"visitor.driver_elasticity", "network.strength"};
        data.priors = {"uniform(0, 1)", "log_uniform(0.1, 10)"};
        data.target_ids = {"fig_a", "fig_b"};
        data.target_periods = {"all", "all"};
        data.target_values = data.target_lower = data.target_upper = {1, 1};
        data.target_fitted = {1, 1};
        data.waves = run_history_matching(problem, s, openmp_evaluator(problem.simulate, 2), {},
                                          nullptr, nullptr);
        data.wave_stopping = history_stopping_reason(s, data.waves);
        const std::string path = (std::filesystem::temp_directory_path() /
                                  ("khorgos-waves-" + std::to_string(::getpid()) + ".h5"))
                                     .string();
        output::write_posterior_file(path, data, false);
        const PosteriorData back = output::read_posterior_file(path);
        std::filesystem::remove(path);
        INFO("shift " << shift << ": " << data.waves.size() << " waves, last region "
                      << data.waves.back().region.size() / 2 << " points");
        CHECK(back.wave_stopping == data.wave_stopping);
        REQUIRE(back.waves.size() == data.waves.size());
        for (std::size_t w = 0; w < data.waves.size(); ++w) {
            const auto &a = data.waves[w], &b = back.waves[w];
            CHECK(a.design == b.design);
            CHECK(a.simulated == b.simulated);
            CHECK(a.train_x == b.train_x);
            CHECK(a.train_y == b.train_y);
            CHECK(a.length_scales == b.length_scales);
            CHECK(a.nugget == b.nugget);
            CHECK(a.sim_variance == b.sim_variance);
            CHECK(a.region == b.region);
            CHECK(a.met == b.met);
            CHECK(a.fraction == b.fraction);
        }
        // The region rebuilt from the file is the region.
        const NonImplausibleRegion before(problem, s, data.waves), after(problem, s, back.waves);
        for (double a = 0.05; a < 1; a += 0.1)
            CHECK(before.contains({a, 1.5}) == after.contains({a, 1.5}));
    }
}

TEST_CASE("Model discrepancy widens the distance's sd", "[calibration]") {
    // z = log(simulated / official) / sqrt(sd^2 + discrepancy^2): 0.3 and 0.4 make 0.5.
    Target t;
    t.value = t.lower = t.upper = 100;
    t.error_sd = 0.3;
    CHECK(standardized_error(t, 100 * std::exp(1.0), DistanceKind::log_ratio) == Approx(1 / 0.3));
    t.discrepancy_sd = 0.4;
    CHECK(standardized_error(t, 100 * std::exp(1.0), DistanceKind::log_ratio) == Approx(2.0));
    CHECK(comparison_scale(t, 100 * std::exp(1.0), DistanceKind::log_ratio) ==
          Approx(std::log(100.0) + 1));
}
