// Simulation-based calibration (Talts et al. 2018) of ABC-SMC on the toy model
// of test_abc_toy.cpp: for each replication draw theta* from the prior, simulate
// an observation from it, calibrate, and take the rank of theta* among L draws
// from the weighted posterior. If the posterior is right, the rank is uniform on
// 0..L whatever the data; a posterior too narrow, too wide or shifted piles
// ranks at the edges, in the middle or on one side.
//
// Approximations, each small next to the test's resolution: the ABC tolerance
// (after 6 generations h is about 0.15, which adds h^2/3 = 0.008 to the
// likelihood variance 0.25 and widens the posterior by about 1%), and the
// importance weights' O(1/ESS) bias.
//
// Test: Pearson's chi-square of the rank histogram (L + 1 = 20 bins, R = 300
// replications, 15 expected per bin) against its 0.999 quantile with 19
// degrees of freedom, 43.82: a correct sampler fails with probability 0.001,
// and the seed is fixed. Run from the prior and from a point fit.
#include "calibration/abc_smc.hpp"
#include "calibration/point_fit.hpp"
#include "calibration/problem.hpp"
#include "toy_model.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace khorgos;
using namespace khorgos::calibration;
using namespace khorgos::calibration::toy;

TEST_CASE("Simulation-based calibration: ABC-SMC ranks are uniform", "[calibration][stochastic]") {
    const bool from_fit = GENERATE(false, true);
    constexpr int kReplications = 300;
    constexpr int kDraws = 19; // L: ranks 0..19
    constexpr double kChiSquare999 = 43.82;
    std::vector<int> histogram(kDraws + 1, 0);
    for (int r = 0; r < kReplications; ++r) {
        RandomStream truth(20261128, static_cast<std::uint32_t>(r), 0, Stream::outcome);
        const double theta = truth.normal(); // the prior's truncation at +-10 never binds
        const Problem problem = toy_problem(theta + kNoiseSd * truth.normal());
        const auto evaluate = openmp_evaluator(problem.simulate, 1);
        AbcSettings s;
        s.particles = 200;
        s.quantile = 0.5;
        s.max_generations = 6;
        s.min_acceptance = 0;
        s.seed = 1000 + static_cast<std::uint64_t>(r);
        if (from_fit) {
            FitSettings fit;
            fit.replicates = 4;
            fit.max_evaluations = 40;
            fit.seed = s.seed;
            s.start = AbcStart::fit;
            s.start_width = 0.3; // narrower than the posterior: the weights must correct it
            s.start_point = point_fit(problem, fit, evaluate, nullptr).theta;
        }
        const Generation last = run_abc_smc(problem, s, evaluate, {}, nullptr, nullptr).back();
        std::vector<double> cumulative;
        double total = 0;
        for (double w : last.weights)
            cumulative.push_back(total += w);
        RandomStream pick(20261128, static_cast<std::uint32_t>(r), 1, Stream::outcome);
        int rank = 0;
        for (int l = 0; l < kDraws; ++l) {
            const auto it =
                std::lower_bound(cumulative.begin(), cumulative.end(), pick.uniform() * total);
            const auto i = std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()),
                                                 cumulative.size() - 1);
            rank += last.particles[i] < theta ? 1 : 0;
        }
        ++histogram[static_cast<std::size_t>(rank)];
    }
    const double expected = static_cast<double>(kReplications) / (kDraws + 1);
    double chi_square = 0;
    std::string counts;
    for (int c : histogram) {
        chi_square += (c - expected) * (c - expected) / expected;
        counts += std::to_string(c) + " ";
    }
    INFO((from_fit ? "from the fit" : "from the prior")
         << ": rank histogram " << counts << "; chi-square " << chi_square);
    CHECK(chi_square < kChiSquare999);
}
