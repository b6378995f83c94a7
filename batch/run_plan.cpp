#include "batch/run_plan.hpp"

#include "khorgos_version.hpp"
#include "output/run_file.hpp"
#include "sim/engine.hpp"
#include "sim/errors.hpp"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <memory>
#include <sstream>

namespace khorgos {

namespace {

/// Memory the kernel says is available (MemAvailable), or 0 if unknown.
std::uint64_t available_memory() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kb = 0;
    std::string unit;
    while (meminfo >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    return 0;
}

/// Refuses, up front, a run whose pools could need more memory than the
/// machine has, rather than letting the kernel kill it half-way.
void check_memory(const Scenario& scenario, const RunPlan& plan) {
    const std::uint64_t need = memory_bound_bytes(scenario, plan.scale);
    const std::uint64_t have = available_memory();
    if (have == 0 || need <= have) return;
    std::ostringstream message;
    message << std::fixed << std::setprecision(1) << "the pools could need up to " << need / 1e9
            << " GB of memory but " << have / 1e9
            << " GB are available; raise --scale (persons per agent) or shrink the pools";
    throw InputError(plan.scenario->path, 0, 0, "pools", message.str());
}

} // namespace

RunOutcome execute(const RunPlan& plan) {
    const LoadedScenario& loaded = *plan.scenario;
    Scenario scenario = loaded.scenario;
    for (const auto& s : plan.sets)
        apply_override(scenario, s);
    check_memory(scenario, plan);

    output::Provenance provenance;
    provenance.program_version = KHORGOS_VERSION;
    provenance.git_commit = KHORGOS_GIT_COMMIT;
    provenance.command_line = plan.command_line;
    provenance.scenario_path = loaded.path;
    provenance.scenario_text = loaded.text;
    for (int i = 0; i < kParamCount; ++i)
        provenance.parameters.emplace_back(std::string(parameter_specs()[i].name),
                                           scenario.parameters.values()[i]);
    provenance.seed = plan.seed;
    provenance.scale = plan.scale;
    provenance.threads = plan.threads;
    provenance.start_time = output::utc_timestamp(std::chrono::system_clock::now());

    // Open the output before simulating, so a bad path fails at once. The
    // writer's temporary file is removed on Ctrl-C (io::OutputFile).
    std::unique_ptr<output::RunFileWriter> writer;
    if (!plan.out.empty())
        writer = std::make_unique<output::RunFileWriter>(plan.out, plan.force, plan.events);
    RunOptions options;
    options.seed = plan.seed;
    options.threads = plan.threads;
    options.scale = plan.scale;
    options.series = plan.series || writer;
    options.after_year = plan.after_year;
    options.events = writer ? writer->events() : nullptr;
    RunOutcome outcome{simulate(scenario, options), scenario.name};
    if (writer) {
        provenance.end_time = output::utc_timestamp(std::chrono::system_clock::now());
        writer->write(outcome.result, provenance);
        writer->commit();
    }
    return outcome;
}

} // namespace khorgos
