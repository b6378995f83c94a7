// libFuzzer target: scenario and targets parsers and validators, in memory.
// Built with -DKHORGOS_FUZZ=ON (clang only); see docs/reliability.md.
#include "parse_one.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Real files are a few kB; larger inputs only slow the search down.
    if (size > 64 * 1024) return -1;
    khorgos::fuzz::parse_one(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}
