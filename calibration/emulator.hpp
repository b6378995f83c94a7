#pragma once
// A Gaussian-process emulator of one simulated figure: a cheap stand-in for the
// simulator that says, at any input, what it expects the figure to be and how
// unsure it is. The model is f(x) = h(x)'beta + u(x) with a linear mean
// h(x) = (1, x), u a zero-mean process of variance sigma^2 with one length
// scale per input (squared-exponential or Matern 5/2 correlation), and a nugget
// eta * sigma^2 for the simulation noise of the training values. beta and
// sigma^2 are profiled out (generalised least squares); the length scales and
// the nugget maximise the restricted likelihood (REML, which does not shrink
// sigma^2 for the mean's estimated coefficients) with NLopt from a few fixed
// starts, so a fit depends on its data alone.
//
// Inputs are expected in the unit cube (the calibration maps each parameter's
// internal scale onto [0, 1]); the length scales are in those units.
#include "calibration/history_settings.hpp"

#include <Eigen/Dense>

#include <vector>

namespace khorgos::calibration {

/// The fitted hyperparameters: enough, with the training data, to rebuild an emulator.
struct EmulatorHyper {
    std::vector<double> length_scales; ///< one per input
    double nugget = 1e-6;              ///< noise variance / sigma^2
};

class Emulator {
  public:
    /// Fits the hyperparameters by maximum (restricted) likelihood.
    /// x: n x d inputs, y: n training values; needs n > d + 2.
    /// @throws RuntimeError for too few points or a non-finite value.
    static Emulator fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, KernelKind kernel);

    /// Rebuilds an emulator from stored hyperparameters (no optimisation: the
    /// same data and hyperparameters give the same emulator bit for bit).
    Emulator(Eigen::MatrixXd x, Eigen::VectorXd y, KernelKind kernel, EmulatorHyper hyper);

    struct Prediction {
        double mean = 0;
        double variance = 0; ///< of the smooth mean function (the nugget's noise excluded)
    };
    Prediction predict(const Eigen::VectorXd& x) const;
    /// The mean alone (no solve with the training points' correlation matrix: O(n)).
    double predict_mean(const Eigen::VectorXd& x) const;

    /// Leave-one-out standardised errors (y_i - E_-i[y_i]) / sd_-i[y_i], in closed
    /// form (beta re-estimated without point i, hyperparameters kept): roughly
    /// standard normal for a valid emulator.
    Eigen::VectorXd loo_standardised() const;

    const EmulatorHyper& hyper() const { return hyper_; }
    double variance() const { return sigma2_; } ///< sigma^2
    double noise_variance() const { return sigma2_ * hyper_.nugget; }
    const Eigen::VectorXd& beta() const { return beta_; }

  private:
    double correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const;

    Eigen::MatrixXd x_;
    Eigen::VectorXd y_;
    KernelKind kernel_;
    EmulatorHyper hyper_;
    Eigen::LLT<Eigen::MatrixXd> chol_; ///< of R + eta I
    Eigen::MatrixXd h_;                ///< n x (d + 1) regressors
    Eigen::MatrixXd ainv_h_;           ///< (R + eta I)^-1 H
    Eigen::LLT<Eigen::MatrixXd> g_;    ///< of H'(R + eta I)^-1 H
    Eigen::VectorXd beta_, alpha_;     ///< alpha = (R + eta I)^-1 (y - H beta)
    double sigma2_ = 1;
};

/// Negative restricted log-likelihood of (hyper) on (x, y), up to a constant;
/// +infinity where the correlation matrix is not positive definite. Exposed for tests.
double emulator_objective(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, KernelKind kernel,
                          const EmulatorHyper& hyper);

} // namespace khorgos::calibration
