#include "calibration/emulator.hpp"

#include "sim/errors.hpp"

#include <nlopt.hpp>

#include <cmath>
#include <limits>

namespace khorgos::calibration {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// Search box of the hyperparameters (unit-cube inputs): a length scale below
// 0.01 interpolates noise between neighbouring design points, above 100 the
// input does nothing the linear mean does not already say. The nugget spans
// deterministic simulators (1e-8, kept above 0 for conditioning) to noise ten
// times the signal.
constexpr double kMinLength = 0.01, kMaxLength = 100;
constexpr double kMinNugget = 1e-8, kMaxNugget = 10;

double kernel_value(KernelKind kind, double r2) {
    if (kind == KernelKind::squared_exponential) return std::exp(-0.5 * r2);
    const double r = std::sqrt(5 * r2);
    return (1 + r + r * r / 3) * std::exp(-r);
}

double correlation_of(KernelKind kind, const std::vector<double>& lengths, const VectorXd& a,
                      const VectorXd& b) {
    double r2 = 0;
    for (long j = 0; j < a.size(); ++j) {
        const double t = (a(j) - b(j)) / lengths[static_cast<std::size_t>(j)];
        r2 += t * t;
    }
    return kernel_value(kind, r2);
}

MatrixXd regressors(const MatrixXd& x) {
    MatrixXd h(x.rows(), x.cols() + 1);
    h.col(0).setOnes();
    h.rightCols(x.cols()) = x;
    return h;
}

/// Everything the likelihood and the predictions share, for one set of hyperparameters.
struct Factors {
    Eigen::LLT<MatrixXd> chol, g;
    MatrixXd h, ainv_h;
    VectorXd beta, alpha;
    double sigma2 = 0, log_det_a = 0, log_det_g = 0;
    bool ok = false;
};

Factors factorise(const MatrixXd& x, const VectorXd& y, KernelKind kind, const EmulatorHyper& hp) {
    Factors f;
    const long n = x.rows();
    MatrixXd a(n, n);
    for (long i = 0; i < n; ++i) {
        a(i, i) = 1 + hp.nugget;
        for (long j = 0; j < i; ++j)
            a(i, j) = a(j, i) =
                correlation_of(kind, hp.length_scales, x.row(i).transpose(), x.row(j).transpose());
    }
    f.chol.compute(a);
    if (f.chol.info() != Eigen::Success) return f;
    f.h = regressors(x);
    f.ainv_h = f.chol.solve(f.h);
    const MatrixXd g = f.h.transpose() * f.ainv_h;
    f.g.compute(g);
    if (f.g.info() != Eigen::Success) return f;
    const VectorXd ainv_y = f.chol.solve(y);
    f.beta = f.g.solve(f.h.transpose() * ainv_y);
    const VectorXd resid = y - f.h * f.beta;
    f.alpha = f.chol.solve(resid);
    const long q = f.h.cols();
    f.sigma2 = std::max(resid.dot(f.alpha) / static_cast<double>(n - q), 1e-300);
    const MatrixXd la = f.chol.matrixL(), lg = f.g.matrixL();
    for (long i = 0; i < n; ++i)
        f.log_det_a += 2 * std::log(la(i, i));
    for (long i = 0; i < q; ++i)
        f.log_det_g += 2 * std::log(lg(i, i));
    f.ok = std::isfinite(f.log_det_a) && std::isfinite(f.log_det_g);
    return f;
}

} // namespace

double emulator_objective(const MatrixXd& x, const VectorXd& y, KernelKind kernel,
                          const EmulatorHyper& hyper) {
    const Factors f = factorise(x, y, kernel, hyper);
    if (!f.ok) return std::numeric_limits<double>::infinity();
    const double dof = static_cast<double>(x.rows() - f.h.cols());
    return 0.5 * (dof * std::log(f.sigma2) + f.log_det_a + f.log_det_g);
}

