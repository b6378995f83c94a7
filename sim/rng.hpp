#pragma once
// Counter-based random streams (Random123 Philox4x64-10). A stream is fully
// named by (seed; id, step, purpose): its numbers depend on nothing else, so a
// run gives the same result on any number of threads and in any work order.
// The transforms (uniform, normal, log-normal, exponential, geometric,
// Poisson) are our own, because the std:: distributions differ
// between libraries.
#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace khorgos {

/// Ziggurat tables (Marsaglia and Tsang 2000) for a decreasing density f on
/// [0, inf) cut into N layers of equal area v: layer 0 is the base rectangle
/// [0, r] x [0, f(r)] plus the tail, seen as a rectangle of width x[0] = v / f(r);
/// layer i >= 1 is [0, x[i]] x [f(x[i]), f(x[i+1])], with x[1] = r and x[N] = 0.
/// A point drawn in a layer is under the curve outright when x < x[i+1]
/// (about 99% of draws), so most draws cost one random word and no libm call.
template <int N> struct Ziggurat {
    std::array<double, N + 1> x{};
    std::array<double, N + 1> f{}; ///< the density at x[i]

    template <typename Density, typename Inverse>
    Ziggurat(double r, double v, Density density, Inverse inverse) {
        x[0] = v / density(r);
        x[1] = r;
        for (int i = 1; i < N - 1; ++i)
            x[i + 1] = inverse(density(x[i]) + v / x[i]);
        x[N] = 0;
        for (int i = 0; i <= N; ++i)
            f[i] = density(x[i]);
    }
};

/// Standard normal, half-density exp(-x^2/2), 128 layers (r and v from
/// Marsaglia and Tsang 2000).
inline const Ziggurat<128>& normal_ziggurat() {
    static const Ziggurat<128> z(
        3.442619855899, 9.91256303526217e-3, [](double x) { return std::exp(-0.5 * x * x); },
        [](double y) { return std::sqrt(-2 * std::log(y)); });
    return z;
}

/// Unit exponential, density exp(-x), 256 layers (Marsaglia and Tsang 2000).
inline const Ziggurat<256>& exponential_ziggurat() {
    static const Ziggurat<256> z(
        7.69711747013104972, 3.949659822581572e-3, [](double x) { return std::exp(-x); },
        [](double y) { return -std::log(y); });
    return z;
}

/// What a stream's numbers are used for: part of its counter, so that two
/// decisions about the same agent on the same step never share numbers.
enum class Stream : std::uint32_t {
    departure = 1, ///< which pool members set out (per group)
    household,     ///< household sizes of repatriates (per group)
    priority,      ///< order of candidates competing for quota (per group)
    crossing,      ///< choice of crossing (per group, one per candidate)
    arrival,       ///< region, purpose, duration and competing events of a stay (per agent)
    outcome,       ///< what happens at the end of a stay (per agent)
    quota,         ///< rounding of the year's quotas to whole agents (per year)
};

class RandomStream {
  public:
    RandomStream(std::uint64_t seed, std::uint32_t id, std::uint32_t step, Stream purpose)
        : key_{{seed, 0}}, counter_{{id, step, static_cast<std::uint64_t>(purpose), 0}} {}

    /// The next 64-bit word. A Philox4x64 block gives four for about the work
    /// that Philox4x32 spends on two: most events use two to four words.
    std::uint64_t next_u64() {
        if (used_ == 4) refill();
        return block_.v[used_++];
    }

    /// Uniform on (0, 1): 52 random bits, centred in their interval, so never 0 or 1
    /// (the largest value, 1 - 2^-53, is exact in a double).
    double uniform() { return to_unit(next_u64() >> 12); }

