// khorgos: the command-line program. The only place that wires the engine,
// the output layer and calibration together. Exit codes: 0 ok, 2 bad input
// (the message names the file, line and key), 1 anything else. Messages read
// like those of the tools people know: `khorgos run: --scale: must be ...`.
#include "app/commands.hpp"
#include "khorgos_version.hpp"
#include "sim/errors.hpp"

#include <boost/program_options.hpp>

#include <iostream>
#include <map>

using namespace khorgos;

namespace {

constexpr const char* kUsage =
    R"(khorgos: agent-based simulation of migration across the China-Kazakhstan border

usage:
  khorgos run SCENARIO.toml [options]           simulate one scenario, write an HDF5 file, print the fit table
  khorgos batch BATCH.toml [options]            run scenarios x variations x seeds, with summaries
  khorgos calibrate CALIBRATION.toml [options]  fit parameters to the official figures (ABC-SMC or a point fit)
  khorgos check FILE.toml                       validate a scenario, targets, calibration or batch file
  khorgos parameters                            list every model parameter (Markdown table)
  khorgos help [COMMAND]                        this text, or a command's options (= khorgos COMMAND --help)
  khorgos --version

exit codes: 0 ok, 2 bad input (file, line and key in the message), 1 other failure
)";

using Command = int (*)(const std::vector<std::string>&, const std::string&);

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> table{{"run", run_command},
                                                      {"batch", batch_command},
                                                      {"calibrate", calibrate_command},
                                                      {"check", check_command},
                                                      {"parameters", parameters_command}};
    return table;
}

std::string join_command_line(int argc, char** argv) {
    std::string line;
    for (int i = 0; i < argc; ++i)
        line += (i ? " " : "") + std::string(argv[i]);
    return line;
}

/// An input error without a file is about the command line: `--scale: must be ...`.
std::string describe(const InputError& e) {
    if (!e.file().empty() || e.line() > 0) return e.what();
    return (e.key().empty() ? "" : e.key() + ": ") + e.message();
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string prefix = "khorgos";
    try {
        if (args.empty()) {
            std::cerr << kUsage;
            return 2;
        }
        if (args[0] == "--help" || args[0] == "-h" || (args[0] == "help" && args.size() == 1)) {
            std::cout << kUsage;
            return 0;
        }
        if (args[0] == "--version") {
            std::cout << "khorgos " << KHORGOS_VERSION << " (" << KHORGOS_GIT_COMMIT << ")\n";
            return 0;
        }
        if (args[0] == "help") { // khorgos help CMD = khorgos CMD --help
            if (args.size() > 2) throw InputError("", 0, 0, "help", "takes one command");
            args = {args[1], "--help"};
        }
        const std::string command = args[0];
        args.erase(args.begin());
        const auto found = commands().find(command);
        if (found == commands().end())
            throw InputError("", 0, 0, command, "unknown command (try khorgos --help)");
        prefix += " " + command;
        return found->second(args, join_command_line(argc, argv));
    } catch (const InputError& e) {
        std::cerr << prefix << ": " << describe(e) << "\n";
        return 2;
    } catch (const boost::program_options::error& e) {
        std::cerr << prefix << ": " << e.what() << " (try " << prefix << " --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << prefix << ": failure: " << e.what() << "\n";
        return 1;
    }
}
