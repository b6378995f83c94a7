#pragma once
// Philox4x32-10 written out from its published definition (Salmon et al.,
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

} // namespace khorgos::testing
