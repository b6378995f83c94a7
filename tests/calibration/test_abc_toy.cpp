// ABC-SMC and the point fit on a toy model with a known posterior.
//
// Model: theta ~ N(0, 1) (truncated to [-10, 10], which changes nothing
// measurable); n = 4 observations x_i ~ N(theta, 1) summarised by their mean,
// so the simulator returns ybar ~ N(theta, 1/4) and the observed mean is 1.
// Exact posterior: precision 1 + 4 = 5, mean 4 * 1 / 5 = 0.8, sd sqrt(1/5) = 0.447.
//
// ABC with distance (ybar - 1)^2 <= eps accepts |ybar - 1| <= h = sqrt(eps), so
// its target is p_h(theta) ∝ phi(theta) [Phi((1 + h - theta)/0.5) - Phi((1 - h - theta)/0.5)]:
// the posterior of an observation with extra U(-h, h) noise. We compute p_h's
// mean and sd by quadrature at the final tolerance, so the ABC bias is exact
// rather than bounded, and also check that it is small (h^2/3 added to the
// likelihood variance 1/4 moves the mean by 0.8 * (1 - 1/(1 + 4h^2/3)/(...)),
// < 0.01 for h < 0.1).
//
// Monte Carlo tolerance: a weighted particle mean has standard error about
// sd / sqrt(ESS); the sd estimate about sd / sqrt(2 ESS). Four standard errors
// make a false failure rare (about 6e-5 per check for independent particles;
// SMC particles are correlated through resampling, which ESS only
// approximates, so the margin is not cut finer).
#include "calibration/abc_smc.hpp"
#include "calibration/point_fit.hpp"
#include "calibration/predictive.hpp"
#include "calibration/problem.hpp"
#include "calibration/report.hpp"
#include "toy_model.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace khorgos;
using namespace khorgos::calibration;
using namespace khorgos::calibration::toy;

namespace {

double normal_cdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

/// Mean and sd of the exact ABC target p_h by quadrature.
std::pair<double, double> abc_target_moments(double h) {
    double z = 0, m1 = 0, m2 = 0;
    const double step = 1e-3;
    for (double t = -6; t <= 6; t += step) {
        const double w = std::exp(-0.5 * t * t) *
                         (normal_cdf((1 + h - t) / kNoiseSd) - normal_cdf((1 - h - t) / kNoiseSd));
        z += w;
        m1 += w * t;
        m2 += w * t * t;
    }
    const double mean = m1 / z;
    return {mean, std::sqrt(m2 / z - mean * mean)};
}

AbcSettings toy_settings() {
    AbcSettings s;
    s.particles = 1000;
    s.quantile = 0.5;
    s.max_generations = 8;
    s.min_tolerance = 0.05 * 0.05;
    s.min_acceptance = 0.001;
    s.seed = 20261127;
    return s;
}

/// Runs the point fit and puts its result in the settings as ABC's start, with a
/// proposal narrower than the posterior (0.3 prior sds against 0.45), so the
/// importance weights have work to do.
void start_from_fit(const Problem& problem, AbcSettings& settings, const BatchEvaluator& evaluate) {
    FitSettings fit;
    fit.replicates = 4;
    fit.max_evaluations = 40;
    fit.seed = settings.seed;
    settings.start = AbcStart::fit;
    settings.start_width = 0.3;
    settings.start_point = point_fit(problem, fit, evaluate, nullptr).theta;
}

struct Moments {
    double mean = 0, sd = 0;
};
Moments weighted_moments(const Generation& g) {
    Moments m;
    for (std::size_t i = 0; i < g.weights.size(); ++i)
        m.mean += g.weights[i] * g.particles[i];
    double v = 0;
    for (std::size_t i = 0; i < g.weights.size(); ++i)
        v += g.weights[i] * std::pow(g.particles[i] - m.mean, 2);
    m.sd = std::sqrt(v);
    return m;
}

} // namespace

