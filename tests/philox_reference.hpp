#pragma once
// Philox4x32-10 and Philox4x64-10 written out from their published definition (Salmon et al.,
// "Parallel random numbers: as easy as 1, 2, 3", SC'11), apart from
// Random123's header, so that tests can derive pinned values independently
// of the code under test. test_rng.cpp checks it against Random123's
// published known-answer vectors.
#include <array>
#include <cstdint>

namespace khorgos::testing {

inline std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                                  std::array<std::uint32_t, 2> key) {
    constexpr std::uint64_t kM0 = 0xD2511F53, kM1 = 0xCD9E8D57; // round multipliers
    constexpr std::uint32_t kW0 = 0x9E3779B9, kW1 = 0xBB67AE85; // Weyl key increments
    for (int round = 0; round < 10; ++round) {
        if (round > 0) key = {key[0] + kW0, key[1] + kW1};
        const std::uint64_t p0 = kM0 * ctr[0], p1 = kM1 * ctr[2];
        ctr = {
            static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
            static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
    }
    return ctr;
}

inline std::array<std::uint64_t, 4> philox4x64_10(std::array<std::uint64_t, 4> ctr,
                                                  std::array<std::uint64_t, 2> key) {
    constexpr std::uint64_t kM0 = 0xD2E7470EE14C6C93, kM1 = 0xCA5A826395121157;
    constexpr std::uint64_t kW0 = 0x9E3779B97F4A7C15, kW1 = 0xBB67AE8584CAA73B;
    const auto hi = [](std::uint64_t a, std::uint64_t b) { // high word of a * b, by halves
        const std::uint64_t a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
        const std::uint64_t mid = (a0 * b0 >> 32) + (a1 * b0 & 0xffffffff) + a0 * b1;
        return a1 * b1 + (a1 * b0 >> 32) + (mid >> 32);
    };
    for (int round = 0; round < 10; ++round) {
        if (round > 0) key = {key[0] + kW0, key[1] + kW1};
        const std::uint64_t lo0 = kM0 * ctr[0], lo1 = kM1 * ctr[2];
        ctr = {hi(kM1, ctr[2]) ^ ctr[1] ^ key[0], lo1, hi(kM0, ctr[0]) ^ ctr[3] ^ key[1], lo0};
    }
    return ctr;
}

} // namespace khorgos::testing
