#include "calibration/predictive.hpp"

#include <algorithm>
#include <cmath>

namespace khorgos::calibration {

PosteriorPredictive posterior_predictive(const Problem& problem,
                                         const std::vector<PosteriorGeneration>& gens,
                                         std::uint64_t seed, int draws,
                                         const BatchEvaluator& evaluate) {
    const PosteriorGeneration& last = gens.back();
    const std::size_t d = problem.priors.size();
    const std::size_t m = problem.targets.size();
    const std::uint32_t generation = static_cast<std::uint32_t>(gens.size() - 1);
    std::vector<double> cumulative;
    double total = 0;
    for (double w : last.weights)
        cumulative.push_back(total += w);

    PosteriorPredictive p;
    p.generation = generation;
    std::vector<Evaluation> batch(static_cast<std::size_t>(draws));
    for (std::size_t i = 0; i < batch.size(); ++i) {
        RandomStream stream =
            calibration_stream(seed, i, generation, CalibrationStream::predictive);
        const double u = stream.uniform() * total;
        const std::size_t chosen = std::min<std::size_t>(
            static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) -
                                     cumulative.begin()),
            cumulative.size() - 1);
        batch[i].seeds = {stream.next_u64()};
        batch[i].theta.assign(last.particles.begin() + static_cast<long>(chosen * d),
                              last.particles.begin() + static_cast<long>((chosen + 1) * d));
        p.particle.push_back(static_cast<double>(chosen));
        p.parameters.insert(p.parameters.end(), batch[i].theta.begin(), batch[i].theta.end());
    }
    for (const auto& values : evaluate(batch))
        p.simulated.insert(p.simulated.end(), values.begin(), values.end());

    for (std::size_t j = 0; j < m; ++j) {
        std::vector<std::pair<double, double>> vw;
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (std::isfinite(p.simulated[i * m + j])) vw.emplace_back(p.simulated[i * m + j], 1.0);
        p.median.push_back(weighted_quantile(vw, 0.5));
        p.lower90.push_back(weighted_quantile(vw, 0.05));
        p.upper90.push_back(weighted_quantile(vw, 0.95));
    }
    return p;
}

} // namespace khorgos::calibration
