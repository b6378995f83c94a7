#pragma once
// Targets files (calibration/targets/*.toml): the official figures as data.
#include "calibration/targets.hpp"
#include "input/file_source.hpp"

#include <string>
#include <vector>

namespace khorgos::calibration {

/// Reads a targets file. @throws InputError with file, line and key.
std::vector<Target> load_targets(const std::string& path, const FileSource& files = disk_files());

/// Reads targets held in memory (`name` stands for the file in messages).
/// @throws InputError with file, line and key.
std::vector<Target> load_targets_text(const std::string& text, const std::string& name);

} // namespace khorgos::calibration