Emulator Emulator::fit(const MatrixXd& x, const VectorXd& y, KernelKind kernel) {
    const long n = x.rows(), d = x.cols();
    if (n <= d + 2)
        throw RuntimeError("emulator: " + std::to_string(n) + " points are too few for " +
                           std::to_string(d) + " inputs (at least d + 3)");
    if (!y.allFinite()) throw RuntimeError("emulator: a training value is not finite");
    // Optimised on the log scale: log length scales, then log nugget.
    const auto unpack = [d](const std::vector<double>& v) {
        EmulatorHyper hp;
        for (long j = 0; j < d; ++j)
            hp.length_scales.push_back(std::exp(v[static_cast<std::size_t>(j)]));
        hp.nugget = std::exp(v.back());
        return hp;
    };
    struct Data {
        const MatrixXd* x;
        const VectorXd* y;
        KernelKind kernel;
        decltype(unpack)* to_hyper;
    } data{&x, &y, kernel, &unpack};
    const auto objective = [](const std::vector<double>& v, std::vector<double>&, void* p) {
        const Data& dt = *static_cast<const Data*>(p);
        const double value = emulator_objective(*dt.x, *dt.y, dt.kernel, (*dt.to_hyper)(v));
        return std::isfinite(value) ? value : 1e300;
    };
    std::vector<double> lower(static_cast<std::size_t>(d), std::log(kMinLength)),
        upper(static_cast<std::size_t>(d), std::log(kMaxLength));
    lower.push_back(std::log(kMinNugget));
    upper.push_back(std::log(kMaxNugget));
    // Fixed starts (short, medium and long length scales; small and moderate
    // noise): the likelihood is often multimodal, and fixed starts keep a fit a
    // function of its data.
    std::vector<double> best;
    double best_value = std::numeric_limits<double>::infinity();
    for (double length : {0.2, 0.5, 1.5})
        for (double nugget : {1e-4, 0.1}) {
            std::vector<double> v(static_cast<std::size_t>(d), std::log(length));
            v.push_back(std::log(nugget));
            nlopt::opt opt(nlopt::LN_BOBYQA, static_cast<unsigned>(d + 1));
            opt.set_lower_bounds(lower);
            opt.set_upper_bounds(upper);
            opt.set_min_objective(objective, &data);
            opt.set_maxeval(static_cast<int>(60 * (d + 1)));
            opt.set_xtol_abs(1e-3);
            opt.set_initial_step(0.5);
            double value = objective(v, v, &data);
            try {
                opt.optimize(v, value);
            } catch (const nlopt::roundoff_limited&) {
                // v holds the best point found so far
            } catch (const std::runtime_error&) {
                continue; // NLopt gave up on this start; the others remain
            }
            if (value < best_value) {
                best_value = value;
                best = v;
            }
        }
    if (best.empty() || best_value >= 1e300)
        throw RuntimeError("emulator: the likelihood could not be evaluated at any start");
    return Emulator(x, y, kernel, unpack(best));
}

Emulator::Emulator(MatrixXd x, VectorXd y, KernelKind kernel, EmulatorHyper hyper)
    : x_(std::move(x)), y_(std::move(y)), kernel_(kernel), hyper_(std::move(hyper)) {
    Factors f = factorise(x_, y_, kernel_, hyper_);
    if (!f.ok) throw RuntimeError("emulator: the correlation matrix is not positive definite");
    chol_ = std::move(f.chol);
    g_ = std::move(f.g);
    h_ = std::move(f.h);
    ainv_h_ = std::move(f.ainv_h);
    beta_ = std::move(f.beta);
    alpha_ = std::move(f.alpha);
    sigma2_ = f.sigma2;
}

double Emulator::correlation(const VectorXd& a, const VectorXd& b) const {
    return correlation_of(kernel_, hyper_.length_scales, a, b);
}

Emulator::Prediction Emulator::predict(const VectorXd& x) const {
    const long n = x_.rows();
    VectorXd r(n);
    for (long i = 0; i < n; ++i)
        r(i) = correlation(x, x_.row(i).transpose());
    VectorXd hx(x.size() + 1);
    hx(0) = 1;
    hx.tail(x.size()) = x;
    Prediction p;
    p.mean = predict_mean(x); // one computation, so a test on the mean alone agrees with it
    // Universal kriging: the correlation the data explain, plus what the
    // estimated mean coefficients leave uncertain.
    const VectorXd ainv_r = chol_.solve(r);
    const VectorXd u = hx - h_.transpose() * ainv_r;
    p.variance = sigma2_ * std::max(0.0, 1 - r.dot(ainv_r) + u.dot(g_.solve(u)));
    return p;
}

double Emulator::predict_mean(const VectorXd& x) const {
    double mean = beta_(0) + x.dot(beta_.tail(x.size()));
    for (long i = 0; i < x_.rows(); ++i)
        mean += alpha_(i) * correlation(x, x_.row(i).transpose());
    return mean;
}

VectorXd Emulator::loo_standardised() const {
    // P = A^-1 - A^-1 H G^-1 H' A^-1: the leave-one-out residual of point i is
    // (P y)_i / P_ii with variance sigma^2 / P_ii (Dubrule 1983, with the
    // regression re-estimated).
    const long n = x_.rows();
    const MatrixXd ainv = chol_.solve(MatrixXd::Identity(n, n));
    const MatrixXd p = ainv - ainv_h_ * g_.solve(ainv_h_.transpose());
    const VectorXd py = p * y_;
    VectorXd z(n);
    for (long i = 0; i < n; ++i)
        z(i) = py(i) / std::sqrt(sigma2_ * p(i, i));
    return z;
}

} // namespace khorgos::calibration
