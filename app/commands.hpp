#pragma once
// The subcommands of the khorgos program, one file each; main.cpp dispatches.
// Each returns the exit code; bad input is thrown as InputError (exit code 2).
#include <string>
#include <vector>

namespace khorgos {

/// `khorgos run SCENARIO.toml [options]`. `command_line` is recorded as provenance.
int run_command(const std::vector<std::string>& args, const std::string& command_line);
/// `khorgos batch BATCH.toml [options]`.
int batch_command(const std::vector<std::string>& args, const std::string& command_line);
/// `khorgos calibrate CALIBRATION.toml [options]`.
int calibrate_command(const std::vector<std::string>& args);
/// `khorgos check FILE.toml`.
int check_command(const std::vector<std::string>& args);
/// `khorgos parameters`: every model parameter as a Markdown table.
int parameters_command();

} // namespace khorgos
