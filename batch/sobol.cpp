#include "batch/sobol.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>

namespace khorgos::batch {

namespace {

/// Type 7 quantile (numpy's default) of sorted values.
double quantile(const std::vector<double>& sorted, double p) {
    const double h = (static_cast<double>(sorted.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

/// The outputs of one base sample: f(A_i), f(B_i) and f(AB_i^k) for each k.
struct Block {
    double a, b;
    std::vector<double> ab;
};

/// First-order and total indices from the blocks `pick` selects.
void estimate(const std::vector<Block>& blocks, const std::vector<std::size_t>& pick,
              std::vector<double>& first, std::vector<double>& total) {
    const auto n = static_cast<double>(pick.size());
    double mean = 0;
    for (const std::size_t i : pick)
        mean += blocks[i].a + blocks[i].b;
    mean /= 2 * n;
    double variance = 0;
    for (const std::size_t i : pick)
        variance += (blocks[i].a - mean) * (blocks[i].a - mean) +
                    (blocks[i].b - mean) * (blocks[i].b - mean);
    variance /= 2 * n;
    for (std::size_t k = 0; k < first.size(); ++k) {
        double v = 0, vt = 0;
        for (const std::size_t i : pick) {
            const Block& x = blocks[i];
            v += x.b * (x.ab[k] - x.a);
            vt += (x.a - x.ab[k]) * (x.a - x.ab[k]);
        }
        first[k] = variance > 0 ? v / n / variance : NAN;
        total[k] = variance > 0 ? vt / (2 * n) / variance : NAN;
    }
}

} // namespace

SobolIndices sobol_indices(const std::vector<double>& y, std::size_t samples,
                           std::size_t parameters, bool second_order, int resamples,
                           std::uint64_t seed) {
    const std::size_t width = second_order ? 2 * parameters + 2 : parameters + 2;
    std::vector<Block> blocks;
    for (std::size_t i = 0; i < samples && (i + 1) * width <= y.size(); ++i) {
        const double* row = y.data() + i * width;
        if (std::any_of(row, row + width, [](double v) { return std::isnan(v); })) continue;
        blocks.push_back(
            {row[0], row[width - 1], std::vector<double>(row + 1, row + 1 + parameters)});
    }
    SobolIndices out;
    out.samples = blocks.size();
    out.first.assign(parameters, {NAN, NAN, NAN, NAN});
    out.total.assign(parameters, {NAN, NAN, NAN, NAN});
    if (blocks.size() < 2) return out;

    std::vector<std::size_t> pick(blocks.size());
    for (std::size_t i = 0; i < pick.size(); ++i)
        pick[i] = i;
    std::vector<double> first(parameters), total(parameters);
    estimate(blocks, pick, first, total);
    for (std::size_t k = 0; k < parameters; ++k) {
        out.first[k].estimate = first[k];
        out.total[k].estimate = total[k];
    }

    // Resample r draws its base samples from Philox4x32-10 keyed by `seed`
    // with counter (r, j): independent of threads and of the other outputs.
    const r123::Philox4x32::key_type key{
        {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    std::vector<std::vector<double>> boot_first(parameters), boot_total(parameters);
    for (int r = 0; r < resamples; ++r) {
        for (std::size_t j = 0; j < pick.size(); ++j) {
            const auto x = r123::Philox4x32{}(
                {{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(j), 0, 0}}, key);
            pick[j] = static_cast<std::size_t>((std::uint64_t{x.v[0]} * blocks.size()) >> 32);
        }
        estimate(blocks, pick, first, total);
        for (std::size_t k = 0; k < parameters; ++k) {
            boot_first[k].push_back(first[k]);
            boot_total[k].push_back(total[k]);
        }
    }
    const auto summarise = [](std::vector<double>& values, SobolEstimate& e) {
        values.erase(
            std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
            values.end());
        if (values.size() < 2) return;
        std::sort(values.begin(), values.end());
        e.q05 = quantile(values, 0.05);
        e.q95 = quantile(values, 0.95);
        double mean = 0, ss = 0;
        for (double v : values)
            mean += v;
        mean /= static_cast<double>(values.size());
        for (double v : values)
            ss += (v - mean) * (v - mean);
        e.sd = std::sqrt(ss / static_cast<double>(values.size() - 1));
    };
    for (std::size_t k = 0; k < parameters; ++k) {
        summarise(boot_first[k], out.first[k]);
        summarise(boot_total[k], out.total[k]);
    }
    return out;
}

} // namespace khorgos::batch
