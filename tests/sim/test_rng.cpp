// The random streams and their transforms, tested against their analytic
// moments with tolerances of 4 standard errors for the sample size.
#include "sim/rng.hpp"
#include "tests/philox_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

using namespace khorgos;

namespace {
struct Moments {
    double mean = 0, var = 0;
};
template <typename F> Moments sample(int n, F draw) {
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double x = draw(i);
        sum += x;
        sum2 += x * x;
    }
    Moments m;
    m.mean = sum / n;
    m.var = sum2 / n - m.mean * m.mean;
    return m;
}
} // namespace

TEST_CASE("a stream is named by seed, id, step and purpose alone", "[rng]") {
    RandomStream a(7, 3, 11, Stream::arrival), b(7, 3, 11, Stream::arrival);
    for (int i = 0; i < 100; ++i)
        REQUIRE(a.next_u64() == b.next_u64());
    RandomStream other_seed(8, 3, 11, Stream::arrival), other_purpose(7, 3, 11, Stream::outcome),
        other_step(7, 3, 12, Stream::arrival), reference(7, 3, 11, Stream::arrival);
    const auto x = reference.next_u64();
    CHECK(other_seed.next_u64() != x);
    CHECK(other_purpose.next_u64() != x);
    CHECK(other_step.next_u64() != x);
}