    /// Standard normal (ziggurat). One 64-bit word gives the layer (7 bits),
    /// the sign (1 bit) and the position (52 bits), from disjoint bits so that
    /// they are independent (Doornik 2005).
    double normal() {
        const auto& z = normal_ziggurat();
        for (;;) {
            const std::uint64_t bits = next_u64();
            const int i = static_cast<int>(bits & 127);
            const double sign = bits & 128 ? -1.0 : 1.0;
            const double x = to_unit(bits >> 12) * z.x[i];
            if (x < z.x[i + 1]) return sign * x;
            if (i == 0) { // the tail beyond r (Marsaglia 1964)
                for (;;) {
                    const double a = -std::log(uniform()) / z.x[1];
                    const double b = -std::log(uniform());
                    if (2 * b > a * a) return sign * (z.x[1] + a);
                }
            }
            if (z.f[i] + uniform() * (z.f[i + 1] - z.f[i]) < std::exp(-0.5 * x * x))
                return sign * x;
        }
    }

    /// Log-normal with the given median and log-sd.
    double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

    /// Exponential with the given rate (mean 1/rate); infinity when rate is 0.
    double exponential(double rate) { return rate > 0 ? unit_exponential() / rate : HUGE_VAL; }

    /// Poisson(mean), by counting unit-rate exponential arrivals (cost grows with the mean,
    /// which stays small where khorgos uses it: household sizes).
    std::uint32_t poisson(double mean) {
        std::uint32_t k = 0;
        double t = unit_exponential();
        while (t < mean) {
            ++k;
            t += unit_exponential();
        }
        return k;
    }

  private:
    static double to_unit(std::uint64_t bits52) {
        return (static_cast<double>(bits52) + 0.5) * 0x1.0p-52;
    }

    /// Unit exponential (ziggurat), 8 bits for the layer and 52 for the position.
    double unit_exponential() {
        const auto& z = exponential_ziggurat();
        double offset = 0; // the tail beyond r is r plus another unit exponential
        for (;;) {
            const std::uint64_t bits = next_u64();
            const int i = static_cast<int>(bits & 255);
            const double x = to_unit(bits >> 12) * z.x[i];
            if (x < z.x[i + 1]) return offset + x;
            if (i == 0) {
                offset += z.x[1];
                continue;
            }
            if (z.f[i] + uniform() * (z.f[i + 1] - z.f[i]) < std::exp(-x)) return offset + x;
        }
    }

    void refill() {
        block_ = r123::Philox4x64{}(counter_, key_);
        ++counter_.v[3]; // draw index
        used_ = 0;
    }
    r123::Philox4x64::key_type key_;
    r123::Philox4x64::ctr_type counter_;
    r123::Philox4x64::ctr_type block_{};
    int used_ = 4;
};

/// Independent coin flips with chance 1 - exp(-rate) each, over a sequence
/// of batches (one per step) whose size and rate may change. The gaps between
/// successes are geometric: a unit exponential E covers floor(E / rate)
/// failures. What is left of E when a batch runs out carries to the next batch
/// (memoryless: given that it outlasted the batch, it is again a unit
/// exponential), so a batch with no success costs no random number. The same
/// process as one coin flip per member per batch.
class ExposureClock {
  public:
    /// Calls f(i) for each chosen i in [0, n), in increasing order, drawing
    /// from `rng` only when a member is chosen. Returns the count.
    template <typename F>
    std::uint64_t select(std::uint64_t n, double rate, RandomStream& rng, F&& f) {
        if (n == 0 || !(rate > 0)) return 0; // no exposure: nothing is used up
        if (left_ < 0) left_ = rng.exponential(1);
        std::uint64_t i = 0, count = 0;
        for (;;) {
            const double remaining = static_cast<double>(n - i);
            const double failures = left_ / rate;
            if (failures >= remaining) {
                left_ = std::max(0.0, left_ - remaining * rate);
                return count;
            }
            i += static_cast<std::uint64_t>(failures);
            f(i);
            ++count;
            left_ = rng.exponential(1);
            if (++i == n) return count;
        }
    }

    /// True if select(n, rate) would choose nobody, in which case the batch is
    /// used up here without a stream; false if select must run.
    bool quiet(std::uint64_t n, double rate) {
        if (n == 0 || !(rate > 0)) return true;
        const double remaining = static_cast<double>(n);
        if (left_ < 0 || left_ / rate < remaining) return false;
        left_ = std::max(0.0, left_ - remaining * rate);
        return true;
    }

  private:
    double left_ = -1; ///< exposure left before the next success; < 0 until first drawn
};

} // namespace khorgos
