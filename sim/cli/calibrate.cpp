#include "calibrate.hpp"

#include "calibrate_mpi.hpp"
#include "check_file.hpp"
#include "command_line.hpp"
#include "interrupt.hpp"

#include "calibration/abc_smc.hpp"
#include "calibration/calibration_file.hpp"
#include "calibration/history_matching.hpp"
#include "calibration/point_fit.hpp"
#include "calibration/predictive.hpp"
#include "calibration/report.hpp"
#include "output/posterior_file.hpp"
#include "output/temporary_files.hpp"
#include "run_plan.hpp"
#include "sim/errors.hpp"
#include "sim/scenario_file.hpp"

#include <boost/program_options.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace khorgos {

namespace {

std::vector<std::string> as_sets(const std::vector<std::string>& names,
                                 const std::vector<double>& theta) {
    std::vector<std::string> sets;
    for (std::size_t j = 0; j < names.size(); ++j)
        sets.push_back(names[j] + "=" + cli::exact(theta[j]));
    return sets;
}

void write_text(const std::string& path, const std::string& text) {
    interrupt::Deferred hold; // Ctrl-C waits for the file to be whole under its final name
    output::remove_stale_temporaries(path); // what a killed calibration left of this file
    const std::string temporary = output::temporary_path(path);
    {
        std::ofstream out(temporary, std::ios::binary);
        out << text;
        if (!out) throw RuntimeError("cannot write '" + temporary + "'");
    }
    fs::rename(temporary, path);
    interrupt::output_completed();
}

void log_line(const std::string& line) {
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::gmtime(&now));
    std::cerr << "[" << stamp << "] " << line << std::endl;
}

output::PosteriorData describe(const calibration::CalibrationSpec& spec) {
    output::PosteriorData data;
    // The text identifies the calibration for --resume: the file and every setting that
    // shapes the posterior (the targets file's contents included).
    std::ifstream targets(spec.targets_path, std::ios::binary);
    std::string targets_text((std::istreambuf_iterator<char>(targets)),
                             std::istreambuf_iterator<char>());
    data.calibration_text = "# " + spec.path + "\n" + spec.text +
                            "\n# targets: " + spec.targets_path + "\n" + targets_text;
    data.method = spec.method;
    data.seed = spec.seed;
    for (const auto& p : spec.priors) {
        data.parameter_names.push_back(p.name);
        data.priors.push_back(p.describe());
    }
    for (std::size_t i = 0; i < spec.targets.size(); ++i) {
        const auto& t = spec.targets[i];
        data.target_ids.push_back(t.id);
        data.target_periods.push_back(t.period);
        data.target_values.push_back(t.value);
        data.target_lower.push_back(t.lower);
        data.target_upper.push_back(t.upper);
        data.target_fitted.push_back(spec.fitted[i] ? 1 : 0);
    }
    return data;
}

void record_fit(output::PosteriorData& data, const calibration::FitResult& fit,
                const calibration::FitSettings& settings) {
    data.fit_parameters = fit.theta;
    data.fit_distance = fit.distance;
    data.fit_evaluations = static_cast<std::uint64_t>(fit.evaluations);
    data.fit_simulations = data.fit_evaluations * static_cast<std::uint64_t>(settings.replicates);
}

} // namespace

calibration::Simulator engine_simulator(const std::string& scenario_path,
                                        const std::vector<std::string>& names,
                                        const std::vector<calibration::Target>& targets,
                                        double scale) {
    return [=](const std::vector<double>& theta, std::uint64_t seed) {
        RunPlan plan;
        plan.scenario_path = scenario_path;
        plan.sets = as_sets(names, theta);
        plan.seed = seed;
        plan.threads = 1; // the calibration runs simulations side by side instead
        plan.scale = scale;
        const RunOutcome outcome = execute(plan);
        std::vector<double> values;
        for (const auto& t : targets) {
            const Observable* o = outcome.result.observable(t.id, t.period);
            values.push_back(o ? o->value : NAN);
        }
        return values;
    };
}