TEST_CASE("ABC-SMC recovers the analytic posterior of a normal mean", "[calibration][stochastic]") {
    const Problem problem = toy_problem();
    const auto evaluate = openmp_evaluator(problem.simulate, 2);
    AbcSettings settings = toy_settings();
    const bool from_fit = GENERATE(false, true);
    if (from_fit) start_from_fit(problem, settings, evaluate);
    const auto gens = run_abc_smc(problem, settings, evaluate, {}, nullptr, nullptr);
    REQUIRE(gens.size() >= 4);
    const Generation& last = gens.back();
    const double h = std::sqrt(last.tolerance);
    std::uint64_t simulations = 0;
    for (const auto& g : gens)
        simulations += g.simulations;
    INFO((from_fit ? "from the fit" : "from the prior")
         << ": generations " << gens.size() << ", simulations " << simulations << ", final h " << h
         << ", ESS " << last.ess);
    REQUIRE(h < 0.1);
    REQUIRE(last.ess > 200);

    const auto [abc_mean, abc_sd] = abc_target_moments(h);
    const Moments m = weighted_moments(last);
    INFO("estimate " << m.mean << " +- " << m.sd << "; ABC target " << abc_mean << " +- " << abc_sd
                     << "; exact 0.8 +- 0.447");
    // The ABC target itself is close to the exact posterior at this tolerance.
    CHECK(std::abs(abc_mean - 0.8) < 0.01);
    CHECK(std::abs(abc_sd - std::sqrt(0.2)) < 0.01);
    // The particles estimate the ABC target within Monte Carlo error.
    CHECK(std::abs(m.mean - abc_mean) < 4 * abc_sd / std::sqrt(last.ess));
    CHECK(std::abs(m.sd - abc_sd) < 4 * abc_sd / std::sqrt(2 * last.ess));
    // Tolerances decrease (generation 0 has one only when started from the fit),
    // weights are normalised.
    for (std::size_t g = from_fit ? 1 : 2; g < gens.size(); ++g)
        CHECK(gens[g].tolerance <= gens[g - 1].tolerance);
    double total = 0;
    for (double w : last.weights)
        total += w;
    CHECK(total == Approx(1.0));
}

TEST_CASE("ABC-SMC from a fit: generation 0 is the ABC posterior at its tolerance",
          "[calibration][stochastic]") {
    // Generation 0 alone, drawn around the fit and weighted prior / proposal, must
    // estimate the exact ABC target p_h at its own tolerance; its unweighted
    // particles (the proposal's draws that were accepted) must not, which shows
    // the check can fail and the weights are what makes it pass.
    const Problem problem = toy_problem();
    const auto evaluate = openmp_evaluator(problem.simulate, 2);
    AbcSettings settings = toy_settings();
    settings.particles = 2000;
    settings.max_generations = 1;
    start_from_fit(problem, settings, evaluate);
    const auto gens = run_abc_smc(problem, settings, evaluate, {}, nullptr, nullptr);
    REQUIRE(gens.size() == 1);
    const Generation& g0 = gens[0];
    const double h = std::sqrt(g0.tolerance);
    const auto [abc_mean, abc_sd] = abc_target_moments(h);
    const Moments m = weighted_moments(g0);
    Generation unweighted = g0;
    std::fill(unweighted.weights.begin(), unweighted.weights.end(), 1.0 / 2000);
    const Moments u = weighted_moments(unweighted);
    INFO("fit " << settings.start_point[0] << ", h " << h << ", ESS " << g0.ess << "; weighted "
                << m.mean << " +- " << m.sd << ", unweighted " << u.mean << " +- " << u.sd
                << "; ABC target " << abc_mean << " +- " << abc_sd);
    REQUIRE(std::isfinite(h));
    CHECK(g0.ess < 2000);
    CHECK(std::abs(m.mean - abc_mean) < 4 * abc_sd / std::sqrt(g0.ess));
    CHECK(std::abs(m.sd - abc_sd) < 4 * abc_sd / std::sqrt(2 * g0.ess));
    CHECK(std::abs(u.mean - abc_mean) > 4 * abc_sd / std::sqrt(g0.ess));
}

