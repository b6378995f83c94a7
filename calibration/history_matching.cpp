#include "calibration/history_matching.hpp"

#include "sim/errors.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>

namespace khorgos::calibration {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// The first wave filters this many uniform draws from the box per point of the
// region's sample: a region of 1% of the box still leaves ~100 draws to start
// the random walks from.
constexpr int kBoxDrawsPerPoint = 10;
// Metropolis steps per refilled point: enough to move away from the point a
// chain starts at (acceptance is high inside the region, the steps are of the
// region's own size), not enough to cost more than the emulator fits.
constexpr int kWalkSteps = 20;

int resolved_order(const Problem& problem, const HistoryMatchingSettings& s) {
    if (s.order > 0) return s.order;
    const auto fitted = std::count(problem.fitted.begin(), problem.fitted.end(), true);
    return fitted < 10 ? 1 : 2;
}

VectorXd row(const std::vector<double>& values, std::size_t i, std::size_t width) {
    VectorXd v(static_cast<long>(width));
    for (std::size_t j = 0; j < width; ++j)
        v(static_cast<long>(j)) = values[i * width + j];
    return v;
}

/// Runs `body(i)` for i in [0, n) on `threads` threads; rethrows the first failure.
template <typename Body> void parallel_for(long n, int threads, const Body& body) {
    std::exception_ptr failure;
    std::mutex mutex;
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, threads))
    for (long i = 0; i < n; ++i) {
        try {
            body(i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

} // namespace

// ---------------------------------------------------------------------------
// The region

NonImplausibleRegion::NonImplausibleRegion(const Problem& problem,
                                           const HistoryMatchingSettings& settings,
                                           const std::vector<Wave>& waves)
    : problem_(problem), cutoff_(settings.cutoff), order_(resolved_order(problem, settings)),
      kernel_(settings.kernel) {
    for (const Wave& w : waves)
        add(w);
}

void NonImplausibleRegion::add(const Wave& wave) {
    const std::size_t d = problem_.priors.size();
    const std::size_t m = problem_.targets.size();
    const std::size_t t = wave.train_x.size() / d;
    MatrixXd x(static_cast<long>(t), static_cast<long>(d));
    for (std::size_t i = 0; i < t; ++i)
        x.row(static_cast<long>(i)) = row(wave.train_x, i, d).transpose();
    std::vector<std::optional<Emulator>> emulators(m);
    for (std::size_t i = 0; i < m; ++i) {
        if (!problem_.fitted[i]) continue;
        VectorXd y(static_cast<long>(t));
        for (std::size_t p = 0; p < t; ++p)
            y(static_cast<long>(p)) = wave.train_y[p * m + i];
        EmulatorHyper hp;
        hp.length_scales.assign(wave.length_scales.begin() + static_cast<long>(i * d),
                                wave.length_scales.begin() + static_cast<long>((i + 1) * d));
        hp.nugget = wave.nugget[i];
        emulators[i].emplace(x, y, kernel_, hp);
    }
    emulators_.push_back(std::move(emulators));
    sim_variance_.push_back(wave.sim_variance);
}

VectorXd NonImplausibleRegion::to_unit(const std::vector<double>& theta) const {
    VectorXd u(static_cast<long>(theta.size()));
    for (std::size_t j = 0; j < theta.size(); ++j) {
        const Prior& p = problem_.priors[j];
        const double a = p.to_internal(p.lower), b = p.to_internal(p.upper);
        u(static_cast<long>(j)) = (p.to_internal(theta[j]) - a) / (b - a);
    }
    return u;
}

std::vector<double> NonImplausibleRegion::from_unit(const VectorXd& u) const {
    std::vector<double> theta(static_cast<std::size_t>(u.size()));
    for (std::size_t j = 0; j < theta.size(); ++j) {
        const Prior& p = problem_.priors[j];
        const double a = p.to_internal(p.lower), b = p.to_internal(p.upper);
        // Clamped: exp(log(x)) may fall a rounding error outside the bounds.
        theta[j] =
            std::clamp(p.from_internal(a + u(static_cast<long>(j)) * (b - a)), p.lower, p.upper);
    }
    return theta;
}

namespace {
/// Variance of the comparison that is not the emulator's: observation error and discrepancy.
double fixed_variance(const Target& t) {
    return t.total_sd() * t.total_sd();
}
/// Distance of an emulated value from the figure (0 inside a band), on the comparison scale.
double miss(const Target& t, double expected, DistanceKind kind) {
    const double lo = comparison_scale(t, t.lower, kind);
    const double hi = comparison_scale(t, t.upper, kind);
    return expected < lo ? lo - expected : expected > hi ? expected - hi : 0.0;
}
} // namespace

std::vector<double> NonImplausibleRegion::implausibilities(const VectorXd& u, std::size_t w) const {
    std::vector<double> out(problem_.targets.size(), NAN);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto& e = emulators_[w][i];
        if (!e) continue;
        const Target& t = problem_.targets[i];
        const auto p = e->predict(u);
        out[i] = miss(t, p.mean, problem_.distance) /
                 std::sqrt(fixed_variance(t) + p.variance + sim_variance_[w][i]);
    }
    return out;
}

bool NonImplausibleRegion::contains_unit(const VectorXd& u, int waves) const {
    for (long j = 0; j < u.size(); ++j)
        if (!(u(j) >= 0 && u(j) <= 1)) return false;
    const std::size_t n = waves < 0 ? emulators_.size() : static_cast<std::size_t>(waves);
    for (std::size_t w = 0; w < n; ++w) {
        int over = 0;
        for (std::size_t i = 0; i < problem_.targets.size(); ++i) {
            const auto& e = emulators_[w][i];
            if (!e) continue;
            // The emulator's variance only lowers I: a target met without it is met
            // (and the mean costs O(n) where the variance costs O(n^2)).
            const Target& t = problem_.targets[i];
            const double others = fixed_variance(t) + sim_variance_[w][i];
            const double gap = miss(t, e->predict_mean(u), problem_.distance);
            if (gap <= cutoff_ * std::sqrt(others)) continue;
            const double v_em = e->predict(u).variance;
            if (gap > cutoff_ * std::sqrt(others + v_em) && ++over >= order_) return false;
        }
    }
    return true;
}

bool NonImplausibleRegion::contains(const std::vector<double>& theta) const {
    return contains_unit(to_unit(theta));
}

std::vector<double> NonImplausibleRegion::emulator_shares(const std::vector<VectorXd>& points,
                                                          std::size_t w) const {
    std::vector<double> share(problem_.targets.size(), NAN);
    for (std::size_t i = 0; i < share.size(); ++i) {
        const auto& e = emulators_[w][i];
        if (!e || points.empty()) continue;
        const double others = fixed_variance(problem_.targets[i]) + sim_variance_[w][i];
        double sum = 0;
        for (const auto& u : points)
            sum += e->predict(u).variance / others;
        share[i] = sum / static_cast<double>(points.size());
    }
    return share;
}

// ---------------------------------------------------------------------------
// Designs

MatrixXd maximin_lhs(int n, int d, std::uint64_t seed, std::uint32_t id, int tries) {
    MatrixXd best;
    double best_distance = -1;
    for (int attempt = 0; attempt < tries; ++attempt) {
        RandomStream s = calibration_stream(seed, id, static_cast<std::uint32_t>(attempt),
                                            CalibrationStream::design);
        MatrixXd x(n, d);
        for (int j = 0; j < d; ++j) {
            std::vector<int> cells(static_cast<std::size_t>(n));
            std::iota(cells.begin(), cells.end(), 0);
            for (int i = n - 1; i > 0; --i) // Fisher-Yates with our own stream
                std::swap(cells[static_cast<std::size_t>(i)],
                          cells[static_cast<std::size_t>(s.uniform() * (i + 1))]);
            for (int i = 0; i < n; ++i)
                x(i, j) = (cells[static_cast<std::size_t>(i)] + s.uniform()) / n;
        }
        double smallest = std::numeric_limits<double>::infinity();
        for (int a = 0; a < n; ++a)
            for (int b = 0; b < a; ++b)
                smallest = std::min(smallest, (x.row(a) - x.row(b)).squaredNorm());
        if (smallest > best_distance) {
            best_distance = smallest;
            best = x;
        }
    }
    return best;
}

namespace {

/// n points of `pool` chosen greedily, each the farthest from those chosen so
/// far (starting from the pool's first point, which is a random one).
std::vector<VectorXd> greedy_maximin(const std::vector<VectorXd>& pool, int n) {
    std::vector<VectorXd> chosen;
    std::vector<double> nearest(pool.size(), std::numeric_limits<double>::infinity());
    std::size_t next = 0;
    for (int k = 0; k < n && k < static_cast<int>(pool.size()); ++k) {
        chosen.push_back(pool[next]);
        std::size_t farthest = 0;
        for (std::size_t p = 0; p < pool.size(); ++p) {
            nearest[p] = std::min(nearest[p], (pool[p] - pool[next]).squaredNorm());
            if (nearest[p] > nearest[farthest]) farthest = p;
        }
        next = farthest;
    }
    return chosen;
}

/// Points of the region's sample in unit coordinates.
std::vector<VectorXd> unit_points(const NonImplausibleRegion& region,
                                  const std::vector<double>& values, std::size_t d) {
    std::vector<VectorXd> out;
    for (std::size_t i = 0; i < values.size() / d; ++i) {
        const std::vector<double> theta(values.begin() + static_cast<long>(i * d),
                                        values.begin() + static_cast<long>((i + 1) * d));
        out.push_back(region.to_unit(theta));
    }
    return out;
}

/// Refills the region's sample to `size` points by random walks from the points
/// `kept`: a Metropolis chain whose target is uniform on the region accepts every
/// proposal inside it, so its points spread over the region at any size.
std::vector<VectorXd> refill(const NonImplausibleRegion& region, const std::vector<VectorXd>& kept,
                             int size, std::uint64_t seed, std::uint32_t wave, int threads) {
    std::vector<VectorXd> out(kept.begin(), kept.begin() + std::min<long>(size, kept.size()));
    if (kept.empty() || static_cast<int>(out.size()) >= size) return out;
    const long d = kept[0].size();
    // Proposal: the kept points' covariance scaled by 2.38^2 / d (Roberts et al.
    // 1997), or steps of 5% of the box while too few points give a covariance.
    MatrixXd cov = MatrixXd::Identity(d, d) * 0.05 * 0.05;
    if (static_cast<long>(kept.size()) > d + 1) {
        VectorXd mean = VectorXd::Zero(d);
        for (const auto& k : kept)
            mean += k;
        mean /= static_cast<double>(kept.size());
        MatrixXd c = MatrixXd::Zero(d, d);
        for (const auto& k : kept)
            c += (k - mean) * (k - mean).transpose();
        c /= static_cast<double>(kept.size() - 1);
        cov = c * (2.38 * 2.38 / static_cast<double>(d)) + MatrixXd::Identity(d, d) * 1e-10;
    }
    const MatrixXd chol = Eigen::LLT<MatrixXd>(cov).matrixL();
    const std::size_t start = out.size();
    out.resize(static_cast<std::size_t>(size));
    parallel_for(static_cast<long>(size) - static_cast<long>(start), threads, [&](long c) {
        RandomStream s = calibration_stream(seed, static_cast<std::uint64_t>(c), 2 * wave + 1,
                                            CalibrationStream::region);
        VectorXd x = kept[static_cast<std::size_t>(c) % kept.size()];
        VectorXd z(d);
        for (int step = 0; step < kWalkSteps; ++step) {
            for (long j = 0; j < d; ++j)
                z(j) = s.normal();
            const VectorXd candidate = x + chol * z;
            if (region.contains_unit(candidate)) x = candidate;
        }
        out[start + static_cast<std::size_t>(c)] = x;
    });
    return out;
}

std::string format_share(double share) {
    char buffer[32];
    if (share >= 0.01 || share == 0)
        std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * share);
    else
        std::snprintf(buffer, sizeof buffer, "%.2g%%", 100 * share);
    return buffer;
}

/// "largest", "2nd largest", ...
std::string ordinal(int order) {
    if (order == 1) return "largest";
    const char* suffix = order == 2 ? "nd" : order == 3 ? "rd" : "th";
    return std::to_string(order) + suffix + " largest";
}

std::uint64_t wave_simulations(const std::vector<Wave>& waves) {
    std::uint64_t used = 0;
    for (const auto& w : waves)
        used += w.simulations;
    return used;
}

} // namespace

