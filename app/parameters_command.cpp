#include "app/commands.hpp"

#include "sim/parameters.hpp"

#include <iostream>

namespace khorgos {

int parameters_command() {
    std::cout << "| parameter | default | bounds | unit | meaning |\n|---|---|---|---|---|\n";
    for (const auto& p : parameter_specs())
        std::cout << "| `" << p.name << "` | " << p.default_value << " | " << p.lower << " to "
                  << p.upper << " | " << p.unit << " | " << p.meaning << " |\n";
    return 0;
}

} // namespace khorgos
