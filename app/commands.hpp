#pragma once
// The subcommands of the khorgos program, one file each; main.cpp dispatches.
// Each takes the arguments after its name and the whole command line (recorded
// as provenance), and returns the exit code; bad input is thrown as InputError
// (exit code 2). Each answers --help and rejects arguments it does not know.
#include <string>
#include <vector>

namespace khorgos {

/// `khorgos run SCENARIO.toml [options]`.
int run_command(const std::vector<std::string>& args, const std::string& command_line);
/// `khorgos batch BATCH.toml [options]`.
int batch_command(const std::vector<std::string>& args, const std::string& command_line);
/// `khorgos calibrate CALIBRATION.toml [options]`.
int calibrate_command(const std::vector<std::string>& args, const std::string& command_line);
/// `khorgos check FILE.toml`.
int check_command(const std::vector<std::string>& args, const std::string& command_line);
/// `khorgos parameters`: every model parameter as a Markdown table.
int parameters_command(const std::vector<std::string>& args, const std::string& command_line);

} // namespace khorgos
