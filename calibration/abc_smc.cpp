#include "calibration/abc_smc.hpp"

#include "io/numbers.hpp"
#include "sim/errors.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace khorgos::calibration {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

/// Density of the joint prior on the internal scale (log for log-uniform priors).
double prior_density(const Problem& problem, const VectorXd& u) {
    double density = 1;
    for (std::size_t j = 0; j < problem.priors.size(); ++j)
        density *= problem.priors[j].internal_density(u(static_cast<long>(j)));
    return density;
}

double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

/// Generation 0's proposal when started from a point fit (see abc_smc.hpp): the
/// prior with probability kStartPriorShare, else independent normals around the
/// fit truncated to the prior bounds, all on the internal scale.
struct StartProposal {
    std::vector<double> centre, sd, lower, upper;
};

StartProposal make_start(const Problem& problem, const AbcSettings& s) {
    if (s.start_point.size() != problem.priors.size())
        throw RuntimeError("ABC-SMC: a start from the fit needs the fit's parameter values");
    StartProposal q;
    for (std::size_t j = 0; j < problem.priors.size(); ++j) {
        const Prior& p = problem.priors[j];
        q.lower.push_back(p.to_internal(p.lower));
        q.upper.push_back(p.to_internal(p.upper));
        q.centre.push_back(std::clamp(p.to_internal(s.start_point[j]), q.lower[j], q.upper[j]));
        q.sd.push_back(s.start_width * p.internal_sd());
    }
    return q;
}

double start_density(const Problem& problem, const StartProposal& q, const VectorXd& u) {
    double normal = 1;
    for (std::size_t j = 0; j < q.centre.size(); ++j) {
        const double x = u(static_cast<long>(j));
        if (x < q.lower[j] || x > q.upper[j]) return 0;
        const double z = (x - q.centre[j]) / q.sd[j];
        const double mass = normal_cdf((q.upper[j] - q.centre[j]) / q.sd[j]) -
                            normal_cdf((q.lower[j] - q.centre[j]) / q.sd[j]);
        normal *= std::exp(-0.5 * z * z) / (q.sd[j] * 2.5066282746310002 * mass); // sqrt(2 pi)
    }
    return kStartPriorShare * prior_density(problem, u) + (1 - kStartPriorShare) * normal;
}

/// Everything the proposal step of one generation needs from the previous one.
struct Kernel {
    MatrixXd particles; // N x d, internal scale
    VectorXd weights;
    std::vector<double> cumulative;
    MatrixXd chol; // lower Cholesky factor of the kernel covariance
    MatrixXd chol_inverse;
};

Kernel make_kernel(const Problem& problem, const Generation& prev, double scale) {
    const std::size_t d = problem.priors.size();
    const std::size_t n = prev.weights.size();
    Kernel k;
    k.particles.resize(static_cast<long>(n), static_cast<long>(d));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j)
            k.particles(static_cast<long>(i), static_cast<long>(j)) =
                problem.priors[j].to_internal(prev.particles[i * d + j]);
    k.weights = Eigen::Map<const VectorXd>(prev.weights.data(), static_cast<long>(n));
    k.weights /= k.weights.sum();
    double c = 0;
    for (std::size_t i = 0; i < n; ++i)
        k.cumulative.push_back(c += k.weights(static_cast<long>(i)));
    const VectorXd mean = k.particles.transpose() * k.weights;
    const MatrixXd centred = k.particles.rowwise() - mean.transpose();
    MatrixXd cov = centred.transpose() * k.weights.asDiagonal() * centred;
    cov /= std::max(1e-12, 1 - k.weights.squaredNorm()); // unbiased for weighted samples
    cov *= scale;
    // A collapsed dimension (all particles equal) still needs some spread.
    for (std::size_t j = 0; j < d; ++j) {
        const Prior& p = problem.priors[j];
        const double width = p.to_internal(p.upper) - p.to_internal(p.lower);
        const long jj = static_cast<long>(j);
        cov(jj, jj) = std::max(cov(jj, jj), std::pow(1e-6 * width, 2));
    }
    Eigen::LLT<MatrixXd> llt(cov);
    if (llt.info() != Eigen::Success) {
        cov += MatrixXd::Identity(static_cast<long>(d), static_cast<long>(d)) * 1e-9 * cov.trace();
        llt.compute(cov);
    }
    k.chol = llt.matrixL();
    k.chol_inverse = k.chol.triangularView<Eigen::Lower>().solve(
        MatrixXd::Identity(static_cast<long>(d), static_cast<long>(d)));
    return k;
}

