#include "app/commands.hpp"

#include "app/command_line.hpp"
#include "batch/batch_runner.hpp"
#include "input/batch_spec.hpp"
#include "sim/errors.hpp"

#include <filesystem>

namespace po = boost::program_options;

namespace khorgos {

int batch_command(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description options("khorgos batch BATCH.toml [options]");
    std::string out;
    int jobs = 0;
    options.add_options()("help,h", "show this help")(
        "out", po::value<std::string>(&out),
        "output directory (default out/NAME of the batch); it receives batch.toml, inputs.txt, "
        "runs/, runs.csv, outputs.csv, summary.h5 and, with variations, variations.csv and "
        "problem.txt (docs/batch.md)")(
        "resume", "finish a batch that was interrupted, running only the runs not yet done")(
        "jobs", po::value<int>(&jobs)->default_value(0),
        "runs at a time in this process (0 = all cores); under MPI each rank runs one at a time")(
        "quiet", "no progress; print only the output directory")(
        "json", "no progress; print the outcome (runs ok and failed, the files) as a JSON object");
    const auto parsed = cli::parse(args, options, "batch", "BATCH", "missing the batch file");
    if (!parsed) return 0;
    const po::variables_map& vm = *parsed;

    // Everything the user can get wrong is checked before any run starts.
    batch::Options run;
    run.batch_path = vm["batch"].as<std::string>();
    run.jobs = cli::workers(jobs, "--jobs");
    run.jobs_given = !vm["jobs"].defaulted();
    run.resume = vm.count("resume") > 0;
    run.quiet = vm.count("quiet") > 0;
    run.json = vm.count("json") > 0;
    run.command_line = command_line;
    RecordingFiles files;
    batch::Spec spec = batch::load_spec(run.batch_path, files);
    spec.inputs = files.record();
    run.out = out.empty() ? "out/" + spec.name : out;
    std::error_code error;
    if (std::filesystem::exists(run.out, error) && !std::filesystem::is_directory(run.out, error))
        throw InputError("", 0, 0, "--out", run.out + " exists and is not a directory");
    return batch::run_batch(std::move(spec), run);
}

} // namespace khorgos
