#include "batch/calibrate_mpi.hpp"

#include "sim/errors.hpp"

#include <cmath>
#include <string>

#if defined(KHORGOS_WITH_MPI)
#include <mpi.h>
#endif

namespace khorgos {

#if defined(KHORGOS_WITH_MPI)

calibration::BatchEvaluator mpi_evaluator(const MpiSession& mpi,
                                          const calibration::Simulator& simulate, int jobs,
                                          std::size_t m,
                                          const calibration::StagedSimulator& staged) {
    // Every rank runs the same algorithm, so each builds the same early-rejection checks.
    const calibration::BatchEvaluator local = calibration::openmp_evaluator(simulate, jobs, staged);
    if (mpi.size() == 1) return local;
    const int rank = mpi.rank(), size = mpi.size();
    return [local, rank, size, m](const std::vector<calibration::Evaluation>& batch) {
        // This rank's share: proposals rank, rank + size, ...
        std::vector<calibration::Evaluation> mine;
        for (std::size_t i = static_cast<std::size_t>(rank); i < batch.size();
             i += static_cast<std::size_t>(size))
            mine.push_back(batch[i]);
        std::vector<std::vector<double>> results;
        int failed = 0;
        std::string message;
        try {
            results = local(mine);
        } catch (const std::exception& e) {
            failed = 1;
            message = e.what();
        }
        int any_failed = 0;
        MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (any_failed)
            throw RuntimeError("a simulation failed on MPI rank " + std::to_string(rank) +
                               (failed ? ": " + message : std::string(" (another rank)")));
        std::vector<double> send;
        for (const auto& r : results) {
            if (r.size() != m) throw RuntimeError("simulator returned the wrong number of values");
            send.insert(send.end(), r.begin(), r.end());
        }
        std::vector<int> counts(static_cast<std::size_t>(size)),
            offsets(static_cast<std::size_t>(size));
        int offset = 0;
        for (int r = 0; r < size; ++r) {
            const std::size_t share = batch.size() > static_cast<std::size_t>(r)
                                          ? (batch.size() - static_cast<std::size_t>(r) +
                                             static_cast<std::size_t>(size) - 1) /
                                                static_cast<std::size_t>(size)
                                          : 0;
            counts[static_cast<std::size_t>(r)] = static_cast<int>(share * m);
            offsets[static_cast<std::size_t>(r)] = offset;
            offset += counts[static_cast<std::size_t>(r)];
        }
        std::vector<double> all(static_cast<std::size_t>(offset));
        MPI_Allgatherv(send.data(), static_cast<int>(send.size()), MPI_DOUBLE, all.data(),
                       counts.data(), offsets.data(), MPI_DOUBLE, MPI_COMM_WORLD);
        std::vector<std::vector<double>> out(batch.size());
        for (int r = 0; r < size; ++r) {
            std::size_t k = 0;
            for (std::size_t i = static_cast<std::size_t>(r); i < batch.size();
                 i += static_cast<std::size_t>(size), ++k) {
                const auto begin =
                    all.begin() + offsets[static_cast<std::size_t>(r)] + static_cast<long>(k * m);
                out[i].assign(begin, begin + static_cast<long>(m));
            }
        }
        return out;
    };
}

#else

calibration::BatchEvaluator mpi_evaluator(const MpiSession&, const calibration::Simulator& simulate,
                                          int jobs, std::size_t,
                                          const calibration::StagedSimulator& staged) {
    return calibration::openmp_evaluator(simulate, jobs, staged);
}

#endif

} // namespace khorgos
