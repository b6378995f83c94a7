#pragma once
// MPI for `khorgos calibrate` (with KHORGOS_MPI; otherwise one rank). Every
// rank runs the same deterministic ABC-SMC loop; each batch of numbered
// proposals is split over the ranks (proposal i on rank i mod size, OpenMP
// threads within a rank), and the simulated values are all-gathered in
// proposal order, so every rank holds the same generations and the posterior
// equals a single-process run's. Only rank 0 writes files and prints.
#include "calibration/problem.hpp"

namespace khorgos {

class CalibrationMpi {
  public:
    /// Initialises MPI if built with it and not yet initialised.
    CalibrationMpi();
    ~CalibrationMpi();
    CalibrationMpi(const CalibrationMpi&) = delete;
    CalibrationMpi& operator=(const CalibrationMpi&) = delete;
    int rank() const { return rank_; }
    int size() const { return size_; }

    /// An evaluator over all ranks, each running its share on `jobs` threads.
    /// A failure on any rank becomes a RuntimeError on every rank.
    calibration::BatchEvaluator evaluator(const calibration::Simulator& simulate, int jobs,
                                          std::size_t values_per_result) const;

  private:
    int rank_ = 0;
    int size_ = 1;
    bool owns_ = false;
};

} // namespace khorgos
