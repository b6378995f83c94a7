#include "calibration/point_fit.hpp"

#include "sim/errors.hpp"

#include <nlopt.hpp>

#include <cmath>
#include <cstdio>
#include <limits>

namespace khorgos::calibration {

namespace {
nlopt::algorithm algorithm_of(const std::string& name) {
    if (name == "LN_BOBYQA") return nlopt::LN_BOBYQA;
    if (name == "LN_NELDERMEAD") return nlopt::LN_NELDERMEAD;
    if (name == "LN_SBPLX") return nlopt::LN_SBPLX;
    if (name == "LN_COBYLA") return nlopt::LN_COBYLA;
    throw InputError("", 0, 0, "fit.algorithm",
                     "unknown algorithm '" + name +
                         "' (LN_BOBYQA, LN_NELDERMEAD, LN_SBPLX, LN_COBYLA)");
}
} // namespace

bool known_fit_algorithm(const std::string& name) {
    return name == "LN_BOBYQA" || name == "LN_NELDERMEAD" || name == "LN_SBPLX" ||
           name == "LN_COBYLA";
}

FitResult point_fit(const Problem& problem, const FitSettings& s, const BatchEvaluator& evaluate,
                    const std::function<void(const std::string&)>& log) {
    const std::size_t d = problem.priors.size();
    const std::size_t m = problem.targets.size();
    nlopt::opt opt(algorithm_of(s.algorithm), static_cast<unsigned>(d));
    std::vector<double> lower(d), upper(d), x(d);
    for (std::size_t j = 0; j < d; ++j) {
        const Prior& p = problem.priors[j];
        lower[j] = p.to_internal(p.lower);
        upper[j] = p.to_internal(p.upper);
        const double start = j < s.start.size() ? s.start[j]
                             : p.kind == PriorKind::normal
                                 ? p.mean
                                 : p.from_internal(0.5 * (lower[j] + upper[j]));
        x[j] = std::clamp(p.to_internal(start), lower[j], upper[j]);
    }
    opt.set_lower_bounds(lower);
    opt.set_upper_bounds(upper);
    opt.set_maxeval(s.max_evaluations);
    opt.set_xtol_rel(1e-4);
    std::vector<double> step(d);
    for (std::size_t j = 0; j < d; ++j)
        step[j] = 0.1 * (upper[j] - lower[j]);
    opt.set_initial_step(step);

    // Common random numbers: the same replicate seeds at every evaluation.
    std::vector<std::uint64_t> seeds;
    for (int r = 0; r < std::max(1, s.replicates); ++r)
        seeds.push_back(simulation_seed(s.seed, 0, kFitGeneration, static_cast<std::uint32_t>(r)));

    FitResult best;
    best.distance = std::numeric_limits<double>::infinity();
    struct Context {
        const Problem* problem;
        const BatchEvaluator* evaluate;
        const std::vector<std::uint64_t>* seeds;
        FitResult* best;
        const std::function<void(const std::string&)>* log;
        std::size_t m;
    } context{&problem, &evaluate, &seeds, &best, &log, m};
    auto objective = [](unsigned n, const double* u, double*, void* data) -> double {
        auto& c = *static_cast<Context*>(data);
        std::vector<Evaluation> batch;
        std::vector<double> theta(n);
        for (unsigned j = 0; j < n; ++j)
            theta[j] = c.problem->priors[j].from_internal(u[j]);
        for (std::uint64_t seed : *c.seeds)
            batch.push_back({theta, {seed}, nullptr});
        const auto results = (*c.evaluate)(batch);
        double mean_distance = 0;
        std::vector<double> mean(c.m, 0.0);
        for (const auto& r : results) {
            mean_distance += distance(*c.problem, r, {});
            for (std::size_t i = 0; i < c.m; ++i)
                mean[i] += r[i] / static_cast<double>(results.size());
        }
        mean_distance /= static_cast<double>(results.size());
        ++c.best->evaluations;
        if (mean_distance < c.best->distance) {
            c.best->distance = mean_distance;
            c.best->theta = theta;
            c.best->simulated = mean;
            if (*c.log) {
                char line[64];
                std::snprintf(line, sizeof line, "fit evaluation %d: distance %.5g",
                              c.best->evaluations, mean_distance);
                (*c.log)(line);
            }
        }
        return mean_distance;
    };
    opt.set_min_objective(objective, &context);
    double value = 0;
    try {
        const nlopt::result r = opt.optimize(x, value);
        best.status = r == nlopt::MAXEVAL_REACHED ? "maximum evaluations reached" : "converged";
    } catch (const nlopt::roundoff_limited&) {
        best.status = "stopped by roundoff";
    } catch (const std::runtime_error& e) {
        if (best.theta.empty()) throw;
        best.status = std::string("stopped: ") + e.what();
    }
    return best;
}

} // namespace khorgos::calibration
