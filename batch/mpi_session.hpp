#pragma once
// MPI for the lifetime of one object, for `khorgos batch` and `khorgos
// calibrate` under mpirun: MPI_Init_thread on construction (unless MPI is
// already initialised), MPI_Finalize on destruction if it initialised.
// Started without an MPI launcher, or built without MPI (KHORGOS_WITH_MPI
// unset), it is one rank of one and never touches MPI: a singleton MPI_Init
// would only cost start-up time and the MPI library's own allocations.
namespace khorgos {

/// Whether an MPI launcher (mpirun, srun) started this process.
bool launched_by_mpi();

class MpiSession {
  public:
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    /// Whether a second thread may run beside the one that calls MPI (FUNNELED).
    bool threads() const { return threads_; }
    /// Ends every rank of the job (after rank 0 failed to set the work up).
    [[noreturn]] void abort(int code) const;

  private:
    int rank_ = 0;
    int size_ = 1;
    bool threads_ = true;
    bool active_ = false; ///< MPI is initialised and in use
    bool owns_ = false;   ///< this session initialised it
};

} // namespace khorgos