std::string history_stopping_reason(const HistoryMatchingSettings& s,
                                    const std::vector<Wave>& waves) {
    const std::uint64_t next = static_cast<std::uint64_t>(s.points) *
                               static_cast<std::uint64_t>(std::max(1, s.replicates));
    if (!waves.empty()) {
        const Wave& last = waves.back();
        if (last.region.empty())
            return "the non-implausible region is empty (no sampled point meets the figures "
                   "within the cut-off)";
        if (static_cast<int>(waves.size()) >= s.max_waves) return "maximum number of waves";
        if (waves.size() >= 2 && last.kept > 1 - s.min_shrink)
            return "the region stopped shrinking (the last wave kept " + format_share(last.kept) +
                   " of it)";
        if (last.emulator_share < s.variance_ratio)
            return "the emulators' variance is small beside the other variances";
    }
    if (s.max_simulations > 0 && wave_simulations(waves) + next > s.max_simulations)
        return "simulation budget used";
    return "";
}

std::vector<Wave> run_history_matching(const Problem& problem, const HistoryMatchingSettings& s,
                                       const BatchEvaluator& evaluate, std::vector<Wave> waves,
                                       const WaveCallback& on_wave,
                                       const std::function<void(const std::string&)>& log) {
    const std::size_t d = problem.priors.size();
    const std::size_t m = problem.targets.size();
    const int reps = std::max(1, s.replicates);
    using clock = std::chrono::steady_clock;

    while (history_stopping_reason(s, waves).empty()) {
        const auto start = clock::now();
        const std::uint32_t w = static_cast<std::uint32_t>(waves.size());
        NonImplausibleRegion region(problem, s, waves);

        // The design, fixed before anything runs.
        std::vector<VectorXd> design;
        if (w == 0) {
            const MatrixXd lhs = maximin_lhs(s.points, static_cast<int>(d), s.seed, 0);
            for (long i = 0; i < lhs.rows(); ++i)
                design.push_back(lhs.row(i).transpose());
        } else {
            design = greedy_maximin(unit_points(region, waves.back().region, d), s.points);
        }
        Wave wave;
        std::vector<Evaluation> batch;
        for (std::size_t i = 0; i < design.size(); ++i) {
            const std::vector<double> theta = region.from_unit(design[i]);
            wave.design.insert(wave.design.end(), theta.begin(), theta.end());
            for (int r = 0; r < reps; ++r)
                batch.push_back({theta,
                                 {simulation_seed(s.seed, i, kWaveGeneration + w,
                                                  static_cast<std::uint32_t>(r))},
                                 nullptr});
        }
        const auto results = evaluate(batch);
        for (const auto& values : results)
            wave.simulated.insert(wave.simulated.end(), values.begin(), values.end());
        wave.simulations = batch.size();

        // Training data: this wave's points and the earlier ones inside the region.
        std::vector<double> comparison(wave.simulated.size());
        const auto compare_all = [&](const Wave& v, std::vector<double>& out) {
            out.resize(v.simulated.size());
            for (std::size_t k = 0; k < v.simulated.size(); ++k) {
                const std::size_t i = k % m;
                out[k] = problem.fitted[i] ? comparison_scale(problem.targets[i], v.simulated[k],
                                                              problem.distance)
                                           : NAN;
                if (problem.fitted[i] && !std::isfinite(v.simulated[k]))
                    throw RuntimeError("history matching: the simulation gives no value for "
                                       "target " +
                                       problem.targets[i].id + " " + problem.targets[i].period);
            }
        };
        std::vector<std::vector<double>> train_x;
        std::vector<std::vector<double>> train_y;
        for (std::size_t v = 0; v <= w; ++v) {
            const Wave& source = v == w ? wave : waves[v];
            std::vector<double> values;
            compare_all(source, values);
            const std::size_t points = source.design.size() / d;
            const std::size_t per_point = source.simulated.size() / (points * m);
            for (std::size_t p = 0; p < points; ++p) {
                const VectorXd u = region.to_unit(
                    std::vector<double>(source.design.begin() + static_cast<long>(p * d),
                                        source.design.begin() + static_cast<long>((p + 1) * d)));
                if (v < w && !region.contains_unit(u)) continue;
                std::vector<double> mean(m, 0.0);
                for (std::size_t r = 0; r < per_point; ++r)
                    for (std::size_t i = 0; i < m; ++i)
                        mean[i] +=
                            values[(p * per_point + r) * m + i] / static_cast<double>(per_point);
                train_x.emplace_back(u.data(), u.data() + d);
                train_y.push_back(mean);
            }
        }
        const std::size_t t = train_x.size();
        MatrixXd x(static_cast<long>(t), static_cast<long>(d));
        for (std::size_t p = 0; p < t; ++p) {
            for (std::size_t j = 0; j < d; ++j)
                x(static_cast<long>(p), static_cast<long>(j)) = train_x[p][j];
            wave.train_x.insert(wave.train_x.end(), train_x[p].begin(), train_x[p].end());
            wave.train_y.insert(wave.train_y.end(), train_y[p].begin(), train_y[p].end());
        }

        // Simulation noise: the replicates' pooled variance (this wave's points).
        wave.sim_variance.assign(m, NAN);
        compare_all(wave, comparison);
        if (reps > 1)
            for (std::size_t i = 0; i < m; ++i) {
                if (!problem.fitted[i]) continue;
                double sum = 0;
                for (std::size_t p = 0; p < design.size(); ++p) {
                    double mean = 0;
                    for (int r = 0; r < reps; ++r)
                        mean += comparison[(p * reps + r) * m + i] / reps;
                    for (int r = 0; r < reps; ++r)
                        sum += std::pow(comparison[(p * reps + r) * m + i] - mean, 2);
                }
                wave.sim_variance[i] = sum / static_cast<double>(design.size() * (reps - 1));
            }

        // One emulator per fitted target.
        wave.length_scales.assign(m * d, NAN);
        wave.nugget.assign(m, NAN);
        wave.loo.assign(t * m, NAN);
        parallel_for(static_cast<long>(m), s.threads, [&](long li) {
            const std::size_t i = static_cast<std::size_t>(li);
            if (!problem.fitted[i]) return;
            VectorXd y(static_cast<long>(t));
            for (std::size_t p = 0; p < t; ++p)
                y(static_cast<long>(p)) = train_y[p][i];
            const Emulator e = Emulator::fit(x, y, s.kernel);
            for (std::size_t j = 0; j < d; ++j)
                wave.length_scales[i * d + j] = e.hyper().length_scales[j];
            wave.nugget[i] = e.hyper().nugget;
            // One replicate: the nugget's noise is the simulation noise itself.
            if (reps == 1) wave.sim_variance[i] = e.noise_variance();
            const VectorXd loo = e.loo_standardised();
            for (std::size_t p = 0; p < t; ++p)
                wave.loo[p * m + i] = loo(static_cast<long>(p));
        });
        region.add(wave);

        // The previous region's sample (uniform draws from the box at wave 0),
        // judged by this wave's emulators.
        std::vector<VectorXd> previous;
        if (w == 0) {
            const int draws = kBoxDrawsPerPoint * s.region_points;
            for (int i = 0; i < draws; ++i) {
                RandomStream st = calibration_stream(s.seed, static_cast<std::uint64_t>(i), 0,
                                                     CalibrationStream::region);
                VectorXd u(static_cast<long>(d));
                for (std::size_t j = 0; j < d; ++j)
                    u(static_cast<long>(j)) = st.uniform();
                previous.push_back(u);
            }
        } else {
            previous = unit_points(region, waves.back().region, d);
        }
        std::vector<std::vector<double>> implausible(previous.size());
        parallel_for(static_cast<long>(previous.size()), s.threads, [&](long p) {
            implausible[static_cast<std::size_t>(p)] =
                region.implausibilities(previous[static_cast<std::size_t>(p)], w);
        });
        const int order = region.order();
        wave.met.assign(m, NAN);
        wave.met_pairs.assign(m * m, NAN);
        std::vector<double> met(m, 0.0), pairs(m * m, 0.0);
        double all = 0;
        std::vector<VectorXd> kept;
        for (std::size_t p = 0; p < previous.size(); ++p) {
            int over = 0;
            for (std::size_t i = 0; i < m; ++i) {
                if (!problem.fitted[i]) continue;
                const bool ok_i = implausible[p][i] <= s.cutoff;
                over += ok_i ? 0 : 1;
                met[i] += ok_i ? 1 : 0;
                for (std::size_t k = 0; k < m; ++k)
                    if (problem.fitted[k] && ok_i && implausible[p][k] <= s.cutoff)
                        pairs[i * m + k] += 1;
            }
            all += over == 0 ? 1 : 0;
            if (over < order) kept.push_back(previous[p]);
        }
        const double count = static_cast<double>(previous.size());
        for (std::size_t i = 0; i < m; ++i) {
            if (!problem.fitted[i]) continue;
            wave.met[i] = met[i] / count;
            for (std::size_t k = 0; k < m; ++k)
                if (problem.fitted[k]) wave.met_pairs[i * m + k] = pairs[i * m + k] / count;
        }
        wave.met_all = all / count;
        wave.kept = static_cast<double>(kept.size()) / count;
        wave.fraction = (w == 0 ? 1.0 : waves.back().fraction) * wave.kept;

        const std::vector<VectorXd> sample =
            refill(region, kept, s.region_points, s.seed, w, s.threads);
        for (const auto& u : sample) {
            const std::vector<double> theta = region.from_unit(u);
            wave.region.insert(wave.region.end(), theta.begin(), theta.end());
        }
        wave.emulator_share = 0;
        for (double share : region.emulator_shares(sample, w))
            if (std::isfinite(share)) wave.emulator_share = std::max(wave.emulator_share, share);
        wave.seconds = std::chrono::duration<double>(clock::now() - start).count();
        waves.push_back(std::move(wave));
        if (on_wave) on_wave(waves);
        if (log) {
            const Wave& last = waves.back();
            double within = 0, loos = 0;
            for (double z : last.loo)
                if (std::isfinite(z)) {
                    loos += 1;
                    within += std::abs(z) <= 3 ? 1 : 0;
                }
            char line[320];
            std::snprintf(line, sizeof line,
                          "wave %u: %llu simulations, %zu training points, kept %s of the region, "
                          "non-implausible %s of the box, LOO within 3 sd %s, emulator variance "
                          "share %.3g, %.0f s",
                          w, static_cast<unsigned long long>(last.simulations), t,
                          format_share(last.kept).c_str(), format_share(last.fraction).c_str(),
                          format_share(loos > 0 ? within / loos : 0).c_str(), last.emulator_share,
                          last.seconds);
            log(line);
        }
    }
    return waves;
}