/// Proposal k of generation g: from the prior, from the start proposal, or a
/// perturbed ancestor within the prior bounds.
std::vector<double> propose(const Problem& problem, const AbcSettings& s, const Kernel* kernel,
                            const StartProposal* start, std::uint64_t k, std::uint32_t g) {
    RandomStream stream = calibration_stream(s.seed, k, g, CalibrationStream::proposal);
    const std::size_t d = problem.priors.size();
    std::vector<double> theta(d);
    if (start && stream.uniform() >= kStartPriorShare) {
        for (std::size_t j = 0; j < d; ++j) {
            double x = NAN;
            for (int attempt = 0;
                 attempt < 100000 && !(x >= start->lower[j] && x <= start->upper[j]); ++attempt)
                x = start->centre[j] + start->sd[j] * stream.normal();
            if (!(x >= start->lower[j] && x <= start->upper[j]))
                throw RuntimeError("ABC-SMC: no start proposal inside the prior bounds");
            theta[j] = problem.priors[j].from_internal(x);
        }
        return theta;
    }
    if (!kernel && s.start == AbcStart::history_matching) {
        const std::size_t rows = s.region_sample.size() / d;
        if (rows == 0) throw RuntimeError("ABC-SMC: the non-implausible region has no sample");
        const std::size_t r = static_cast<std::size_t>(k % rows);
        theta.assign(s.region_sample.begin() + static_cast<long>(r * d),
                     s.region_sample.begin() + static_cast<long>((r + 1) * d));
        return theta;
    }
    if (!kernel) {
        for (std::size_t j = 0; j < d; ++j)
            theta[j] = problem.priors[j].sample(stream);
        return theta;
    }
    for (int attempt = 0; attempt < 100000; ++attempt) {
        const double u = stream.uniform();
        const auto it = std::lower_bound(kernel->cumulative.begin(), kernel->cumulative.end(), u);
        const long a = std::min<long>(static_cast<long>(it - kernel->cumulative.begin()),
                                      static_cast<long>(kernel->cumulative.size()) - 1);
        VectorXd z(static_cast<long>(d));
        for (std::size_t j = 0; j < d; ++j)
            z(static_cast<long>(j)) = stream.normal();
        const VectorXd x = kernel->particles.row(a).transpose() + kernel->chol * z;
        bool inside = true;
        for (std::size_t j = 0; j < d; ++j) {
            theta[j] = problem.priors[j].from_internal(x(static_cast<long>(j)));
            if (!problem.priors[j].contains(theta[j]) ||
                problem.priors[j].internal_density(x(static_cast<long>(j))) <= 0)
                inside = false;
        }
        if (inside && (!s.region || s.region(theta))) return theta;
    }
    throw RuntimeError("ABC-SMC: no proposal inside the prior bounds" +
                       std::string(s.region ? " and the non-implausible region" : "") +
                       " after 100000 attempts");
}

/// Per-target distance weights from the previous generation's simulated values:
/// 1 / MAD^2 of each fitted target's z (pyABC's adaptive distance), normalised to mean 1.
std::vector<double> adaptive_weights(const Problem& problem, const Generation& prev) {
    const std::size_t m = problem.targets.size();
    const std::size_t n = prev.weights.size();
    std::vector<double> w(m, 0.0);
    double sum = 0;
    int count = 0;
    for (std::size_t i = 0; i < m; ++i) {
        if (!problem.fitted[i]) continue;
        std::vector<double> z(n);
        for (std::size_t p = 0; p < n; ++p)
            z[p] =
                standardized_error(problem.targets[i], prev.simulated[p * m + i], problem.distance);
        std::vector<double> sorted = z;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n / 2), sorted.end());
        const double median = sorted[n / 2];
        for (std::size_t p = 0; p < n; ++p)
            sorted[p] = std::abs(z[p] - median);
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n / 2), sorted.end());
        const double mad = std::max(sorted[n / 2], 1e-3);
        w[i] = 1 / (mad * mad);
        sum += w[i];
        ++count;
    }
    for (double& v : w)
        v = v * count / sum;
    return w;
}

bool budget_reached(const AbcSettings& s, std::uint64_t used) {
    return s.max_simulations > 0 && used >= s.max_simulations;
}

} // namespace

