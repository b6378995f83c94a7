// Sobol indices (batch/sobol.hpp) against the Ishigami function, whose
// indices are known in closed form. Tolerances come from the estimator's own
// sampling distribution: its bootstrap sd on one large design, and the spread
// of the estimates over independent designs.
#include "batch/sobol.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace khorgos;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::size_t kD = 3;

// Ishigami with a = 7, b = 0.1 on [-pi, pi]^3 (Ishigami & Homma 1990):
// V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2,
// V2 = a^2/8, V3 = 0, V13 = b^2 pi^8 (1/18 - 1/50).
double ishigami(const double* x) {
    return std::sin(x[0]) + 7 * std::sin(x[1]) * std::sin(x[1]) +
           0.1 * std::pow(x[2], 4) * std::sin(x[0]);
}
const double kV = 49.0 / 8 + 0.1 * std::pow(kPi, 4) / 5 + 0.01 * std::pow(kPi, 8) / 18 + 0.5;
const double kV1 = std::pow(1 + 0.1 * std::pow(kPi, 4) / 5, 2) / 2;
const double kV13 = 0.01 * std::pow(kPi, 8) * (1.0 / 18 - 1.0 / 50);
const double kFirst[kD] = {kV1 / kV, 49.0 / 8 / kV, 0};
const double kTotal[kD] = {(kV1 + kV13) / kV, 49.0 / 8 / kV, kV13 / kV};

/// Ishigami outputs of a Saltelli design of n base samples, in the batch's row order.
std::vector<double> design_outputs(std::size_t n, bool second_order, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-kPi, kPi);
    std::vector<double> y;
    for (std::size_t i = 0; i < n; ++i) {
        double a[kD], b[kD], x[kD];
        for (auto& v : a)
            v = u(rng);
        for (auto& v : b)
            v = u(rng);
        y.push_back(ishigami(a));
        for (std::size_t k = 0; k < kD; ++k) { // AB^k: A with column k from B
            for (std::size_t j = 0; j < kD; ++j)
                x[j] = j == k ? b[j] : a[j];
            y.push_back(ishigami(x));
        }
        if (second_order)
            for (std::size_t k = 0; k < kD; ++k) { // BA^k: B with column k from A
                for (std::size_t j = 0; j < kD; ++j)
                    x[j] = j == k ? a[j] : b[j];
                y.push_back(ishigami(x));
            }
        y.push_back(ishigami(b));
    }
    return y;
}

} // namespace

TEST_CASE("the closed-form Ishigami indices are the published ones", "[sobol]") {
    CHECK(kFirst[0] == Approx(0.3139).margin(5e-5));
    CHECK(kFirst[1] == Approx(0.4424).margin(5e-5));
    CHECK(kTotal[0] == Approx(0.5576).margin(5e-5));
    CHECK(kTotal[2] == Approx(0.2437).margin(5e-5));
}

TEST_CASE("Sobol indices of the Ishigami function lie within 4 bootstrap sd", "[sobol]") {
    const std::size_t n = 8192;
    const auto y = design_outputs(n, true, 20261129);
    const auto s = batch::sobol_indices(y, n, kD, true);
    REQUIRE(s.samples == n);
    for (std::size_t k = 0; k < kD; ++k) {
        INFO("parameter " << k + 1);
        const auto& f = s.first[k];
        const auto& t = s.total[k];
        CHECK(std::abs(f.estimate - kFirst[k]) <= 4 * f.sd);
        CHECK(std::abs(t.estimate - kTotal[k]) <= 4 * t.sd);
        CHECK(f.q05 < f.estimate);
        CHECK(f.estimate < f.q95);
        CHECK(t.q05 < t.estimate);
        CHECK(t.estimate < t.q95);
        // Of a 1000-resample bootstrap of a mean-like estimator: the 90%
        // interval spans about 2 x 1.645 sd.
        CHECK((f.q95 - f.q05) / f.sd == Approx(2 * 1.645).epsilon(0.15));
    }
    // Second-order rows are not used by these estimators: the same outputs
    // without them give the same indices.
    std::vector<double> first_only;
    for (std::size_t i = 0; i < n; ++i) {
        const double* row = y.data() + i * (2 * kD + 2);
        first_only.insert(first_only.end(), row, row + kD + 1);
        first_only.push_back(row[2 * kD + 1]);
    }
    const auto s1 = batch::sobol_indices(first_only, n, kD, false);
    for (std::size_t k = 0; k < kD; ++k) {
        CHECK(s1.first[k].estimate == s.first[k].estimate);
        CHECK(s1.total[k].q95 == s.total[k].q95);
    }
}

TEST_CASE("over independent designs the estimates centre on the truth, with the "
          "bootstrap's spread and coverage",
          "[sobol]") {
    const std::size_t n = 500, designs = 40;
    const int resamples = 200;
    std::vector<batch::SobolIndices> all;
    for (std::size_t r = 0; r < designs; ++r)
        all.push_back(
            batch::sobol_indices(design_outputs(n, false, 1000 + r), n, kD, false, resamples));
    for (const bool total : {false, true})
        for (std::size_t k = 0; k < kD; ++k) {
            INFO((total ? "total" : "first-order") << " index of parameter " << k + 1);
            const double truth = total ? kTotal[k] : kFirst[k];
            double mean = 0, boot_sd = 0;
            std::size_t covered = 0;
            for (const auto& s : all) {
                const auto& e = total ? s.total[k] : s.first[k];
                mean += e.estimate;
                boot_sd += e.sd;
                covered += e.q05 <= truth && truth <= e.q95 ? 1 : 0;
            }
            mean /= designs;
            boot_sd /= designs;
            double ss = 0;
            for (const auto& s : all) {
                const double v = (total ? s.total[k] : s.first[k]).estimate;
                ss += (v - mean) * (v - mean);
            }
            const double sd = std::sqrt(ss / (designs - 1));
            // The mean of 40 estimates: within 4 standard errors of the truth.
            CHECK(std::abs(mean - truth) <= 4 * sd / std::sqrt(double(designs)));
            // The sample sd of 40 normal estimates has a relative standard
            // error of 1/sqrt(2 x 39) = 0.113: the bootstrap sd within 4 of them.
            CHECK(boot_sd / sd == Approx(1).margin(4 * 0.113));
            // Coverage of a 90% interval over 40 designs is Binomial(40, 0.9):
            // mean 36, sd 1.9; at least 36 - 4 x 1.9.
            CHECK(covered >= 29);
        }
}

TEST_CASE("failed runs leave their base sample out, and too few samples give NaN", "[sobol]") {
    auto y = design_outputs(100, false, 7);
    y[3 * (kD + 2) + 1] = NAN;
    const auto s = batch::sobol_indices(y, 100, kD, false, 10);
    CHECK(s.samples == 99);
    CHECK(std::isfinite(s.first[0].estimate));
    y.resize(kD + 2);
    const auto none = batch::sobol_indices(y, 1, kD, false, 10);
    CHECK(std::isnan(none.first[0].estimate));
    CHECK(std::isnan(none.total[2].q95));
}
