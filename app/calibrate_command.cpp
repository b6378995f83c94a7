#include "app/commands.hpp"

#include "app/command_line.hpp"
#include "batch/calibrate_mpi.hpp"
#include "batch/calibration_runs.hpp"
#include "calibration/abc_smc.hpp"
#include "calibration/history_matching.hpp"
#include "calibration/point_fit.hpp"
#include "calibration/predictive.hpp"
#include "calibration/report.hpp"
#include "input/calibration_file.hpp"
#include "input/check_file.hpp"
#include "input/scenario_file.hpp"
#include "io/input_file.hpp"
#include "io/interrupt.hpp"
#include "io/json.hpp"
#include "io/numbers.hpp"
#include "io/output_file.hpp"
#include "io/temporary_files.hpp"
#include "output/posterior_file.hpp"
#include "sim/engine.hpp"
#include "sim/errors.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace khorgos {

namespace {

/// Whether `path` names a file the calibration read (RecordingFiles::record).
bool recorded_input(const RecordingFiles& files, const std::string& path) {
    const std::string record = files.record();
    const std::string self = files.identity(path);
    return record.find("  " + self + "\n") != std::string::npos;
}

void log_line(const std::string& line) {
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::gmtime(&now));
    std::cerr << "[" << stamp << "] " << line << std::endl;
}

calibration::PosteriorData describe(const calibration::CalibrationSpec& spec,
                                    const RecordingFiles& files,
                                    std::optional<double> scale_override) {
    calibration::PosteriorData data;
    // The text identifies the calibration for --resume: the file and every setting that
    // shapes the posterior (the targets file's contents included).
    data.calibration_text = "# " + spec.path + "\n" + spec.text +
                            "\n# targets: " + spec.targets_path + "\n" +
                            files.read(spec.targets_path).value_or("");
    if (scale_override) data.calibration_text += "\n# --scale " + exact(*scale_override) + "\n";
    data.inputs = files.record();
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

void record_fit(calibration::PosteriorData& data, const calibration::FitResult& fit,
                const calibration::FitSettings& settings) {
    data.fit_parameters = fit.theta;
    data.fit_distance = fit.distance;
    data.fit_evaluations = static_cast<std::uint64_t>(fit.evaluations);
    data.fit_simulations = data.fit_evaluations * static_cast<std::uint64_t>(settings.replicates);
}

} // namespace

