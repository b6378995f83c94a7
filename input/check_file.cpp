#include "input/check_file.hpp"

#include "input/batch_spec.hpp"
#include "input/calibration_file.hpp"
#include "input/scenario_file.hpp"
#include "input/targets_file.hpp"
#include "input/toml_reader.hpp"

#include <cstdio>

namespace khorgos {

namespace {

std::string check_calibration(const std::string& path, const FileSource& files) {
    const auto spec = calibration::load_calibration(path, "", files);
    // The scenario must load and accept every prior bound as a parameter value.
    LoadedScenario loaded = load_scenario(spec.scenario_path, files);
    for (const auto& p : spec.priors) {
        const Param parameter = *find_parameter(p.name); // checked by load_calibration
        apply_override(loaded.scenario, Override{parameter, p.lower});
        apply_override(loaded.scenario, Override{parameter, p.upper});
    }
    std::size_t fitted = 0;
    for (bool f : spec.fitted)
        fitted += f ? 1 : 0;
    return path + ": ok (calibration file '" + spec.name + "', method " + spec.method + ", " +
           std::to_string(spec.priors.size()) + " parameters, " + std::to_string(fitted) + " of " +
           std::to_string(spec.targets.size()) + " targets fitted, scenario " + spec.scenario_path +
           ")";
}

} // namespace

std::string check_file(const std::string& path, const FileSource& files) {
    const toml::table root = parse_toml_file(path, files);
    if (root.contains("calibration")) return check_calibration(path, files);
    if (root.contains("batch")) {
        const batch::Spec spec = batch::load_spec(path, files);
        return path + ": ok (batch '" + spec.name + "', " + std::to_string(spec.scenarios.size()) +
               " scenarios x " + std::to_string(spec.variations.size()) + " variations x " +
               std::to_string(spec.replicates) + " replicates = " +
               std::to_string(spec.scenarios.size() * spec.variations.size() *
                              static_cast<std::size_t>(spec.replicates)) +
               " runs)";
    }
    if (root.contains("target")) {
        const std::optional<std::string> text = files.read(path);
        const auto targets = calibration::load_targets_text(text.value_or(""), path);
        return path + ": ok (targets file, " + std::to_string(targets.size()) + " targets)";
    }
    const LoadedScenario loaded = load_scenario(path, files);
    const Scenario& s = loaded.scenario;
    return path + ": ok (scenario '" + s.name + "', " + std::to_string(s.origins.size()) +
           " origins, " + std::to_string(s.crossings.size()) + " crossings, " +
           std::to_string(s.regions.size()) + " regions, " + std::to_string(s.pools.size()) +
           " pools, " + std::to_string(s.events.size()) + " events)";
}

} // namespace khorgos
