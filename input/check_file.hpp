#pragma once
// `khorgos check FILE`: tells a calibration, batch, targets or scenario file by
// its content, validates it with everything it names (scenarios and their
// `extends` chains, targets, design matrices) and says what it holds. The
// parser fuzzer (tests/fuzz) calls the same function with files in memory.
#include "input/file_source.hpp"

#include <string>

namespace khorgos {

/// A one-line summary of a valid file. @throws InputError on any bad input.
std::string check_file(const std::string& path, const FileSource& files = disk_files());

} // namespace khorgos
