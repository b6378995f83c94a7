#include "app/commands.hpp"

#include "input/check_file.hpp"
#include "sim/errors.hpp"

#include <iostream>

namespace khorgos {

int check_command(const std::vector<std::string>& args) {
    if (args.size() != 1)
        throw InputError("", 0, 0, "FILE", "khorgos check needs exactly one file");
    std::cout << check_file(args[0]) << "\n";
    return 0;
}

} // namespace khorgos
