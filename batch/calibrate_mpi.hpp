#pragma once
// MPI for `khorgos calibrate` (with KHORGOS_MPI; otherwise one rank). Every
// rank runs the same deterministic ABC-SMC loop; each batch of numbered
// proposals is split over the ranks (proposal i on rank i mod size, OpenMP
// threads within a rank), and the simulated values are all-gathered in
// proposal order, so every rank holds the same generations and the posterior
// equals a single-process run's. Only rank 0 writes files and prints.
#include "batch/mpi_session.hpp"
#include "calibration/problem.hpp"

namespace khorgos {

/// An evaluator over all ranks of `mpi`, each running its share on `jobs`
/// threads. A failure on any rank becomes a RuntimeError on every rank.
calibration::BatchEvaluator mpi_evaluator(const MpiSession& mpi,
                                          const calibration::Simulator& simulate, int jobs,
                                          std::size_t values_per_result,
                                          const calibration::StagedSimulator& staged = nullptr);

} // namespace khorgos
