#pragma once
// MPI across the runs of a batch (built only with KHORGOS_MPI). Rank 0 hands
// out run indices one at a time as ranks ask for work, since runs differ in
// length, and simulates on a second thread meanwhile; the other ranks only
// simulate and report each run's status back. Only rank 0 writes the
// manifest and the summary, so the files equal a single-process batch's.
#include "batch/batch_runner.hpp"
#include "batch/mpi_session.hpp"

namespace khorgos::batch {

/// Rank 0: runs `pending` over all ranks of `mpi`, calling `done` for each run.
/// Returns how many runs each rank finished (tests check every rank worked).
/// @throws whatever `done` throws, after the other ranks were told to stop.
std::vector<std::size_t> dispatch(const MpiSession& mpi, const std::vector<std::size_t>& pending,
                                  const Execute& execute, const Done& done);

/// Other ranks of an MpiSession: ask rank 0 for runs until it says there are no more.
void serve(const Execute& execute);

} // namespace khorgos::batch