std::vector<std::string> posterior_draw(const std::string& path, std::uint64_t seed,
                                        std::string* description) {
    const output::PosteriorData data = output::read_posterior_file(path);
    std::vector<double> theta;
    const std::size_t d = data.parameter_names.size();
    if (!data.generations.empty()) {
        const auto& gen = data.generations.back();
        RandomStream stream = calibration::calibration_stream(
            seed, 0, 0, calibration::CalibrationStream::posterior_draw);
        const double u = stream.uniform();
        double cumulative = 0;
        std::size_t chosen = gen.weights.size() - 1;
        for (std::size_t i = 0; i < gen.weights.size(); ++i) {
            cumulative += gen.weights[i];
            if (u <= cumulative) {
                chosen = i;
                break;
            }
        }
        theta.assign(gen.particles.begin() + static_cast<long>(chosen * d),
                     gen.particles.begin() + static_cast<long>((chosen + 1) * d));
        if (description)
            *description = "particle " + std::to_string(chosen) + " of generation " +
                           std::to_string(data.generations.size() - 1) + " of " + path;
    } else if (!data.fit_parameters.empty()) {
        theta = data.fit_parameters;
        if (description) *description = "the point fit of " + path;
    } else {
        throw InputError(path, 0, 0, "--posterior",
                         "the file holds no finished generation and no fit");
    }
    return as_sets(data.parameter_names, theta);
}

void emit_targets(const std::string& path, const RunResult& run,
                  const std::vector<calibration::Target>& like, const std::string& source) {
    write_text(path, calibration::targets_toml(run, like, source));
}

