#include "app/commands.hpp"

#include "app/command_line.hpp"
#include "sim/parameters.hpp"

#include <iostream>

namespace khorgos {

int parameters_command(const std::vector<std::string>& args, const std::string&) {
    cli::po::options_description options(
        "khorgos parameters: every model parameter with its default, bounds, unit and "
        "meaning, as a Markdown table\n\noptions");
    options.add_options()("help,h", "show this help");
    if (!cli::parse(args, options, nullptr, "", "")) return 0;
    std::cout << "| parameter | default | bounds | unit | meaning |\n|---|---|---|---|---|\n";
    for (const auto& p : parameter_specs())
        std::cout << "| `" << p.name << "` | " << p.default_value << " | " << p.lower << " to "
                  << p.upper << " | " << p.unit << " | " << p.meaning << " |\n";
    return 0;
}

} // namespace khorgos