int calibrate_command(const std::vector<std::string>& args, const std::string&) {
    po::options_description options("khorgos calibrate CALIBRATION.toml [--targets FILE.toml] "
                                    "[--out FILE.h5] [--resume] [--jobs N] "
                                    "[--method abc|fit|history_matching] [--scale N]");
    std::string targets_path, out, method;
    int jobs = 0;
    double scale = 0;
    options.add_options()("help,h",
                          "show this help")("targets", po::value<std::string>(&targets_path),
                                            "targets file (replaces the calibration file's)")(
        "out", po::value<std::string>(&out),
        "posterior HDF5 file (default out/NAME-posterior.h5); beside it go the report "
        "NAME-report.txt and the scenario fragment NAME-mean.toml (ABC) or NAME.toml (fit)")(
        "resume", "continue from the last finished generation of --out (and replace its report "
                  "and fragment)")(
        "report-only",
        "simulate nothing: report the finished generations of --out (e.g. of a killed run)")(
        "force", "replace existing output files (--out, report, fragment); never a device or FIFO")(
        "jobs", po::value<int>(&jobs)->default_value(0),
        "simulations in parallel (0 = all cores; the posterior does not depend on it)")(
        "method", po::value<std::string>(&method),
        "abc, fit or history_matching (default: the file's)")(
        "scale", po::value<double>(&scale),
        "persons per agent, from 1 to 1e6 (default: the file's `scale`)")(
        "quiet", "no progress; print only the paths of the files written")(
        "json", "no progress; print the outcome (files, method, generations, simulations, "
                "parameters) as a JSON object");
    const auto parsed =
        cli::parse(args, options, "calibration", "CALIBRATION", "missing the calibration file");
    if (!parsed) return 0;
    const po::variables_map& vm = *parsed;
    jobs = cli::workers(jobs, "--jobs");

    // Everything is checked before the first simulation; every input file is read
    // once, through `files`, which records it for --resume.
    const std::string path = vm["calibration"].as<std::string>();
    RecordingFiles files;
    if (!targets_path.empty() && !files.read(targets_path))
        throw InputError(targets_path, 0, 0, "--targets", "file does not exist");
    calibration::CalibrationSpec spec = calibration::load_calibration(path, targets_path, files);
    if (!method.empty()) {
        if (method != "abc" && method != "fit" && method != "history_matching")
            throw InputError("", 0, 0, "--method", "must be abc, fit or history_matching");
        spec.method = method;
    }
    // A --scale that changes the file's is part of what --resume compares.
    std::optional<double> scale_override;
    if (vm.count("scale")) {
        if (!valid_scale(scale))
            throw InputError("", 0, 0, "--scale", "must be a number from 1 to 1e6");
        if (scale != spec.scale) scale_override = scale;
        spec.scale = scale;
    }
    check_file(path, files); // the scenario loads and accepts every prior bound
    const auto scenario =
        std::make_shared<const LoadedScenario>(load_scenario(spec.scenario_path, files));
    if (spec.fit_from_scenario) // e.g. a point fit from the shipped posterior's medians
        for (const auto& p : spec.priors)
            spec.fit.start.push_back(scenario->scenario.parameters[*find_parameter(p.name)]);
    if (out.empty()) {
        fs::create_directories("out");
        out = "out/" + spec.name +
              (spec.method == "fit"                ? "-fit.h5"
               : spec.method == "history_matching" ? "-waves.h5"
                                                   : "-posterior.h5");
    }
    const bool report_only = vm.count("report-only") > 0;
    const bool resume = vm.count("resume") > 0 || report_only;
    const bool force = vm.count("force") > 0;
    const bool out_exists = io::check_input(out, "--out", io::kNoLimit);
    if (report_only && !out_exists)
        throw InputError(out, 0, 0, "--report-only", "no such posterior file");
    if (report_only && spec.method != "abc")
        throw InputError(out, 0, 0, "--report-only", "applies to ABC-SMC posteriors only");
    if (out_exists && !resume && !force)
        throw InputError(out, 0, 0, "--out",
                         "file exists (use --resume to continue it or --force to replace it)");
    io::check_output(out, true, "--out");
    // The report and the fragment beside --out: new files, unless --force, or
    // --resume of the calibration that wrote them; never one of its inputs.
    std::string base = out;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, ".h5") == 0)
        base.resize(base.size() - 3);
    const std::string fragment_path = base + (spec.method == "fit"                ? ".toml"
                                              : spec.method == "history_matching" ? "-region.toml"
                                                                                  : "-mean.toml");
    const std::string report_path = base + "-report.txt";
    for (const auto& [file, key] :
         {std::pair{out, "--out"}, std::pair{fragment_path, "scenario fragment"},
          std::pair{report_path, "report"}}) {
        if (file != out) io::check_output(file, force || resume, key);
        if (recorded_input(files, file))
            throw InputError(file, 0, 0, key,
                             "is an input of this calibration; choose another --out");
    }

    // Ctrl-C: finished generations are in --out already; say how to go on.
    interrupt::install("khorgos calibrate " + vm["calibration"].as<std::string>() +
                       (scale_override ? " --scale " + exact(*scale_override) : "") + " --out " +
                       out + " --resume");
    calibration::PosteriorData data = describe(spec, files, scale_override);
    if (resume && out_exists) {
        // Continue from what the file holds: the fit ABC started from, the finished
        // generations, the stopping reason and the predictive.
        calibration::PosteriorData previous = output::read_posterior_file(out);
        check_unchanged(previous.inputs, disk_files(), "the calibration in '" + out + "'");
        if (previous.calibration_text != data.calibration_text || previous.seed != data.seed ||
            previous.method != data.method)
            throw InputError(out, 0, 0, "--resume",
                             "the file was made by a different calibration file, targets, seed, "
                             "method or scale");
        if (spec.method == "abc" && !previous.generations.empty() &&
            previous.generations.back().weights.size() !=
                static_cast<std::size_t>(spec.abc.particles))
            throw InputError(out, 0, 0, "--resume", "particle count differs");
        if (spec.method != "fit") {
            previous.inputs = data.inputs;
            data = std::move(previous);
        }
    }

    calibration::Problem problem;
    problem.priors = spec.priors;
    problem.targets = spec.targets;
    problem.fitted = spec.fitted;
    problem.distance = spec.distance;
    problem.adaptive_weights = spec.adaptive_weights;
    problem.replicates = spec.replicates;
    problem.simulate = engine_simulator(scenario, data.parameter_names, spec.targets, spec.scale);
    const MpiSession mpi;
    const bool root = mpi.rank() == 0; // only rank 0 prints and writes
    const calibration::BatchEvaluator evaluate = mpi_evaluator(
        mpi, problem.simulate, jobs, spec.targets.size(),
        engine_staged_simulator(scenario, data.parameter_names, spec.targets, spec.scale));
    const bool json_out = vm.count("json") > 0;
    const bool quiet = vm.count("quiet") > 0 || json_out || !root;
    const std::function<void(const std::string&)> log = quiet ? nullptr : log_line;

    bool replace_out = force || resume; // checked above; a file that appears meanwhile is kept
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
            output::write_posterior_file(out, data, replace_out);
            replace_out = true; // this calibration's own file from now on
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
    output::write_posterior_file(out, data, replace_out);

    // The report as text and the calibrated parameters as a scenario fragment, beside the file.
    const std::string extends =
        fs::relative(fs::absolute(spec.scenario_path), fs::absolute(fragment_path).parent_path())
            .string();
    for (const auto& file : {fragment_path, report_path})
        io::remove_stale_temporaries(file); // what a killed calibration left of these
    io::write_file(fragment_path,
                   calibration::scenario_fragment(extends, spec.name + "-calibrated",
                                                  fragment_comment, spec.priors, fragment_values),
                   force || resume, "scenario fragment");
    io::write_file(report_path, report, force || resume, "report");
    const std::string written[] = {fs::absolute(out).string(), fs::absolute(fragment_path).string(),
                                   fs::absolute(report_path).string()};
    if (json_out) {
        std::uint64_t simulations = data.fit_simulations;
        for (const auto& g : data.generations)
            simulations += g.simulations;
        for (const auto& w : data.waves)
            simulations += w.simulations;
        std::vector<std::string> parameters; // the values of the scenario fragment
        for (std::size_t i = 0; i < std::min(spec.priors.size(), fragment_values.size()); ++i)
            parameters.push_back(JsonObject()
                                     .add("name", json(spec.priors[i].name))
                                     .add("value", json(fragment_values[i]))
                                     .str());
        std::cout << JsonObject()
                         .add("posterior", json(written[0]))
                         .add("fragment", json(written[1]))
                         .add("report", json(written[2]))
                         .add("method", json(spec.method))
                         .add("generations",
                              json(static_cast<std::uint64_t>(data.generations.size())))
                         .add("tolerance", data.generations.empty()
                                               ? "null"
                                               : json(data.generations.back().tolerance))
                         .add("fit_distance",
                              data.fit_parameters.empty() ? "null" : json(data.fit_distance))
                         .add("simulations", json(simulations))
                         .add("predictive_draws",
                              json(static_cast<std::uint64_t>(data.predictive.particle.size())))
                         .add("stopping", json(data.stopping))
                         .add("seconds", json(seconds))
                         .add("parameters", json_array(parameters))
                         .str()
                  << "\n";
    } else if (vm.count("quiet")) {
        for (const auto& file : written)
            std::cout << file << "\n";
    } else {
        std::cout << report << "\nposterior file: " << written[0]
                  << "\nscenario fragment: " << written[1] << "\nreport: " << written[2] << "\n";
    }
    return 0;
}

} // namespace khorgos
