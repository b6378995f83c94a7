#include "run_plan.hpp"

#include "interrupt.hpp"

#include "khorgos_version.hpp"
#include "output/run_file.hpp"
#include "sim/engine.hpp"
#include "sim/scenario_file.hpp"

#include <chrono>
#include <memory>

namespace khorgos {

RunOutcome execute(const RunPlan& plan) {
    LoadedScenario loaded = load_scenario(plan.scenario_path);
    for (const auto& s : plan.sets) apply_override(loaded.scenario, s);

    output::Provenance provenance;
    provenance.program_version = KHORGOS_VERSION;
    provenance.git_commit = KHORGOS_GIT_COMMIT;
    provenance.command_line = plan.command_line;
    provenance.scenario_path = plan.scenario_path;
    provenance.scenario_text = loaded.text;
    for (int i = 0; i < kParamCount; ++i)
        provenance.parameters.emplace_back(std::string(parameter_specs()[i].name),
                                           loaded.scenario.parameters.values()[i]);
    provenance.seed = plan.seed;
    provenance.scale = plan.scale;
    provenance.threads = plan.threads;
    provenance.start_time = output::utc_timestamp(std::chrono::system_clock::now());

    // Open the output before simulating, so a bad path fails at once. An
    // interruption (Ctrl-C, SIGTERM) removes the temporary file: the guard is
    // declared before the writer, and set before a signal can take effect.
    interrupt::TemporaryFile temporary;
    std::unique_ptr<output::RunFileWriter> writer;
    if (!plan.out.empty()) {
        interrupt::Deferred hold;
        writer = std::make_unique<output::RunFileWriter>(plan.out, plan.force, plan.events);
        temporary.guard(writer->temporary_path());
    }
    RunOptions options;
    options.seed = plan.seed;
    options.threads = plan.threads;
    options.scale = plan.scale;
    options.events = writer ? writer->events() : nullptr;
    RunOutcome outcome{simulate(loaded.scenario, options), loaded.scenario.name};
    if (writer) {
        provenance.end_time = output::utc_timestamp(std::chrono::system_clock::now());
        writer->write(outcome.result, provenance);
        interrupt::Deferred hold;
        writer->commit();
        temporary.committed();
    }
    return outcome;
}

} // namespace khorgos