std::vector<double> region_median(const Problem& problem, const std::vector<Wave>& waves,
                                  std::string* what) {
    const std::size_t d = problem.priors.size();
    const std::size_t m = problem.targets.size();
    if (waves.empty()) throw RuntimeError("history matching: no wave finished");
    const Wave& last = waves.back();
    std::vector<double> out(d);
    if (!last.region.empty()) {
        for (std::size_t j = 0; j < d; ++j) {
            std::vector<std::pair<double, double>> vw;
            for (std::size_t p = 0; p < last.region.size() / d; ++p)
                vw.emplace_back(last.region[p * d + j], 1.0);
            out[j] = weighted_quantile(vw, 0.5);
        }
        if (what) *what = "the median of the non-implausible region";
        return out;
    }
    const std::size_t points = last.design.size() / d;
    const std::size_t reps = last.simulated.size() / (points * m);
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t p = 0; p < points; ++p) {
        double sum = 0;
        for (std::size_t r = 0; r < reps; ++r) {
            const auto first = last.simulated.begin() + static_cast<long>((p * reps + r) * m);
            sum += distance(problem, std::vector<double>(first, first + static_cast<long>(m)), {});
        }
        if (sum < best) {
            best = sum;
            out.assign(last.design.begin() + static_cast<long>(p * d),
                       last.design.begin() + static_cast<long>((p + 1) * d));
        }
    }
    if (what) *what = "the closest design point of the last wave (the region is empty)";
    return out;
}

