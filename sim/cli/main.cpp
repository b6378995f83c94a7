// khorgos: the command-line program. The only place that wires the engine,
// the output layer and calibration together. Exit codes: 0 ok, 2 bad input
// (the message names the file, line and key), 1 anything else.
#include "batch_runner.hpp"
#include "calibrate.hpp"
#include "calibration/targets.hpp"
#include "check_file.hpp"
#include "command_line.hpp"
#include "interrupt.hpp"
#include "khorgos_version.hpp"
#include "output/temporary_files.hpp"
#include "run_plan.hpp"
#include "sim/engine.hpp"
#include "sim/errors.hpp"
#include "sim/scenario_file.hpp"
#include "sim/toml_reader.hpp"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace khorgos;

namespace {

constexpr const char* kUsage =
    R"(khorgos: agent-based simulation of migration across the China-Kazakhstan border

usage:
  khorgos run SCENARIO.toml [options]   simulate one scenario, write an HDF5 file, print the fit table
  khorgos batch BATCH.toml [options]    run scenarios x variations x seeds, with summaries (--help)
  khorgos calibrate CALIBRATION.toml [options]  fit parameters to the official figures (ABC-SMC or a point fit)
  khorgos check FILE.toml               validate a scenario, targets, calibration or batch file
  khorgos parameters                    list every model parameter (Markdown table)
  khorgos --help | --version

exit codes: 0 ok, 2 bad input (file, line and key in the message), 1 other failure
)";

// The official figures ship with the sources; the build records where they are.
constexpr const char* kDefaultTargets = KHORGOS_SOURCE_DIR "/calibration/targets/article.toml";

std::string join_command_line(int argc, char** argv) {
    std::string line;
    for (int i = 0; i < argc; ++i)
        line += (i ? " " : "") + std::string(argv[i]);
    return line;
}

int run_command(const std::vector<std::string>& args, int argc, char** argv) {
    // Ctrl-C and SIGTERM: remove the temporary output file, exit 130 / 143.
    interrupt::install();
    po::options_description options("khorgos run SCENARIO.toml [options]");
    std::uint64_t seed = 1;
    int threads = 0;
    double scale = 1;
    std::vector<std::string> sets;
    std::string out, targets_path, posterior_path, emit_path;
    options.add_options()("help,h", "show this help")(
        "seed", po::value<std::uint64_t>(&seed)->default_value(1),
        "random seed")("threads", po::value<int>(&threads)->default_value(0),
                       "OpenMP threads (0 = all cores; the result does not depend on it)")(
        "scale", po::value<double>(&scale)->default_value(1),
        "persons per agent (>= 1)")("set", po::value<std::vector<std::string>>(&sets)->composing(),
                                    "override a parameter, name=value (repeatable)")(
        "out", po::value<std::string>(&out), "output HDF5 file (default out/NAME-seedN.h5)")(
        "force", "overwrite an existing output file")("events",
                                                      "also write the agent-level event log")(
        "targets", po::value<std::string>(&targets_path),
        "official figures to compare with (default calibration/targets/article.toml)")(
        "quiet", "print only the output path")(
        "posterior", po::value<std::string>(&posterior_path),
        "draw the parameters from a posterior file (khorgos calibrate) by weight with the seed; "
        "--set still applies after")(
        "emit-targets", po::value<std::string>(&emit_path),
        "also write the run's observables as a targets file (synthetic targets)");
    const auto parsed =
        cli::parse(args, options, "scenario", "SCENARIO", "khorgos run needs a scenario file");
    if (!parsed) return 0;
    const po::variables_map& vm = *parsed;
    const std::string scenario_path = vm["scenario"].as<std::string>();
    threads = cli::workers(threads, "--threads");
    if (!valid_scale(scale))
        throw InputError("", 0, 0, "--scale", "must be a number from 1 to 1e6");

    const auto targets =
        calibration::load_targets(targets_path.empty() ? kDefaultTargets : targets_path);
    if (out.empty()) {
        fs::create_directories("out");
        out = "out/" + fs::path(scenario_path).stem().string() + "-seed" + std::to_string(seed) +
              ".h5";
    }
    RunPlan plan;
    plan.scenario_path = scenario_path;
    plan.sets = sets;
    std::string drawn;
    if (!posterior_path.empty()) {
        plan.sets = posterior_draw(posterior_path, seed, &drawn);
        plan.sets.insert(plan.sets.end(), sets.begin(), sets.end());
    }
    plan.seed = seed;
    plan.threads = threads;
    plan.scale = scale;
    plan.out = out;
    plan.force = vm.count("force") > 0;
    plan.events = vm.count("events") > 0;
    plan.command_line = join_command_line(argc, argv);
    // What a killed run of the same output left (a batch cleans its whole
    // directory once instead of a listing per run).
    output::remove_stale_temporaries(out);
    const RunOutcome outcome = execute(plan);
    const RunResult& result = outcome.result;
    if (!emit_path.empty())
        emit_targets(emit_path, result, targets,
                     "synthetic: " + plan.command_line + " (seed " + std::to_string(seed) + ")");

    if (!vm.count("quiet")) {
        std::cout << "scenario " << outcome.scenario_name << ", seed " << seed << ", scale "
                  << scale << ", " << threads << " thread(s): " << result.counters.events
                  << " events, " << result.counters.agents << " agents, "
                  << result.counters.person_days_away << " person-days in Kazakhstan, engine "
                  << static_cast<int>(result.counters.seconds * 1000) << " ms, "
                  << result.counters.parallel_steps << " parallel steps\n\n";
        if (!drawn.empty()) {
            std::cout << "parameters drawn from " << drawn << ":";
            for (const auto& s : plan.sets)
                std::cout << " " << s;
            std::cout << "\n\n";
        }
        std::cout << calibration::format_table(calibration::compare(targets, result)) << "\n";
        std::cout << "HDF5 file: ";
    }
    std::cout << fs::absolute(out).string() << "\n";
    return 0;
}

int check_command(const std::vector<std::string>& args) {
    if (args.size() != 1)
        throw InputError("", 0, 0, "FILE", "khorgos check needs exactly one file");
    std::cout << check_file(args[0]) << "\n";
    return 0;
}

int parameters_command() {
    std::cout << "| parameter | default | bounds | unit | meaning |\n|---|---|---|---|---|\n";
    for (const auto& p : parameter_specs())
        std::cout << "| `" << p.name << "` | " << p.default_value << " | " << p.lower << " to "
                  << p.upper << " | " << p.unit << " | " << p.meaning << " |\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            std::cout << kUsage;
            return args.empty() ? 2 : 0;
        }
        if (args[0] == "--version") {
            std::cout << "khorgos " << KHORGOS_VERSION << " (" << KHORGOS_GIT_COMMIT << ")\n";
            return 0;
        }
        const std::string command = args[0];
        args.erase(args.begin());
        if (command == "run") return run_command(args, argc, argv);
        if (command == "check") return check_command(args);
        if (command == "parameters") return parameters_command();
        if (command == "calibrate") return calibrate_command(args, argc, argv);
        // Further subcommands are dispatched here.
        if (command == "batch") return batch::batch_command(args, join_command_line(argc, argv));
        throw InputError("", 0, 0, command, "unknown command (try khorgos --help)");
    } catch (const InputError& e) {
        std::cerr << "khorgos: error: " << e.what() << "\n";
        return 2;
    } catch (const po::error& e) {
        std::cerr << "khorgos: error: " << e.what() << " (try --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "khorgos: failure: " << e.what() << "\n";
        return 1;
    }
}
