#pragma once
// The toy model of the calibration tests (test_abc_toy.cpp, test_sbc.cpp):
// theta ~ N(0, 1) truncated to [-10, 10]; the simulator returns the mean of 4
// unit-variance observations, ybar ~ N(theta, 1/4); the distance is scaled so
// that z = ybar - observed.
#include "calibration/problem.hpp"
#include "sim/rng.hpp"

#include <cmath>
#include <vector>

namespace khorgos::calibration::toy {

constexpr double kNoiseSd = 0.5; // sd of the mean of 4 unit-variance observations

inline Problem toy_problem(double observed = 1.0) {
    Problem p;
    Prior prior;
    prior.name = "theta";
    prior.kind = PriorKind::normal;
    prior.mean = 0;
    prior.sd = 1;
    prior.lower = -10;
    prior.upper = 10;
    p.priors = {prior};
    Target t;
    t.id = "ybar";
    t.period = "all";
    t.value = t.lower = t.upper = observed;
    t.kind = "share";
    t.error = ErrorModel::relative;
    t.error_sd = 1 / std::abs(observed); // scaled distance: z = (ybar - observed)
    p.targets = {t};
    p.fitted = {true};
    p.distance = DistanceKind::scaled;
    p.simulate = [](const std::vector<double>& theta, std::uint64_t seed) {
        RandomStream s(seed, 7, 0, Stream::outcome);
        return std::vector<double>{theta[0] + kNoiseSd * s.normal()};
    };
    return p;
}

} // namespace khorgos::calibration::toy