std::string history_matching_report(const Problem& problem, const HistoryMatchingSettings& s,
                                    const std::vector<Wave>& waves, const std::string& stopping) {
    if (waves.empty()) return "History matching: no wave finished\n";
    const std::size_t m = problem.targets.size();
    std::string out;
    char line[400];
    double seconds = 0;
    for (const auto& w : waves)
        seconds += w.seconds;
    const auto fitted = std::count(problem.fitted.begin(), problem.fitted.end(), true);
    std::snprintf(line, sizeof line,
                  "History matching: %zu waves, %llu simulations, %.0f s (%s); cut-off %g on the "
                  "%s implausibility of %ld fitted targets\n\n",
                  waves.size(), static_cast<unsigned long long>(wave_simulations(waves)), seconds,
                  stopping.empty() ? "interrupted; --resume continues" : stopping.c_str(), s.cutoff,
                  ordinal(resolved_order(problem, s)).c_str(), static_cast<long>(fitted));
    out += line;
    std::snprintf(line, sizeof line, "%-5s %11s %9s %14s %14s %16s\n", "wave", "simulations",
                  "kept", "share of box", "LOO in +-3", "emulator var.");
    out += line;
    for (std::size_t k = 0; k < waves.size(); ++k) {
        const Wave& w = waves[k];
        double within = 0, count = 0;
        for (double z : w.loo)
            if (std::isfinite(z)) {
                count += 1;
                within += std::abs(z) <= 3 ? 1 : 0;
            }
        std::snprintf(line, sizeof line, "%-5zu %11llu %9s %14s %14s %16.3g\n", k,
                      static_cast<unsigned long long>(w.simulations), format_share(w.kept).c_str(),
                      format_share(w.fraction).c_str(),
                      format_share(count > 0 ? within / count : 0).c_str(), w.emulator_share);
        out += line;
    }
    const Wave& last = waves.back();
    out += "\nkept = share of the previous region (wave 0: of the box) still non-implausible; "
           "emulator var. = largest mean V_em / (V_obs + V_disc + V_sim) over the region.\n"
           "Per target, last wave: met = share of the region before it in which the target alone "
           "is non-implausible.\n\n";
    std::snprintf(line, sizeof line, "%-24s %-22s %8s %8s %8s %10s %7s  %s\n", "target", "period",
                  "obs. sd", "disc. sd", "sim. sd", "LOO in +-3", "met", "discrepancy reason");
    out += line;
    const std::size_t t = last.train_x.size() / std::max<std::size_t>(1, problem.priors.size());
    std::vector<std::string> unmet;
    for (std::size_t i = 0; i < m; ++i) {
        if (!problem.fitted[i]) continue;
        const Target& tg = problem.targets[i];
        double within = 0;
        for (std::size_t p = 0; p < t; ++p)
            within += std::abs(last.loo[p * m + i]) <= 3 ? 1 : 0;
        std::snprintf(line, sizeof line, "%-24s %-22s %8.3g %8.3g %8.3g %10s %7s  ", tg.id.c_str(),
                      tg.period.c_str(), tg.error_sd, tg.discrepancy_sd,
                      std::sqrt(last.sim_variance[i]),
                      format_share(t > 0 ? within / static_cast<double>(t) : 0).c_str(),
                      format_share(last.met[i]).c_str());
        out += line + tg.discrepancy_reason + "\n"; // a reason of any length, whole
        if (last.met[i] == 0) unmet.push_back(tg.id + " " + tg.period);
    }
    std::snprintf(line, sizeof line,
                  "\nEvery fitted target is met together by %s of the region before the last "
                  "wave.\n",
                  format_share(last.met_all).c_str());
    out += line;
    if (!unmet.empty()) {
        out += "No point of the region meets these figures:";
        for (const auto& u : unmet)
            out += " " + u + ";";
        out += "\n";
    } else if (last.met_all == 0) {
        out += "No point of the region meets these pairs of figures together:";
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t k = i + 1; k < m; ++k)
                if (problem.fitted[i] && problem.fitted[k] && last.met_pairs[i * m + k] == 0)
                    out += " (" + problem.targets[i].id + " " + problem.targets[i].period + ", " +
                           problem.targets[k].id + " " + problem.targets[k].period + ");";
        out += "\n";
    }
    return out;
}

} // namespace khorgos::calibration
