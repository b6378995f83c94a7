#pragma once
// MPI across the runs of a batch (built only with KHORGOS_MPI). Rank 0 hands
// out run indices one at a time as ranks ask for work, since runs differ in
// length, and simulates on a second thread meanwhile; the other ranks only
// simulate and report each run's status back. Only rank 0 writes the
// manifest and the summary, so the files equal a single-process batch's.
#include "batch/batch_runner.hpp"

namespace khorgos::batch {

/// MPI for the lifetime of the object (MPI_Init_thread / MPI_Finalize).
class MpiWorld {
  public:
    MpiWorld();
    ~MpiWorld();
    MpiWorld(const MpiWorld&) = delete;
    MpiWorld& operator=(const MpiWorld&) = delete;
    int rank() const { return rank_; }
    int size() const { return size_; }
    /// Ends every rank of the job (after rank 0 failed to set the batch up).
    [[noreturn]] void abort(int code) const;

    /// Rank 0: runs `pending` over all ranks, calling `done` for each run.
    /// @throws whatever `done` throws, after the other ranks were told to stop.
    void dispatch(const std::vector<std::size_t>& pending, const Execute& execute,
                  const Done& done) const;
    /// Other ranks: asks rank 0 for runs until it says there are no more.
    void serve(const Execute& execute) const;

  private:
    int rank_ = 0;
    int size_ = 1;
    bool threads_ = false; ///< whether MPI allows rank 0's simulating thread
};

} // namespace khorgos::batch
