#pragma once
// What every subcommand's command line shares: its options, one positional
// file, --help, and worker counts where 0 means every core. Boost's own
// parsing errors become exit code 2 in main().
#include "sim/errors.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace khorgos::cli {

namespace po = boost::program_options;

/// Parses `args` with `options` and, unless `name` is null, one positional
/// argument stored as `name`. Prints the options and returns nothing for --help.
/// Unknown options and extra arguments are Boost errors (exit code 2).
/// @throws InputError (key `key`, message `missing`) when the file is not given.
inline std::optional<po::variables_map> parse(const std::vector<std::string>& args,
                                              const po::options_description& options,
                                              const char* name, const std::string& key,
                                              const std::string& missing) {
    po::options_description hidden;
    if (name) hidden.add_options()(name, po::value<std::string>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    if (name) positional.add(name, 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
        std::cout << options;
        return std::nullopt;
    }
    po::notify(vm);
    if (name && !vm.count(name)) throw InputError("", 0, 0, key, missing);
    return vm;
}

/// A seed as the command line gives it: an integer from 0 to 2^64 - 1, so
/// that every seed a batch gives its replicates can be rerun alone ("-1" is
/// an error, not 2^64 - 1). Seeds in files stop at 2^63 - 1, TOML's largest
/// integer. @throws InputError naming `key`.
inline std::uint64_t seed(const std::string& text, const std::string& key) {
    const bool digits = !text.empty() && text.size() <= 20 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    const unsigned long long value = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE)
        throw InputError("", 0, 0, key,
                         "'" + text + "' is not a seed (an integer from 0 to 2^64-1)");
    return value;
}

/// A count of threads, processes or jobs from an option; 0 means every core.
/// @throws InputError naming `key` outside 0..1024.
inline int workers(int count, const std::string& key) {
    if (count < 0 || count > 1024) throw InputError("", 0, 0, key, "must be from 0 to 1024");
    return count == 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : count;
}

} // namespace khorgos::cli
