// khorgos: the command-line program. The only place that wires the engine,
// the output layer and calibration together. Exit codes: 0 ok, 2 bad input
// (the message names the file, line and key), 1 anything else.
#include "app/commands.hpp"
#include "khorgos_version.hpp"
#include "sim/errors.hpp"

#include <boost/program_options.hpp>

#include <iostream>

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

std::string join_command_line(int argc, char** argv) {
    std::string line;
    for (int i = 0; i < argc; ++i)
        line += (i ? " " : "") + std::string(argv[i]);
    return line;
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
        if (command == "run") return run_command(args, join_command_line(argc, argv));
        if (command == "check") return check_command(args);
        if (command == "parameters") return parameters_command();
        if (command == "calibrate") return calibrate_command(args);
        if (command == "batch") return batch_command(args, join_command_line(argc, argv));
        throw InputError("", 0, 0, command, "unknown command (try khorgos --help)");
    } catch (const InputError& e) {
        std::cerr << "khorgos: error: " << e.what() << "\n";
        return 2;
    } catch (const boost::program_options::error& e) {
        std::cerr << "khorgos: error: " << e.what() << " (try --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "khorgos: failure: " << e.what() << "\n";
        return 1;
    }
}
