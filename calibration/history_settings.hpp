#pragma once
// The settings of history matching (calibration/history_matching.hpp), apart
// from its algorithms so that the calibration file's parser needs neither
// Eigen nor the emulators.
#include <cstdint>

namespace khorgos::calibration {

/// The emulators' correlation function.
enum class KernelKind { squared_exponential, matern52 };

struct HistoryMatchingSettings {
    int points = 60;    ///< design points per wave
    int replicates = 2; ///< simulations per design point (the simulation noise)
    int max_waves = 5;  ///< stop after this many waves
    double cutoff = 3;  ///< on the `order`-th largest implausibility
    int order = 0; ///< 1 = largest, 2 = second largest...; 0 = 1 below 10 fitted targets, else 2
    int region_points = 1000; ///< size of the region's sample (and of ABC's first generation pool)
    double min_shrink = 0.1;  ///< stop once a wave removes less than this share of the region
    double variance_ratio = 0.1; ///< stop once every emulator's variance is below this share of
                                 ///< the other variances (mean over the region)
    KernelKind kernel = KernelKind::matern52;
    std::uint64_t max_simulations = 0; ///< stop before exceeding it (0 = no limit)
    std::uint64_t seed = 1;
    int threads = 1; ///< emulator fits and region sampling (results do not depend on it)
};

} // namespace khorgos::calibration
