#include "batch/mpi_session.hpp"

#include "sim/errors.hpp"

#include <cstdlib>

#if KHORGOS_WITH_MPI
#include <mpi.h>
#endif

namespace khorgos {

// MPI launchers set these: OpenMPI's mpirun, and the PMI/PMIx of Slurm's srun and MPICH.
bool launched_by_mpi() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(name)) return true;
    return false;
}

#if KHORGOS_WITH_MPI

MpiSession::MpiSession() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised && !launched_by_mpi()) return; // one rank of one
    active_ = true;
    int provided = MPI_THREAD_FUNNELED;
    if (!initialised) {
        // Rank 0 of a batch simulates on a second thread that never calls MPI:
        // FUNNELED suffices.
        if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            throw RuntimeError("MPI: MPI_Init_thread failed");
        owns_ = true;
    } else {
        MPI_Query_thread(&provided);
    }
    threads_ = provided >= MPI_THREAD_FUNNELED;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
    if (owns_) MPI_Finalize();
}

void MpiSession::abort(int code) const {
    if (active_) MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
}

#else

MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;

void MpiSession::abort(int code) const {
    std::_Exit(code);
}

#endif

} // namespace khorgos
