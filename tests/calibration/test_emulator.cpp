// The Gaussian-process emulator against functions with a known answer.
//
// f(x1, x2) = sin(4 x1) + cos(3 x2) + x1 x2 on the unit square: smooth, not
// linear, about 3 units of range. 40 design points, 400 test points, drawn
// uniformly with fixed seeds. For a valid emulator the standardised errors
// (f - mean) / sd at new points and the leave-one-out ones are about standard
// normal, so |z| <= 3 holds for 99.7% of them; the checks ask 95%, a margin
// for a fitted (not known) covariance, which the literature on emulator
// diagnostics (Bastos and O'Hagan 2009) reports as the usual departure.
#include "calibration/emulator.hpp"
#include "sim/rng.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace khorgos;
using namespace khorgos::calibration;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

double truth(double a, double b) {
    return std::sin(4 * a) + std::cos(3 * b) + a * b;
}

MatrixXd uniform_points(long n, std::uint32_t id) {
    RandomStream s(20261129, id, 0, Stream::outcome);
    MatrixXd x(n, 2);
    for (long i = 0; i < n; ++i)
        for (long j = 0; j < 2; ++j)
            x(i, j) = s.uniform();
    return x;
}

double share_within(const VectorXd& z, double bound) {
    return static_cast<double>((z.array().abs() <= bound).count()) / static_cast<double>(z.size());
}

} // namespace

TEST_CASE("Emulator recovers a smooth 2-d function with calibrated uncertainty",
          "[calibration][emulator]") {
    const KernelKind kernel = GENERATE(KernelKind::matern52, KernelKind::squared_exponential);
    const MatrixXd x = uniform_points(40, 1);
    VectorXd y(x.rows());
    for (long i = 0; i < x.rows(); ++i)
        y(i) = truth(x(i, 0), x(i, 1));
    const Emulator e = Emulator::fit(x, y, kernel);

    const MatrixXd test = uniform_points(400, 2);
    VectorXd z(test.rows());
    double squared = 0;
    for (long i = 0; i < test.rows(); ++i) {
        const auto p = e.predict(test.row(i).transpose());
        const double f = truth(test(i, 0), test(i, 1));
        squared += (p.mean - f) * (p.mean - f);
        z(i) = (f - p.mean) / std::sqrt(p.variance + 1e-300);
    }
    const double rmse = std::sqrt(squared / static_cast<double>(test.rows()));
    const VectorXd loo = e.loo_standardised();
    INFO("kernel " << (kernel == KernelKind::matern52 ? "Matern 5/2" : "squared exponential")
                   << ": length scales " << e.hyper().length_scales[0] << ", "
                   << e.hyper().length_scales[1] << ", nugget " << e.hyper().nugget << ", sigma^2 "
                   << e.variance() << "; RMSE " << rmse << "; new points within 3 sd "
                   << share_within(z, 3) << "; LOO within 3 " << share_within(loo, 3));
    // The function spans about 3 units; 40 points pin it to a few hundredths.
    CHECK(rmse < 0.05);
    CHECK(share_within(z, 3) >= 0.95);
    CHECK(share_within(loo, 3) >= 0.95);
    // A deterministic function: the nugget stays near its floor.
    CHECK(e.hyper().nugget < 1e-3);
    // Small variance where the simulator was run, large far from every design point.
    for (long i = 0; i < x.rows(); ++i)
        CHECK(e.predict(x.row(i).transpose()).variance < 1e-3 * e.variance());
    VectorXd far(2);
    far << 3.0, 3.0;
    CHECK(e.predict(far).variance > 0.5 * e.variance());
    // Rebuilt from its hyperparameters, the emulator predicts the same bit for bit.
    const Emulator again(x, y, kernel, e.hyper());
    CHECK(again.predict(test.row(0).transpose()).mean == e.predict(test.row(0).transpose()).mean);
}

TEST_CASE("Emulator with noisy training values estimates the noise", "[calibration][emulator]") {
    // y = f + N(0, 0.1^2) at 80 points. The restricted ML estimate of the noise
    // variance has a relative sd of about sqrt(2 / 80) = 0.16 (fewer effective
    // degrees of freedom once the smooth part is fitted), so a factor of 2
    // (log 2 = 0.69) is over four of them.
    const MatrixXd x = uniform_points(80, 3);
    RandomStream noise(20261129, 4, 0, Stream::outcome);
    VectorXd y(x.rows());
    for (long i = 0; i < x.rows(); ++i)
        y(i) = truth(x(i, 0), x(i, 1)) + 0.1 * noise.normal();
    const Emulator e = Emulator::fit(x, y, KernelKind::matern52);
    const double noise_variance = e.noise_variance();
    INFO("noise variance " << noise_variance << " (true 0.01), sigma^2 " << e.variance());
    CHECK(noise_variance > 0.005);
    CHECK(noise_variance < 0.02);
    // The emulator of the mean is surer than one noisy run at its design points.
    for (long i = 0; i < 5; ++i)
        CHECK(e.predict(x.row(i).transpose()).variance < noise_variance);
    CHECK(share_within(e.loo_standardised(), 3) >= 0.95);
}

TEST_CASE("Emulator: too few points are an error", "[calibration][emulator]") {
    const MatrixXd x = uniform_points(4, 5);
    CHECK_THROWS_WITH(Emulator::fit(x, VectorXd::Zero(4), KernelKind::matern52),
                      Catch::Contains("too few"));
}