int calibrate_command(const std::vector<std::string>& args, int argc, char** argv) {
    po::options_description options("khorgos calibrate CALIBRATION.toml [--targets FILE.toml] "
                                    "[--out FILE.h5] [--resume] [--jobs N] "
                                    "[--method abc|fit|history_matching]");
    std::string targets_path, out, method;
    int jobs = 0;
    options.add_options()("help,h",
                          "show this help")("targets", po::value<std::string>(&targets_path),
                                            "targets file (replaces the calibration file's)")(
        "out", po::value<std::string>(&out), "posterior HDF5 file (default out/NAME-posterior.h5)")(
        "resume", "continue from the last finished generation of --out")(
        "report-only",
        "simulate nothing: report the finished generations of --out (e.g. of a killed run)")(
        "force", "replace an existing --out file")(
        "jobs", po::value<int>(&jobs)->default_value(0),
        "simulations in parallel (0 = all cores; the posterior does not depend on it)")(
        "method", po::value<std::string>(&method),
        "abc, fit or history_matching (default: the file's)")("quiet", "no progress lines");
    const auto parsed = cli::parse(args, options, "calibration", "CALIBRATION",
                                   "khorgos calibrate needs a calibration file");
    if (!parsed) return 0;
    const po::variables_map& vm = *parsed;
    jobs = cli::workers(jobs, "--jobs");

    // Everything is checked before the first simulation.
    const std::string path = vm["calibration"].as<std::string>();
    if (!targets_path.empty() && !fs::exists(targets_path))
        throw InputError(targets_path, 0, 0, "--targets", "file does not exist");
    calibration::CalibrationSpec spec = calibration::load_calibration(path, targets_path);
    if (!method.empty()) {
        if (method != "abc" && method != "fit" && method != "history_matching")
            throw InputError("", 0, 0, "--method", "must be abc, fit or history_matching");
        spec.method = method;
    }
    check_file(path); // the scenario loads and accepts every prior bound
    if (out.empty()) {
        fs::create_directories("out");
        out = "out/" + spec.name +
              (spec.method == "fit"                ? "-fit.h5"
               : spec.method == "history_matching" ? "-waves.h5"
                                                   : "-posterior.h5");
    }
    const fs::path out_dir = fs::absolute(out).parent_path();
    if (!fs::is_directory(out_dir))
        throw InputError(out, 0, 0, "--out", "directory '" + out_dir.string() + "' does not exist");
    const bool report_only = vm.count("report-only") > 0;
    const bool resume = vm.count("resume") > 0 || report_only;
    if (report_only && !fs::exists(out))
        throw InputError(out, 0, 0, "--report-only", "no such posterior file");
    if (report_only && spec.method != "abc")
        throw InputError(out, 0, 0, "--report-only", "applies to ABC-SMC posteriors only");
    if (fs::exists(out) && !resume && !vm.count("force"))
        throw InputError(out, 0, 0, "--out",
                         "file exists (use --resume to continue it or --force to replace it)");

    // Ctrl-C: finished generations are in --out already; say how to go on.
    interrupt::install("khorgos calibrate " + vm["calibration"].as<std::string>() + " --out " +
                       out + " --resume");
    output::PosteriorData data = describe(spec);
    if (resume && fs::exists(out)) {
        // Continue from what the file holds: the fit ABC started from, the finished
        // generations, the stopping reason and the predictive.
        output::PosteriorData previous = output::read_posterior_file(out);
        if (previous.calibration_text != data.calibration_text || previous.seed != data.seed ||
            previous.method != data.method)
            throw InputError(
                out, 0, 0, "--resume",
                "the file was made by a different calibration file, targets, seed or method");
        if (spec.method == "abc" && !previous.generations.empty() &&
            previous.generations.back().weights.size() !=
                static_cast<std::size_t>(spec.abc.particles))
            throw InputError(out, 0, 0, "--resume", "particle count differs");
        if (spec.method != "fit") data = std::move(previous);
    }

    calibration::Problem problem;
    problem.priors = spec.priors;
    problem.targets = spec.targets;
    problem.fitted = spec.fitted;
    problem.distance = spec.distance;
    problem.adaptive_weights = spec.adaptive_weights;
    problem.replicates = spec.replicates;
    problem.simulate =
        engine_simulator(spec.scenario_path, data.parameter_names, spec.targets, spec.scale);
    const CalibrationMpi mpi;
    const bool root = mpi.rank() == 0; // only rank 0 prints and writes
    const calibration::BatchEvaluator evaluate =
        mpi.evaluator(problem.simulate, jobs, spec.targets.size());
    const bool quiet = vm.count("quiet") > 0 || !root;
    const std::function<void(const std::string&)> log = quiet ? nullptr : log_line;

    const auto start = std::chrono::steady_clock::now();
    std::string report;
    std::vector<double> fragment_values;
    std::string fragment_comment;
    if (spec.method == "fit") {
        const auto fit = calibration::point_fit(problem, spec.fit, evaluate, log);
        record_fit(data, fit, spec.fit);
        report = calibration::fit_report(problem, fit.theta, fit.simulated, fit.distance);
        char line[160];
        std::snprintf(line, sizeof line, "\n%d evaluations x %d replicates (%s)\n", fit.evaluations,
                      spec.fit.replicates, fit.status.c_str());
        report += line;
        fragment_values = fit.theta;
        fragment_comment = "Point fit (" + spec.fit.algorithm + ") of calibration " + spec.path;
    } else {
        const auto write = [&] {
            if (!root) return;
            interrupt::Deferred hold; // Ctrl-C waits until the file is whole under its name
            output::write_posterior_file(out, data);
            interrupt::output_completed();
        };
        // History matching: alone, or the first stage of ABC-SMC, whose prior it
        // truncates to the non-implausible region.
        const bool matching = spec.method == "history_matching" ||
                              spec.abc.start == calibration::AbcStart::history_matching;
        spec.history.threads = jobs;
        if (matching && !report_only && data.wave_stopping.empty()) {
            if (log && !data.waves.empty())
                log("resuming history matching after wave " +
                    std::to_string(data.waves.size() - 1) + " of " + out);
            data.waves = calibration::run_history_matching(
                problem, spec.history, evaluate, data.waves,
                [&](const std::vector<calibration::Wave>& waves) {
                    data.waves = waves;
                    write();
                },
                log);
            data.wave_stopping = calibration::history_stopping_reason(spec.history, data.waves);
            write();
        }
        const std::string matching_report =
            matching ? calibration::history_matching_report(problem, spec.history, data.waves,
                                                            data.wave_stopping)
                     : "";
        std::optional<calibration::NonImplausibleRegion> region;
        if (matching && spec.method == "abc") {
            if (data.waves.empty() || data.waves.back().region.empty()) {
                std::cerr << matching_report;
                throw RuntimeError("history matching left no non-implausible region: ABC-SMC "
                                   "has nothing to sample (the report above says which figures "
                                   "no point meets)");
            }
            region.emplace(problem, spec.history, data.waves);
            spec.abc.region = [&region](const std::vector<double>& theta) {
                return region->contains(theta);
            };
            spec.abc.region_sample = data.waves.back().region;
        }
        if (spec.method == "history_matching") {
            report = matching_report;
            std::string what;
            fragment_values = calibration::region_median(problem, data.waves, &what);
            fragment_comment = "History matching of calibration " + spec.path + " (wave " +
                               std::to_string(data.waves.size() - 1) + "): " + what;
        } else {
            if (spec.abc.start == calibration::AbcStart::fit && !report_only) {
                if (data.fit_parameters.empty()) {
                    if (log) log("point fit (" + spec.fit.algorithm + "), the start of ABC-SMC");
                    record_fit(data, calibration::point_fit(problem, spec.fit, evaluate, log),
                               spec.fit);
                    write(); // a kill in generation 0 resumes without fitting again
                }
                spec.abc.start_point = data.fit_parameters;
            }
            if (!report_only && data.stopping.empty()) {
                if (log && !data.generations.empty())
                    log("resuming after generation " + std::to_string(data.generations.size() - 1) +
                        " of " + out);
                const auto on_generation = [&](const std::vector<calibration::Generation>& gens) {
                    data.generations = gens;
                    write();
                };
                data.generations = calibration::run_abc_smc(problem, spec.abc, evaluate,
                                                            data.generations, on_generation, log);
                if (data.generations.empty())
                    throw RuntimeError(
                        "ABC-SMC finished no generation (simulation budget too small?)");
                const std::string reason = calibration::stopping_reason(spec.abc, data.generations);
                // Empty: the budget ran out inside a generation, which was discarded.
                data.stopping = reason.empty()
                                    ? "simulation budget used before the next generation finished"
                                    : reason;
                write();
            }
            if (data.generations.empty())
                throw InputError(out, 0, 0, "--report-only",
                                 "the file holds no finished generation");
            const auto last = static_cast<std::int64_t>(data.generations.size() - 1);
            if (!report_only && data.predictive.generation != last) {
                if (log)
                    log("posterior predictive: " + std::to_string(spec.abc.predictive_draws) +
                        " fresh simulations");
                data.predictive = calibration::posterior_predictive(
                    problem, data.generations, spec.seed, spec.abc.predictive_draws, evaluate);
            }
            report = calibration::abc_report(problem, data);
            if (matching)
                report +=
                    "\nABC-SMC's prior was truncated to the non-implausible region of history "
                    "matching:\n" +
                    matching_report;
            // The median, not the mean: a log-uniform parameter's mean is pulled up by
            // its upper decades, while its median is the same on either scale (geometric).
            for (const auto& p :
                 calibration::summarise_parameters(problem, data.generations.back()))
                fragment_values.push_back(p.median);
            fragment_comment = "Posterior median of calibration " + spec.path +
                               " (ABC-SMC, generation " + std::to_string(last) + ")";
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[200];
    std::snprintf(line, sizeof line,
                  "\nwall time of this invocation: %.0f s on %d rank(s) x %d job(s); scale %g, %d "
                  "replicate(s)\n",
                  seconds, mpi.size(), jobs, spec.scale, spec.replicates);
    report += line;
    data.report = report;
    if (!root) return 0;
    {
        interrupt::Deferred hold;
        output::write_posterior_file(out, data);
        interrupt::output_completed();
    }

    // The report as text and the calibrated parameters as a scenario fragment, beside the file.
    std::string base = out;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, ".h5") == 0)
        base.resize(base.size() - 3);
    const std::string fragment_path = base + (spec.method == "fit"                ? ".toml"
                                              : spec.method == "history_matching" ? "-region.toml"
                                                                                  : "-mean.toml");
    const std::string extends =
        fs::relative(fs::absolute(spec.scenario_path), fs::absolute(fragment_path).parent_path())
            .string();
    write_text(fragment_path,
               calibration::scenario_fragment(extends, spec.name + "-calibrated", fragment_comment,
                                              spec.priors, fragment_values));
    write_text(base + "-report.txt", report);
    std::cout << report << "\nposterior file: " << fs::absolute(out).string()
              << "\nscenario fragment: " << fs::absolute(fragment_path).string()
              << "\nreport: " << fs::absolute(base + "-report.txt").string() << "\n";
    (void)argc;
    (void)argv;
    return 0;
}

} // namespace khorgos
