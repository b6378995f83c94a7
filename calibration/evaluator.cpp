#include "calibration/problem.hpp"

#include <cmath>
#include <exception>
#include <mutex>

namespace khorgos::calibration {

BatchEvaluator openmp_evaluator(const Simulator& simulate, int jobs,
                                const StagedSimulator& staged) {
    return [simulate, jobs, staged](const std::vector<Evaluation>& batch) {
        std::vector<std::vector<double>> results(batch.size());
        std::exception_ptr failure;
        std::mutex mutex;
        const long n = static_cast<long>(batch.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(jobs)
        for (long i = 0; i < n; ++i) {
            try {
                const Evaluation& e = batch[static_cast<std::size_t>(i)];
                if (staged && e.keep_going && e.seeds.size() == 1) {
                    results[static_cast<std::size_t>(i)] =
                        staged(e.theta, e.seeds[0], e.keep_going);
                    continue;
                }
                std::vector<double> mean;
                for (std::uint64_t seed : e.seeds) {
                    const std::vector<double> values = simulate(e.theta, seed);
                    if (mean.empty()) mean.assign(values.size(), 0.0);
                    for (std::size_t j = 0; j < values.size(); ++j)
                        mean[j] += values[j];
                }
                for (double& v : mean)
                    v /= static_cast<double>(e.seeds.size());
                results[static_cast<std::size_t>(i)] = std::move(mean);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!failure) failure = std::current_exception();
            }
        }
        if (failure) std::rethrow_exception(failure);
        return results;
    };
}

} // namespace khorgos::calibration
