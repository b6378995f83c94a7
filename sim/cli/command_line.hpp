#pragma once
// What every subcommand's command line shares: its options, one positional
// file, --help, and worker counts where 0 means every core. Boost's own
// parsing errors become exit code 2 in main().
#include "sim/errors.hpp"

#include <boost/program_options.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace khorgos::cli {

namespace po = boost::program_options;

/// The shortest text that reads back (strtod) as exactly `x`: how numbers go
/// into `name=value` overrides and CSV files.
inline std::string exact(double x) {
    char text[32];
    for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(text, sizeof text, "%.*g", precision, x);
        if (std::strtod(text, nullptr) == x) break;
    }
    return text;
}

/// Parses `args` with `options` and one positional argument stored as `name`.
/// Prints the options and returns nothing for --help.
/// @throws InputError (key `key`, message `missing`) when the file is not given.
inline std::optional<po::variables_map> parse(const std::vector<std::string>& args,
                                              const po::options_description& options,
                                              const char* name, const std::string& key,
                                              const std::string& missing) {
    po::options_description hidden;
    hidden.add_options()(name, po::value<std::string>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add(name, 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << options;
        return std::nullopt;
    }
    if (!vm.count(name)) throw InputError("", 0, 0, key, missing);
    return vm;
}

/// A count of threads, processes or jobs from an option; 0 means every core.
/// @throws InputError naming `key` outside 0..1024.
inline int workers(int count, const std::string& key) {
    if (count < 0 || count > 1024) throw InputError("", 0, 0, key, "must be from 0 to 1024");
    return count == 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : count;
}

} // namespace khorgos::cli