TEST_CASE("uniform is on (0, 1) with mean 1/2 and variance 1/12", "[rng][stochastic]") {
    RandomStream rng(1, 0, 0, Stream::outcome);
    const int n = 200000;
    double lo = 1, hi = 0;
    const Moments m = sample(n, [&](int) {
        const double u = rng.uniform();
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        return u;
    });
    CHECK(lo > 0);
    CHECK(hi < 1);
    CHECK(std::abs(m.mean - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
    // var of the sample variance of U(0,1): (1/80 - 1/144) / n
    CHECK(std::abs(m.var - 1.0 / 12) < 4 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
}

TEST_CASE("normal has mean 0 and variance 1", "[rng][stochastic]") {
    RandomStream rng(2, 0, 0, Stream::outcome);
    const int n = 200000;
    const Moments m = sample(n, [&](int) { return rng.normal(); });
    CHECK(std::abs(m.mean) < 4 * std::sqrt(1.0 / n));
    CHECK(std::abs(m.var - 1) < 4 * std::sqrt(2.0 / n));
}

namespace {
/// Members chosen by one clock over one batch of n with the given rate.
std::uint64_t one_batch(std::uint32_t rep, std::uint64_t n, double rate) {
    RandomStream rng(3, rep, 0, Stream::departure);
    ExposureClock clock;
    return clock.select(n, rate, rng, [](std::uint64_t) {});
}
} // namespace

TEST_CASE("an exposure clock chooses Binomial(n, 1 - exp(-rate)) members", "[rng][stochastic]") {
    for (const auto& [n, rate] : std::vector<std::pair<std::uint64_t, double>>{
             {1000, 0.3}, {100000, 1e-3}, {50, 2.3}, {2000000, 2e-5}}) {
        const int reps = 20000;
        const Moments m = sample(reps, [&, n = n, rate = rate](int i) {
            return static_cast<double>(one_batch(static_cast<std::uint32_t>(i), n, rate));
        });
        const double p = -std::expm1(-rate);
        const double mean = n * p, var = n * p * (1 - p);
        INFO("n=" << n << " rate=" << rate);
        CHECK(std::abs(m.mean - mean) < 4 * std::sqrt(var / reps));
        // sd of the sample variance ~ var * sqrt(2 / reps) for near-normal counts
        CHECK(std::abs(m.var - var) < 4 * var * std::sqrt(2.0 / reps) + 1e-9);
    }
}

TEST_CASE("an exposure clock carried over batches gives independent binomial counts",
          "[rng][stochastic]") {
    // Batches of changing size and rate, as the steps of a run: the exposure
    // left over from one batch must neither inflate nor correlate the next.
    const std::vector<std::pair<std::uint64_t, double>> batches{
        {2000, 1e-4}, {500, 2e-3}, {3000, 5e-5}, {2000, 1e-3}, {10, 0.2}};
    const int reps = 20000;
    std::vector<Moments> per_batch(batches.size());
    std::vector<std::vector<double>> counts(batches.size(), std::vector<double>(reps));
    for (int i = 0; i < reps; ++i) {
        ExposureClock clock;
        for (std::size_t b = 0; b < batches.size(); ++b) {
            RandomStream rng(7, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(b),
                             Stream::departure);
            counts[b][i] = static_cast<double>(
                clock.select(batches[b].first, batches[b].second, rng, [](std::uint64_t) {}));
        }
    }
    for (std::size_t b = 0; b < batches.size(); ++b) {
        const auto [n, rate] = batches[b];
        const double p = -std::expm1(-rate), mean = n * p, var = n * p * (1 - p);
        const Moments m = sample(reps, [&](int i) { return counts[b][i]; });
        INFO("batch " << b);
        CHECK(std::abs(m.mean - mean) < 4 * std::sqrt(var / reps));
        CHECK(std::abs(m.var - var) < 4 * var * std::sqrt(2.0 / reps) + 0.05 * var);
        if (b == 0) continue;
        // Correlation with the previous batch: sd 1/sqrt(reps) when independent.
        const Moments prev = sample(reps, [&](int i) { return counts[b - 1][i]; });
        double cov = 0;
        for (int i = 0; i < reps; ++i)
            cov += (counts[b][i] - m.mean) * (counts[b - 1][i] - prev.mean);
        cov /= reps - 1;
        CHECK(std::abs(cov / std::sqrt(m.var * prev.var)) < 4 / std::sqrt(double(reps)));
    }
}

TEST_CASE("a batch in which nobody is chosen draws no random number", "[rng]") {
    ExposureClock clock;
    RandomStream first(8, 0, 0, Stream::departure);
    clock.select(1000, 1e-3, first, [](std::uint64_t) {}); // draws the first exposure
    RandomStream quiet(8, 0, 1, Stream::departure);
    REQUIRE(clock.select(1, 1e-12, quiet, [](std::uint64_t) {}) == 0);
    RandomStream fresh(8, 0, 1, Stream::departure);
    CHECK(quiet.uniform() == fresh.uniform());
}

TEST_CASE("selected positions are increasing, in range, and uniform", "[rng][stochastic]") {
    const std::uint64_t n = 10;
    const double rate = -std::log(0.75); // chance 0.25 each
    std::vector<double> hits(n, 0);
    const int reps = 50000;
    for (int i = 0; i < reps; ++i) {
        RandomStream rng(4, static_cast<std::uint32_t>(i), 0, Stream::departure);
        ExposureClock clock;
        std::int64_t last = -1;
        clock.select(n, rate, rng, [&](std::uint64_t k) {
            REQUIRE(static_cast<std::int64_t>(k) > last);
            REQUIRE(k < n);
            last = static_cast<std::int64_t>(k);
            hits[k] += 1;
        });
    }
    for (std::uint64_t k = 0; k < n; ++k)
        CHECK(std::abs(hits[k] / reps - 0.25) < 4 * std::sqrt(0.25 * 0.75 / reps));
}

TEST_CASE("poisson has mean and variance equal to its parameter", "[rng][stochastic]") {
    for (const double mean : {0.5, 3.83, 20.0}) {
        RandomStream rng(5, 0, 0, Stream::household);
        const int n = 100000;
        const Moments m = sample(n, [&](int) { return static_cast<double>(rng.poisson(mean)); });
        INFO("mean=" << mean);
        CHECK(std::abs(m.mean - mean) < 4 * std::sqrt(mean / n));
        // var of the sample variance of Poisson: (mean + 2 mean^2) / n
        CHECK(std::abs(m.var - mean) < 4 * std::sqrt((mean + 2 * mean * mean) / n));
    }
}

TEST_CASE("log-normal has the requested median", "[rng][stochastic]") {
    RandomStream rng(6, 0, 0, Stream::arrival);
    const int n = 100001;
    int below = 0;
    for (int i = 0; i < n; ++i)
        below += rng.lognormal(30, 0.6) < 30;
    CHECK(std::abs(below / double(n) - 0.5) < 4 * std::sqrt(0.25 / n));
}

namespace {
/// Checks the share of n draws in each bin [cuts[k], cuts[k+1]) against the
/// distribution's probability, within 4 binomial standard errors: the bins
/// reach into the tails, where the ziggurat switches to its tail algorithm.
template <typename Draw, typename Cdf>
void check_bins(Draw draw, Cdf cdf, const std::vector<double>& cuts, int n) {
    std::vector<double> count(cuts.size() - 1, 0);
    for (int i = 0; i < n; ++i) {
        const double x = draw();
        const auto it = std::upper_bound(cuts.begin(), cuts.end(), x);
        REQUIRE(it != cuts.begin());
        REQUIRE(it != cuts.end());
        count[static_cast<std::size_t>(it - cuts.begin() - 1)] += 1;
    }
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
        const double p = cdf(cuts[k + 1]) - cdf(cuts[k]);
        INFO("bin [" << cuts[k] << ", " << cuts[k + 1] << "), p = " << p);
        CHECK(std::abs(count[k] / n - p) < 4 * std::sqrt(p * (1 - p) / n));
    }
}
} // namespace

TEST_CASE("ziggurat tables tile the density in layers of equal area", "[rng]") {
    const auto& z = normal_ziggurat();
    for (int i = 0; i < 128; ++i)
        REQUIRE(z.x[i] > z.x[i + 1]);
    // The top layer closes the table: its area matches the others' (v).
    CHECK(z.x[127] * (1 - z.f[127]) == Approx(9.91256303526217e-3).epsilon(1e-6));
    const auto& e = exponential_ziggurat();
    for (int i = 0; i < 256; ++i)
        REQUIRE(e.x[i] > e.x[i + 1]);
    CHECK(e.x[255] * (1 - e.f[255]) == Approx(3.949659822581572e-3).epsilon(1e-6));
}

TEST_CASE("normal draws follow the normal distribution, tails included", "[rng][stochastic]") {
    RandomStream rng(9, 0, 0, Stream::outcome);
    const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
    // 3.4426 is the ziggurat's tail cut.
    check_bins([&] { return rng.normal(); }, phi,
               {-HUGE_VAL, -3.4426, -2.5, -1.5, -0.7, 0, 0.3, 0.9, 1.8, 3.0, 3.4426, 4.0, HUGE_VAL},
               2000000);
}

TEST_CASE("exponential draws follow the exponential distribution, tail included",
          "[rng][stochastic]") {
    RandomStream rng(10, 0, 0, Stream::outcome);
    const double rate = 2.5;
    const auto cdf = [&](double x) { return x <= 0 ? 0.0 : -std::expm1(-rate * x); };
    // 7.697 / rate is the ziggurat's tail cut.
    check_bins([&] { return rng.exponential(rate); }, cdf,
               {0, 0.01, 0.1, 0.3, 0.6, 1.0, 2.0, 7.69711747 / rate, 4.0, HUGE_VAL}, 4000000);
}

TEST_CASE("Philox4x32-10 gives Random123's published known answers", "[rng]") {
    // Random123 1.14, tests/kat_vectors, the three "philox4x32 10" lines:
    // counter (4 words), key (2 words), expected output (4 words).
    struct Kat {
        std::array<std::uint32_t, 4> ctr;
        std::array<std::uint32_t, 2> key;
        std::array<std::uint32_t, 4> out;
    };
    const Kat kats[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Kat& k : kats) {
        const r123::Philox4x32::ctr_type ctr{{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}};
        const r123::Philox4x32::key_type key{{k.key[0], k.key[1]}};
        const auto out = r123::Philox4x32{}(ctr, key);
        for (int i = 0; i < 4; ++i)
            CHECK(out.v[i] == k.out[i]);
        // The tests' own Philox (philox_reference.hpp), used to derive pinned values.
        CHECK(khorgos::testing::philox4x32_10(k.ctr, k.key) == k.out);
    }
}

TEST_CASE("Philox4x64-10 gives Random123's published known answers", "[rng]") {
    // Random123 1.14, tests/kat_vectors, the three "philox4x64 10" lines.
    struct Kat {
        std::array<std::uint64_t, 4> ctr;
        std::array<std::uint64_t, 2> key;
        std::array<std::uint64_t, 4> out;
    };
    constexpr std::uint64_t ones = ~std::uint64_t{0};
    const Kat kats[] = {
        {{0, 0, 0, 0},
         {0, 0},
         {0x16554d9eca36314c, 0xdb20fe9d672d0fdc, 0xd7e772cee186176b, 0x7e68b68aec7ba23b}},
        {{ones, ones, ones, ones},
         {ones, ones},
         {0x87b092c3013fe90b, 0x438c3c67be8d0224, 0x9cc7d7c69cd777b6, 0xa09caebf594f0ba0}},
        {{0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x082efa98ec4e6c89},
         {0x452821e638d01377, 0xbe5466cf34e90c6c},
         {0xa528f45403e61d95, 0x38c72dbd566e9788, 0xa5a1610e72fd18b5, 0x57bd43b5e52b7fe6}},
    };
    for (const Kat& k : kats) {
        const r123::Philox4x64::ctr_type ctr{{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}};
        const r123::Philox4x64::key_type key{{k.key[0], k.key[1]}};
        const auto out = r123::Philox4x64{}(ctr, key);
        for (int i = 0; i < 4; ++i)
            CHECK(out.v[i] == k.out[i]);
        CHECK(khorgos::testing::philox4x64_10(k.ctr, k.key) == k.out);
    }
}

TEST_CASE("a stream's words are Philox4x64-10 of (id, step, purpose, draw) under (seed, 0)",
          "[rng]") {
    const std::uint64_t seed = 0x243f6a8885a308d3ULL;
    RandomStream s(seed, 17, 4242, Stream::arrival);
    for (std::uint64_t draw = 0; draw < 3; ++draw) {
        const auto block = khorgos::testing::philox4x64_10(
            {17, 4242, static_cast<std::uint64_t>(Stream::arrival), draw}, {seed, 0});
        for (int i = 0; i < 4; ++i)
            CHECK(s.next_u64() == block[i]);
    }
}
