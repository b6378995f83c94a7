#include "app/commands.hpp"

#include "app/command_line.hpp"
#include "batch/calibration_runs.hpp"
#include "batch/run_plan.hpp"
#include "calibration/report.hpp"
#include "input/scenario_file.hpp"
#include "input/targets_file.hpp"
#include "io/interrupt.hpp"
#include "io/json.hpp"
#include "io/output_file.hpp"
#include "io/temporary_files.hpp"
#include "output/posterior_file.hpp"
#include "sim/engine.hpp"
#include "sim/errors.hpp"

#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace po = boost::program_options;

namespace khorgos {

namespace {

// The official figures ship with the sources; the build records where they are.
constexpr const char* kDefaultTargets = KHORGOS_SOURCE_DIR "/calibration/targets/article.toml";

/// Whether two paths name one file (or would, once created).
bool same_file(const std::string& a, const std::string& b) {
    std::error_code error;
    if (fs::equivalent(a, b, error)) return true;
    return fs::weakly_canonical(a, error) == fs::weakly_canonical(b, error) && !error;
}

/// `khorgos run --json`: everything the table says, and the files, as one object.
void print_json(const RunPlan& plan, const RunOutcome& outcome,
                const std::vector<calibration::Comparison>& comparison, const std::string& drawn,
                const std::string& targets_path, const std::string& emit_path) {
    const RunCounters& c = outcome.result.counters;
    std::vector<std::string> observables;
    for (const auto& o : outcome.result.observables) {
        JsonObject row;
        row.add("id", json(o.id))
            .add("period", json(o.period))
            .add("value", json(o.value))
            .add("units", json(o.units));
        for (const auto& r : comparison)
            if (r.target->id == o.id && r.target->period == o.period)
                row.add("official", json(r.target->value))
                    .add("lower", json(r.target->lower))
                    .add("upper", json(r.target->upper))
                    .add("fitted", json(r.target->fitted))
                    .add("predictive_lower", json(r.predictive_lower))
                    .add("predictive_upper", json(r.predictive_upper));
        observables.push_back(row.str());
    }
    std::vector<std::string> sets;
    for (const auto& s : plan.sets)
        sets.push_back(json(describe(s)));
    JsonObject out;
    out.add("file", json(fs::absolute(plan.out).string()))
        .add("targets_file", emit_path.empty() ? "null" : json(fs::absolute(emit_path).string()))
        .add("scenario", json(outcome.scenario_name))
        .add("seed", json(plan.seed))
        .add("scale", json(plan.scale))
        .add("threads", json(plan.threads))
        .add("overrides", json_array(sets))
        .add("posterior", drawn.empty() ? "null" : json(drawn))
        .add("targets", json(targets_path))
        .add("counters", JsonObject()
                             .add("events", json(c.events))
                             .add("agents", json(c.agents))
                             .add("person_days_away", json(c.person_days_away))
                             .add("engine_seconds", json(c.seconds))
                             .add("parallel_steps", json(c.parallel_steps))
                             .str())
        .add("observables", json_array(observables));
    std::cout << out.str() << "\n";
}

/// Sets each row's predictive 90% interval from a posterior file's predictive
/// (the figure of the same id and period). @throws InputError (`--predictive`)
/// when the file has no predictive.
void attach_predictive(std::vector<calibration::Comparison>& rows, const std::string& path) {
    const calibration::PosteriorData data = output::read_posterior_file(path);
    if (data.predictive.generation < 0)
        throw InputError(path, 0, 0, "--predictive",
                         "holds no posterior predictive (a calibration that ran to its end "
                         "writes one)");
    for (auto& r : rows)
        for (std::size_t i = 0; i < data.target_ids.size(); ++i)
            if (data.target_ids[i] == r.target->id && data.target_periods[i] == r.target->period) {
                r.predictive_lower = data.predictive.lower90[i];
                r.predictive_upper = data.predictive.upper90[i];
            }
}

} // namespace

int run_command(const std::vector<std::string>& args, const std::string& command_line) {
    // Ctrl-C and SIGTERM: remove the temporary output files, exit 130 / 143.
    interrupt::install();
    po::options_description options("khorgos run SCENARIO.toml [options]");
    std::string seed_text;
    int threads = 0;
    double scale = 1;
    std::vector<std::string> sets;
    std::string out, targets_path, posterior_path, predictive_path, emit_path;
    options.add_options()("help,h", "show this help")(
        "seed", po::value<std::string>(&seed_text)->default_value("1"), "random seed, 0 to 2^64-1")(
        "threads", po::value<int>(&threads)->default_value(0),
        "threads of the run (0 = all cores; the result does not depend on it)")(
        "scale", po::value<double>(&scale)->default_value(1),
        "persons per agent (>= 1)")("set", po::value<std::vector<std::string>>(&sets)->composing(),
                                    "override a parameter, name=value (repeatable)")(
        "out", po::value<std::string>(&out), "output HDF5 file (default out/NAME-seedN.h5)")(
        "force", "replace existing output files (--out, --emit-targets); never a device or FIFO")(
        "events", "also write the agent-level event log")(
        "targets", po::value<std::string>(&targets_path),
        "official figures to compare with (default calibration/targets/article.toml)")(
        "quiet", "print only the paths of the files written (no table)")(
        "json", "print a JSON object instead: the files, run settings, counters and every "
                "observable with its official figure")(
        "posterior", po::value<std::string>(&posterior_path),
        "draw the parameters from a posterior file (khorgos calibrate) by weight with the seed; "
        "--set still applies after")(
        "predictive", po::value<std::string>(&predictive_path),
        "show a posterior file's predictive 90% interval beside each official figure (the "
        "calibrated model's spread: parameters and seeds, at the calibration's scale)")(
        "emit-targets", po::value<std::string>(&emit_path),
        "also write the run's observables as a targets file (synthetic targets); like --out, "
        "it is never replaced without --force");
    const auto parsed =
        cli::parse(args, options, "scenario", "SCENARIO", "missing the scenario file");
    if (!parsed) return 0;
    const po::variables_map& vm = *parsed;
    const std::string scenario_path = vm["scenario"].as<std::string>();
    const std::uint64_t seed = cli::seed(seed_text, "--seed");
    threads = cli::workers(threads, "--threads");
    if (!valid_scale(scale))
        throw InputError("", 0, 0, "--scale", "must be a number from 1 to 1e6");
    const bool force = vm.count("force") > 0;

    if (targets_path.empty()) targets_path = kDefaultTargets;
    const auto targets = calibration::load_targets(targets_path);
    if (out.empty()) {
        fs::create_directories("out");
        out = "out/" + fs::path(scenario_path).stem().string() + "-seed" + std::to_string(seed) +
              ".h5";
    }
    RunPlan plan;
    plan.scenario = std::make_shared<const LoadedScenario>(load_scenario(scenario_path));
    plan.sets = parse_overrides(sets);
    std::string drawn;
    if (!posterior_path.empty()) {
        plan.sets = posterior_draw(posterior_path, seed, &drawn);
        const auto more = parse_overrides(sets);
        plan.sets.insert(plan.sets.end(), more.begin(), more.end());
    }
    plan.seed = seed;
    plan.threads = threads;
    plan.scale = scale;
    plan.out = out;
    plan.force = force;
    plan.events = vm.count("events") > 0;
    plan.command_line = command_line;

    // Every output is checked before the simulation, so nothing is computed in vain.
    // Never one of the run's own inputs, even with --force.
    const auto check = [&](const std::string& path, const std::string& key) {
        io::check_output(path, force, key);
        if (same_file(path, targets_path))
            throw InputError(path, 0, 0, key, "is the targets file this run reads");
        for (const auto& posterior : {posterior_path, predictive_path})
            if (!posterior.empty() && same_file(path, posterior))
                throw InputError(path, 0, 0, key, "is a posterior file this run reads");
        for (const auto& file : plan.scenario->files)
            if (same_file(path, file))
                throw InputError(path, 0, 0, key, "is a scenario file this run reads");
    };
    check(out, "--out");
    if (!emit_path.empty()) {
        check(emit_path, "--emit-targets");
        if (same_file(emit_path, out))
            throw InputError(emit_path, 0, 0, "--emit-targets", "is also the --out file");
    }
    // What a killed run of the same output left (a batch cleans its whole
    // directory once instead of a listing per run).
    io::remove_stale_temporaries(out);
    const RunOutcome outcome = execute(plan);
    const RunResult& result = outcome.result;
    if (!emit_path.empty())
        io::write_file(emit_path,
                       calibration::targets_toml(result, targets,
                                                 "synthetic: " + command_line + " (seed " +
                                                     std::to_string(seed) + ")"),
                       force, "--emit-targets");

    auto comparison = calibration::compare(targets, result);
    if (!predictive_path.empty()) attach_predictive(comparison, predictive_path);
    if (vm.count("json")) {
        print_json(plan, outcome, comparison, drawn, targets_path, emit_path);
        return 0;
    }
    const bool quiet = vm.count("quiet") > 0;
    if (!quiet) {
        std::cout << "scenario " << outcome.scenario_name << ", seed " << seed << ", scale "
                  << scale << ", " << threads << " thread(s): " << result.counters.events
                  << " events, " << result.counters.agents << " agents, "
                  << result.counters.person_days_away << " person-days in Kazakhstan, engine "
                  << static_cast<int>(result.counters.seconds * 1000) << " ms, "
                  << result.counters.parallel_steps << " parallel steps\n\n";
        if (!drawn.empty()) {
            std::cout << "parameters drawn from " << drawn << ":";
            for (const auto& s : plan.sets)
                std::cout << " " << describe(s);
            std::cout << "\n\n";
        }
        std::cout << calibration::format_table(comparison) << "\n";
        std::cout << "HDF5 file: ";
    }
    std::cout << fs::absolute(out).string() << "\n";
    if (!emit_path.empty())
        std::cout << (quiet ? "" : "targets file: ") << fs::absolute(emit_path).string() << "\n";
    return 0;
}

} // namespace khorgos