TEST_CASE("ABC-SMC: the posterior does not depend on the number of threads", "[calibration]") {
    const Problem problem = toy_problem();
    AbcSettings settings = toy_settings();
    settings.particles = 200;
    settings.max_generations = 4;
    const auto one =
        run_abc_smc(problem, settings, openmp_evaluator(problem.simulate, 1), {}, nullptr, nullptr);
    const auto two =
        run_abc_smc(problem, settings, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    // An evaluator that runs each batch in reverse order, one simulation at a time,
    // stands for any schedule (threads, ranks) that finishes in another order.
    const BatchEvaluator reversed = [&](const std::vector<Evaluation>& batch) {
        std::vector<std::vector<double>> out(batch.size());
        for (std::size_t i = batch.size(); i-- > 0;)
            out[i] = problem.simulate(batch[i].theta, batch[i].seeds[0]);
        return out;
    };
    const auto rev = run_abc_smc(problem, settings, reversed, {}, nullptr, nullptr);
    REQUIRE(one.size() == two.size());
    REQUIRE(one.size() == rev.size());
    for (std::size_t g = 0; g < one.size(); ++g) {
        CHECK(one[g].particles == two[g].particles);
        CHECK(one[g].weights == two[g].weights);
        CHECK(one[g].tolerance == two[g].tolerance);
        CHECK(one[g].particles == rev[g].particles);
    }
    settings.seed += 1;
    const auto other =
        run_abc_smc(problem, settings, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    CHECK(other.back().particles != one.back().particles);
}

TEST_CASE("ABC-SMC: resuming from finished generations gives the uninterrupted result",
          "[calibration]") {
    const Problem problem = toy_problem();
    AbcSettings settings = toy_settings();
    settings.particles = 200;
    settings.max_generations = 5;
    const auto evaluate = openmp_evaluator(problem.simulate, 2);
    const auto full = run_abc_smc(problem, settings, evaluate, {}, nullptr, nullptr);
    AbcSettings first = settings;
    first.max_generations = 2;
    auto part = run_abc_smc(problem, first, evaluate, {}, nullptr, nullptr);
    REQUIRE(part.size() == 2);
    const auto resumed = run_abc_smc(problem, settings, evaluate, part, nullptr, nullptr);
    REQUIRE(resumed.size() == full.size());
    CHECK(resumed.back().particles == full.back().particles);
    CHECK(resumed.back().weights == full.back().weights);
}

TEST_CASE("ABC-SMC stops at the simulation budget", "[calibration]") {
    const Problem problem = toy_problem();
    AbcSettings settings = toy_settings();
    settings.particles = 100;
    settings.max_simulations = 700;
    // The budget counts simulations by proposal number (a kept generation's up
    // to its last accepted proposal; batches may run a few more, which do not
    // count, so results do not depend on batch sizes), and a generation started
    // and discarded for want of budget. That one's simulations are those run
    // after the last kept generation.
    std::uint64_t executed = 0, executed_when_kept = 0;
    const auto evaluate = openmp_evaluator(problem.simulate, 2);
    const BatchEvaluator counting = [&](const std::vector<Evaluation>& batch) {
        executed += batch.size();
        return evaluate(batch);
    };
    const GenerationCallback kept = [&](const std::vector<Generation>&) {
        executed_when_kept = executed;
    };
    const auto gens = run_abc_smc(problem, settings, counting, {}, kept, nullptr);
    std::uint64_t used = 0;
    for (const auto& g : gens)
        used += g.simulations;
    const std::uint64_t discarded = executed - executed_when_kept;
    INFO(used << " simulations in " << gens.size() << " generations, " << discarded
              << " in a discarded one");
    CHECK(!gens.empty());
    CHECK(static_cast<int>(gens.size()) < settings.max_generations); // the budget stopped it
    CHECK(used + discarded <= 700);
    // It stops at the budget, not before: a generation costs at least
    // `particles` simulations, so it stops with fewer than that left, or spends
    // the budget to the last simulation on a generation it cannot finish.
    CHECK(used + discarded > 700 - 100);
    CHECK((stopping_reason(settings, gens) == "simulation budget used" || used + discarded == 700));
}

TEST_CASE("Point fit with common random numbers finds the analytic minimum", "[calibration]") {
    const Problem problem = toy_problem();
    FitSettings settings;
    settings.replicates = 4;
    settings.seed = 5;
    settings.max_evaluations = 200;
    const auto fit = point_fit(problem, settings, openmp_evaluator(problem.simulate, 2), nullptr);
    // With the replicate noises e_r fixed, mean_r (theta + 0.5 e_r - 1)^2 is smallest at
    // theta = 1 - 0.5 mean(e_r).
    double noise = 0;
    for (int r = 0; r < 4; ++r) {
        const auto seed = simulation_seed(5, 0, kFitGeneration, static_cast<std::uint32_t>(r));
        noise += problem.simulate({0.0}, seed)[0] / 4;
    }
    REQUIRE(fit.theta.size() == 1);
    CHECK(fit.theta[0] == Approx(1 - noise).margin(1e-3));
}

TEST_CASE("Distances: log ratio, uniform bands and missing values", "[calibration]") {
    Target t;
    t.value = t.lower = t.upper = 100;
    t.error_sd = 0.5;
    CHECK(standardized_error(t, 100, DistanceKind::log_ratio) == Approx(0).margin(1e-12));
    CHECK(standardized_error(t, 100 * std::exp(1.0), DistanceKind::log_ratio) == Approx(2));
    CHECK(standardized_error(t, 150, DistanceKind::scaled) == Approx(1));
    t.error = ErrorModel::uniform;
    t.lower = 80;
    t.upper = 120;
    CHECK(standardized_error(t, 90, DistanceKind::log_ratio) == 0);
    CHECK(standardized_error(t, 120 * std::exp(0.5), DistanceKind::log_ratio) == Approx(1));
    CHECK(standardized_error(t, NAN, DistanceKind::log_ratio) > 100);
}

TEST_CASE("ABC-SMC with adaptive distance weights: weights per generation, thread independent",
          "[calibration]") {
    Problem problem = toy_problem();
    // A second, uninformative target on another scale: its weight must adapt.
    Target noise = problem.targets[0];
    noise.id = "noise";
    noise.value = noise.lower = noise.upper = 100;
    problem.targets.push_back(noise);
    problem.fitted = {true, true};
    problem.adaptive_weights = true;
    const Simulator base = problem.simulate;
    problem.simulate = [base](const std::vector<double>& theta, std::uint64_t seed) {
        auto v = base(theta, seed);
        RandomStream s(seed, 8, 0, Stream::outcome);
        v.push_back(100 + 30 * s.normal());
        return v;
    };
    AbcSettings settings = toy_settings();
    settings.particles = 200;
    settings.max_generations = 4;
    const auto one =
        run_abc_smc(problem, settings, openmp_evaluator(problem.simulate, 1), {}, nullptr, nullptr);
    const auto two =
        run_abc_smc(problem, settings, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    REQUIRE(one.size() == 4);
    CHECK(one.back().particles == two.back().particles);
    CHECK(one.back().distance_weights == two.back().distance_weights);
    // Each generation's weights are 1/MAD^2 of the previous generation's
    // standardised errors, normalised to mean 1 over the fitted targets. MAD:
    // the median of |z - median z|, medians taken as the (n/2)-th smallest.
    const auto median = [](std::vector<double> x) {
        std::sort(x.begin(), x.end());
        return x[x.size() / 2];
    };
    for (std::size_t g = 1; g < one.size(); ++g) {
        const Generation& prev = one[g - 1];
        const std::size_t m = problem.targets.size(), n = prev.weights.size();
        std::vector<double> expected(m);
        for (std::size_t i = 0; i < m; ++i) {
            std::vector<double> z(n);
            for (std::size_t p = 0; p < n; ++p)
                z[p] = standardized_error(problem.targets[i], prev.simulated[p * m + i],
                                          problem.distance);
            const double centre = median(z);
            for (double& x : z)
                x = std::abs(x - centre);
            const double mad = median(z);
            expected[i] = 1 / (mad * mad);
        }
        const double mean = (expected[0] + expected[1]) / 2;
        INFO("generation " << g);
        CHECK(one[g].distance_weights[0] == Approx(expected[0] / mean).epsilon(1e-12));
        CHECK(one[g].distance_weights[1] == Approx(expected[1] / mean).epsilon(1e-12));
    }
    // The two targets' spreads differ, so the weights do too.
    const auto& w = one.back().distance_weights;
    CHECK(w[0] != Approx(w[1]));
}

TEST_CASE("Posterior predictive: fresh simulations from the weighted particles",
          "[calibration][stochastic]") {
    // A fresh ybar given the data is N(mean, sd^2 + 0.25) under the ABC target
    // (near normal at this tolerance). The accepted simulations of the last
    // generation all lie within h of the observation, so a predictive made of
    // them would have a 90% interval narrower than 2h < 0.2 instead of ~2.2.
    const Problem problem = toy_problem();
    const AbcSettings settings = toy_settings();
    const auto gens =
        run_abc_smc(problem, settings, openmp_evaluator(problem.simulate, 2), {}, nullptr, nullptr);
    const Generation& last = gens.back();
    const double h = std::sqrt(last.tolerance);
    REQUIRE(h < 0.1);
    const int draws = 4000;
    const auto one = posterior_predictive(problem, gens, settings.seed, draws,
                                          openmp_evaluator(problem.simulate, 1));
    const auto two = posterior_predictive(problem, gens, settings.seed, draws,
                                          openmp_evaluator(problem.simulate, 2));
    CHECK(one.simulated == two.simulated);
    CHECK(one.particle == two.particle);
    REQUIRE(one.particle.size() == static_cast<std::size_t>(draws));
    CHECK(one.generation == static_cast<std::int64_t>(gens.size() - 1));
    for (std::size_t i = 0; i < one.particle.size(); ++i)
        CHECK(one.parameters[i] == last.particles[static_cast<std::size_t>(one.particle[i])]);

    const auto [abc_mean, abc_sd] = abc_target_moments(h);
    const double sd = std::sqrt(abc_sd * abc_sd + kNoiseSd * kNoiseSd);
    // Standard errors: a quantile of M draws, sqrt(q (1 - q) / M) / density there,
    // plus the particles' own error in the mean (sd / sqrt(ESS)) and sd.
    const auto density = [&](double z) { return std::exp(-0.5 * z * z) / (2.5066 * sd); };
    const double se_median =
        std::hypot(std::sqrt(0.25 / draws) / density(0), abc_sd / std::sqrt(last.ess));
    const double se_width = std::hypot(2 * std::sqrt(0.05 * 0.95 / draws) / density(1.645),
                                       2 * 1.645 * abc_sd / sd * abc_sd / std::sqrt(2 * last.ess));
    INFO("median " << one.median[0] << ", 90% [" << one.lower90[0] << ", " << one.upper90[0]
                   << "]; expected " << abc_mean << ", width " << 2 * 1.645 * sd);
    CHECK(std::abs(one.median[0] - abc_mean) < 4 * se_median);
    CHECK(std::abs(one.upper90[0] - one.lower90[0] - 2 * 1.645 * sd) < 4 * se_width);
}

TEST_CASE("The report's 'of prior' is the 90% interval's width over the prior's 90% width",
          "[calibration]") {
    // Particles evenly spread over each prior (on its internal scale), equally
    // weighted: the 90% interval is the prior's 90%, a ratio of 1; the same
    // particles squeezed into a tenth of the prior give 0.1.
    Problem problem;
    Prior a, b;
    a.name = "a";
    a.kind = PriorKind::uniform;
    a.lower = 0;
    a.upper = 10;
    b.name = "b";
    b.kind = PriorKind::log_uniform;
    b.lower = 1;
    b.upper = 1000;
    problem.priors = {a, b};
    for (const double squeeze : {1.0, 0.1}) {
        PosteriorGeneration gen;
        for (int k = 0; k <= 100; ++k) {
            gen.particles.push_back(squeeze * k * 0.1);                // 0 .. 10 x squeeze
            gen.particles.push_back(std::pow(10, squeeze * k * 0.03)); // 1 .. 1000^squeeze
            gen.weights.push_back(1.0 / 101);
            gen.distances.push_back(k);
        }
        const auto summary = summarise_parameters(problem, gen);
        REQUIRE(summary.size() == 2);
        CHECK(summary[0].width_ratio == Approx(squeeze).epsilon(1e-12));
        CHECK(summary[1].width_ratio == Approx(squeeze).epsilon(1e-12));
    }
}
