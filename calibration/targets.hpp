#pragma once
// The official figures as data (calibration/targets/*.toml), and the table
// that sets a run's observables beside them.
#include "sim/result.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace khorgos::calibration {

enum class ErrorModel { relative, uniform };

struct Target {
    std::string id;     ///< the observable's id
    std::string period; ///< the observable's period
    double value = 0;   ///< the official figure (the middle of a range)
    double lower = 0;   ///< range, equal to value for a point figure
    double upper = 0;
    std::string kind; ///< yearly_count, cumulative_count, daily_rate, share, stock
    ErrorModel error = ErrorModel::relative;
    double error_sd = 0.1; ///< sd of the log ratio (relative); softness outside the band (uniform)
    /// Model discrepancy: how far, on the error's scale (sd of the log ratio for
    /// relative errors), a good model may still be from the figure, for a stated
    /// reason (what the model leaves out). Adds to the error's variance.
    double discrepancy_sd = 0;
    std::string discrepancy_reason;
    bool fitted = true;
    std::string source; ///< the sentence of the source text

    /// sd of the comparison: observation error and model discrepancy together.
    double total_sd() const {
        return std::sqrt(error_sd * error_sd + discrepancy_sd * discrepancy_sd);
    }
};

struct Comparison {
    const Target* target;
    double simulated; ///< NaN when the run does not cover the target's period
    /// A posterior predictive 90% interval of the figure (run --predictive);
    /// NaN when none is shown or the posterior has none for this figure.
    double predictive_lower = NAN, predictive_upper = NAN;
};

/// Pairs each target with the run's observable of the same id and period.
std::vector<Comparison> compare(const std::vector<Target>& targets, const RunResult& run);

/// A fixed-width table: target id, period, official figure, simulated value,
/// ratio, and the predictive 90% interval when any row has one.
std::string format_table(const std::vector<Comparison>& rows);

} // namespace khorgos::calibration