std::string stopping_reason(const AbcSettings& s, const std::vector<Generation>& gens) {
    if (gens.empty()) return "";
    const Generation& last = gens.back();
    std::uint64_t used = 0;
    for (const auto& g : gens)
        used += g.simulations;
    if (gens.size() > 1 && last.tolerance <= s.min_tolerance) return "minimum tolerance reached";
    if (gens.size() > 1 && last.acceptance < s.min_acceptance)
        return "acceptance rate below minimum";
    // A generation needs at least `particles` simulations: do not start one that cannot finish.
    if (budget_reached(s, used + static_cast<std::uint64_t>(s.particles)))
        return "simulation budget used";
    if (static_cast<int>(gens.size()) >= s.max_generations) return "maximum number of generations";
    // Tolerances are comparable only under the same distance weights.
    if (gens.size() > 1 && s.min_tolerance_drop > 0) {
        const Generation& prev = gens[gens.size() - 2];
        if (std::isfinite(prev.tolerance) && prev.distance_weights == last.distance_weights &&
            last.tolerance > (1 - s.min_tolerance_drop) * prev.tolerance)
            return "the tolerance stopped falling";
    }
    return "";
}

std::vector<Generation> run_abc_smc(const Problem& problem, const AbcSettings& s,
                                    const BatchEvaluator& evaluate, std::vector<Generation> gens,
                                    const GenerationCallback& on_generation,
                                    const std::function<void(const std::string&)>& log) {
    const std::size_t d = problem.priors.size();
    const std::size_t m = problem.targets.size();
    const std::size_t n = static_cast<std::size_t>(s.particles);
    const int reps = std::max(1, problem.replicates);
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    std::uint64_t used = 0;
    for (const auto& g : gens)
        used += g.simulations;

    while (stopping_reason(s, gens).empty()) {
        const auto g_start = clock::now();
        const std::uint32_t g = static_cast<std::uint32_t>(gens.size());
        Generation gen;
        double tolerance = std::numeric_limits<double>::infinity();
        Kernel kernel;
        gen.distance_weights.assign(m, 1.0);
        if (g > 0) {
            const Generation& prev = gens.back();
            gen.distance_weights =
                problem.adaptive_weights ? adaptive_weights(problem, prev) : prev.distance_weights;
            std::vector<std::pair<double, double>> dw;
            for (std::size_t p = 0; p < prev.weights.size(); ++p) {
                const std::vector<double> sim(prev.simulated.begin() + static_cast<long>(p * m),
                                              prev.simulated.begin() +
                                                  static_cast<long>((p + 1) * m));
                dw.emplace_back(distance(problem, sim, gen.distance_weights), prev.weights[p]);
            }
            tolerance = std::max(weighted_quantile(dw, s.quantile), s.min_tolerance);
            kernel = make_kernel(problem, prev, s.kernel_scale);
        }
        // From a fit, generation 0 samples the start proposal and takes its
        // tolerance from its first N proposals (the pilot).
        const bool from_fit = g == 0 && s.start == AbcStart::fit;
        StartProposal start_proposal;
        if (from_fit) start_proposal = make_start(problem, s);
        // Batch sizes only trade idle cores against wasted simulations: results
        // do not depend on them (proposals are numbered and kept in order).
        const double expected_acceptance =
            g == 0 ? (from_fit ? s.quantile : 1.0) : std::max(0.01, 0.75 * gens.back().acceptance);

        // Numbered proposals, run in batches; the first n accepted by number are kept.
        struct Accepted {
            std::vector<double> theta, simulated;
            double distance;
        };
        std::vector<Accepted> accepted;
        std::uint64_t next = 0, counted = 0, executed = 0;
        bool out_of_budget = false;
        while (accepted.size() < n && !out_of_budget) {
            std::uint64_t size = static_cast<std::uint64_t>(
                std::ceil(static_cast<double>(n - accepted.size()) / expected_acceptance));
            size = std::clamp<std::uint64_t>(size, 8, 4 * n + 64);
            const bool pilot = from_fit && next == 0;
            if (pilot) size = n;
            if (s.max_simulations > 0) {
                const std::uint64_t left = s.max_simulations > used + next * reps
                                               ? (s.max_simulations - used - next * reps) / reps
                                               : 0;
                size = std::min(size, left);
                if (size == 0) {
                    out_of_budget = true;
                    break;
                }
            }
            std::vector<Evaluation> batch(size);
            for (std::uint64_t i = 0; i < size; ++i) {
                const std::uint64_t k = next + i;
                batch[i].theta = propose(problem, s, g > 0 ? &kernel : nullptr,
                                         from_fit ? &start_proposal : nullptr, k, g);
                for (int r = 0; r < reps; ++r)
                    batch[i].seeds.push_back(
                        simulation_seed(s.seed, k, g, static_cast<std::uint32_t>(r)));
                // Exact only for a single replicate (a mean's terms may fall as replicates add).
                if (reps == 1 && std::isfinite(tolerance) && !pilot)
                    batch[i].keep_going = early_rejection(problem, gen.distance_weights, tolerance);
            }
            const auto results = evaluate(batch);
            executed += size * static_cast<std::uint64_t>(reps);
            std::vector<double> distances(size);
            for (std::uint64_t i = 0; i < size; ++i)
                distances[i] = distance(problem, results[i], gen.distance_weights);
            if (pilot) {
                std::vector<std::pair<double, double>> dw;
                for (double dist : distances)
                    dw.emplace_back(dist, 1.0);
                tolerance = std::max(weighted_quantile(dw, s.quantile), s.min_tolerance);
            }
            for (std::uint64_t i = 0; i < size && accepted.size() < n; ++i) {
                counted = next + i + 1;
                if (distances[i] <= tolerance)
                    accepted.push_back({batch[i].theta, results[i], distances[i]});
            }
            next += size;
        }
        if (accepted.size() < n) {
            if (log)
                log("generation " + std::to_string(g) + " stopped: simulation budget used before " +
                    std::to_string(n) + " particles were accepted (discarded)");
            break;
        }

        // Importance weights: prior / proposal density (the start proposal, or the
        // mixture of the kernels around the previous particles).
        gen.tolerance = tolerance;
        for (const auto& a : accepted) {
            gen.particles.insert(gen.particles.end(), a.theta.begin(), a.theta.end());
            gen.simulated.insert(gen.simulated.end(), a.simulated.begin(), a.simulated.end());
            gen.distances.push_back(a.distance);
            const bool from_region = g == 0 && s.start == AbcStart::history_matching;
            if (g == 0 && !from_fit && !from_region) {
                gen.weights.push_back(1.0);
                continue;
            }
            VectorXd u(static_cast<long>(d));
            for (std::size_t j = 0; j < d; ++j)
                u(static_cast<long>(j)) = problem.priors[j].to_internal(a.theta[j]);
            const double prior = prior_density(problem, u);
            if (from_region) { // drawn uniformly from the region (internal scale)
                gen.weights.push_back(prior);
                continue;
            }
            if (from_fit) {
                gen.weights.push_back(prior / start_density(problem, start_proposal, u));
                continue;
            }
            double mixture = 0;
            for (long p = 0; p < kernel.particles.rows(); ++p) {
                const VectorXd z = kernel.chol_inverse * (u - kernel.particles.row(p).transpose());
                mixture += kernel.weights(p) * std::exp(-0.5 * z.squaredNorm());
            }
            gen.weights.push_back(prior / mixture);
        }
        double total = 0;
        for (double w : gen.weights)
            total += w;
        double squares = 0;
        for (double& w : gen.weights) {
            w /= total;
            squares += w * w;
        }
        gen.ess = 1 / squares;
        gen.proposals = counted;
        gen.simulations = counted * static_cast<std::uint64_t>(reps);
        gen.acceptance = static_cast<double>(n) / static_cast<double>(counted);
        gen.seconds = std::chrono::duration<double>(clock::now() - g_start).count();
        used += gen.simulations;
        gens.push_back(std::move(gen));
        if (on_generation) on_generation(gens);

        if (log) {
            const Generation& last = gens.back();
            const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
            const double per_sim =
                last.seconds / static_cast<double>(std::max<std::uint64_t>(1, executed));
            // ETA: the remaining generations, each at twice this one's cost (the
            // acceptance roughly halves per generation), capped by the budget.
            const int left = s.max_generations - static_cast<int>(gens.size());
            double eta = 0;
            for (int i = 1; i <= left; ++i)
                eta += last.seconds * std::pow(2.0, i);
            if (s.max_simulations > 0)
                eta = std::min(eta, per_sim * static_cast<double>(s.max_simulations > used
                                                                      ? s.max_simulations - used
                                                                      : 0));
            char line[320];
            std::snprintf(line, sizeof line,
                          "generation %u: tolerance %.4g, acceptance %.3f (%d/%llu), ESS %.1f, "
                          "simulations %llu (total %llu, run %llu), %s, elapsed %s, ETA <= %s",
                          g, last.tolerance, last.acceptance, s.particles,
                          static_cast<unsigned long long>(last.proposals), last.ess,
                          static_cast<unsigned long long>(last.simulations),
                          static_cast<unsigned long long>(used),
                          static_cast<unsigned long long>(executed), duration(last.seconds).c_str(),
                          duration(elapsed).c_str(),
                          stopping_reason(s, gens).empty() ? duration(eta).c_str() : "0s");
            log(line);
        }
    }
    return gens;
}

} // namespace khorgos::calibration
