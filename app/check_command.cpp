#include "app/commands.hpp"

#include "app/command_line.hpp"
#include "input/check_file.hpp"

#include <iostream>

namespace khorgos {

int check_command(const std::vector<std::string>& args, const std::string&) {
    cli::po::options_description options(
        "khorgos check FILE.toml: validate a scenario, targets, calibration or batch file "
        "(exit code 2 with file, line, column and key when it is not valid)\n\noptions");
    options.add_options()("help,h", "show this help");
    const auto parsed = cli::parse(args, options, "file", "FILE", "missing the file to check");
    if (!parsed) return 0;
    std::cout << check_file((*parsed)["file"].as<std::string>()) << "\n";
    return 0;
}

} // namespace khorgos
