// libFuzzer target: scenario, targets, batch and calibration parsers and
// validators, with the files they name, in memory (parse_one.hpp).
// Built with -DKHORGOS_FUZZ=ON (clang only); see docs/reliability.md.
#include "parse_one.hpp"

#include "input/toml_reader.hpp"
#include "sim/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

/// The runs a batch input declares (its first virtual file), counted as
/// input/batch_spec.cpp counts them; 0 if it is not a readable batch.
double declared_runs(const std::string& input) {
    const auto marker = input.find(std::string("\n") + khorgos::fuzz::kFileMarker);
    try {
        const toml::table root = khorgos::parse_toml_text(
            input.substr(0, marker == std::string::npos ? marker : marker + 1), "batch");
        const toml::table* batch = root["batch"].as_table();
        if (!batch) return 0;
        double runs = static_cast<double>((*batch)["replicates"].value_or(std::int64_t{1}));
        if (const toml::array* s = root["scenario"].as_array())
            runs *= static_cast<double>(s->size());
        const toml::table* variation = root["variation"].as_table();
        if (!variation) return runs;
        const std::string method = (*variation)["method"].value_or(std::string());
        const double samples =
            static_cast<double>((*variation)["samples"].value_or(std::int64_t{1}));
        const toml::array* parameters = (*variation)["parameter"].as_array();
        const double d = parameters ? static_cast<double>(parameters->size()) : 0;
        if (method == "grid" && parameters) {
            for (const auto& p : *parameters)
                if (const toml::array* values =
                        p.as_table() ? (*p.as_table())["values"].as_array() : nullptr)
                    runs *= static_cast<double>(values->size());
        } else if (method == "latin_hypercube") {
            runs *= samples;
        } else if (method == "saltelli") {
            runs *= samples * (2 * d + 2);
        }
        return runs;
    } catch (const khorgos::InputError&) {
        return 0;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Real files are a few kB; larger inputs only slow the search down.
    if (size > 64 * 1024) return -1;
    const std::string input(reinterpret_cast<const char*>(data), size);
    // A valid batch of millions of runs spends seconds (a minute under ASan)
    // making its rows, which is expansion, not parsing: such inputs are left
    // out of the search (-1: not added to the corpus). The run-count limit
    // itself is replayed by tests/fuzz/regressions/huge_grid.toml.
    if (declared_runs(input) > 1e5) return -1;
    khorgos::fuzz::parse_one(input);
    return 0;
}
