#pragma once
// Counter-based random streams (Random123 Philox4x32-10). A stream is fully
// named by (seed; id, step, purpose): its numbers depend on nothing else, so a
// run gives the same result on any number of threads and in any work order.
// The transforms (uniform, normal, log-normal, geometric, binomial, Poisson)
// are our own, because the std:: distributions differ between libraries.
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace khorgos {

/// What a stream's numbers are used for: part of its counter, so that two
/// decisions about the same agent on the same step never share numbers.
enum class Stream : std::uint32_t {
    departure = 1, ///< which pool members set out (per group)
    household,     ///< household sizes of repatriates (per group)
    priority,      ///< order of candidates competing for quota (per group)
    crossing,      ///< choice of crossing (per agent)
    region,        ///< choice of region (per agent)
    stay,          ///< durations and the competing events of a stay (per agent)
    outcome,       ///< what happens at the end of a stay (per agent)
    purpose,       ///< visitor's purpose at entry (per agent)
    quota,         ///< rounding of the year's quotas to whole agents (per year)
};

class RandomStream {
  public:
    RandomStream(std::uint64_t seed, std::uint32_t id, std::uint32_t step, Stream purpose)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          counter_{{id, step, static_cast<std::uint32_t>(purpose), 0}} {}

    std::uint32_t next_u32() {
        if (used_ == 4) refill();
        return block_.v[used_++];
    }

    /// Uniform on (0, 1): 52 random bits, centred in their interval, so never 0 or 1
    /// (the largest value, 1 - 2^-53, is exact in a double).
    double uniform() {
        const std::uint64_t hi = next_u32();
        const std::uint64_t lo = next_u32();
        return (static_cast<double>(((hi << 32) | lo) >> 12) + 0.5) * 0x1.0p-52;
    }

    /// Standard normal (Box-Muller; the second variate is kept for the next call).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(uniform()));
        const double theta = 6.283185307179586 * uniform();
        spare_ = r * std::sin(theta);
        has_spare_ = true;
        return r * std::cos(theta);
    }

    /// Log-normal with the given median and log-sd.
    double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

    /// Exponential with the given rate (mean 1/rate); infinity when rate is 0.
    double exponential(double rate) { return rate > 0 ? -std::log(uniform()) / rate : HUGE_VAL; }

    /// Failures before the first success in Bernoulli(p) trials; p in (0, 1].
    std::uint64_t geometric(double p) {
        if (p >= 1) return 0;
        const double g = std::floor(std::log(uniform()) / std::log1p(-p));
        return g >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(g);
    }

    /// Calls f(i) for each i in [0, n) chosen independently with probability p,
    /// in increasing order, at a cost proportional to the number chosen
    /// (geometric skips): the same process as n coin flips. Returns the count.
    template <typename F> std::uint64_t bernoulli_select(std::uint64_t n, double p, F&& f) {
        if (p <= 0 || n == 0) return 0;
        std::uint64_t count = 0;
        std::uint64_t i = geometric(p);
        while (i < n) {
            f(i);
            ++count;
            const std::uint64_t skip = geometric(p);
            if (skip >= n - i - 1) break; // written so that i + 1 + skip never overflows
            i += skip + 1;
        }
        return count;
    }

    /// Binomial(n, p) count.
    std::uint64_t binomial(std::uint64_t n, double p) {
        return bernoulli_select(n, p, [](std::uint64_t) {});
    }

    /// Poisson(mean), by counting unit-rate exponential arrivals (cost grows with the mean,
    /// which stays small where khorgos uses it: household sizes).
    std::uint32_t poisson(double mean) {
        std::uint32_t k = 0;
        double t = -std::log(uniform());
        while (t < mean) {
            ++k;
            t -= std::log(uniform());
        }
        return k;
    }

  private:
    void refill() {
        block_ = r123::Philox4x32{}(counter_, key_);
        ++counter_.v[3]; // draw index
        used_ = 0;
    }
    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type counter_;
    r123::Philox4x32::ctr_type block_{};
    int used_ = 4;
    bool has_spare_ = false;
    double spare_ = 0;
};

} // namespace khorgos
