#pragma once
// The one way khorgos opens a file a user names (scenarios and their `extends`
// parents, targets, batch and calibration files, design matrices, posterior
// files, run files read on --resume). Only regular files are read: a
// directory, a device such as /dev/zero, a FIFO or a socket is refused at
// once (a FIFO is opened without blocking), and so is a text file larger
// than kMaxInputBytes (HDF5 files are read piece by piece and have no limit).
// Every refusal is an InputError naming the file and why.
#include <cstdint>
#include <optional>
#include <string>

namespace khorgos::io {

/// The largest input file: 64 MiB. The historical scenario is 30 kB, the
/// largest design matrix of a batch (10^5 runs) about 10 MB; a posterior of
/// 1,000 particles x 50 targets x 20 generations about 10 MB.
constexpr std::uint64_t kMaxInputBytes = std::uint64_t{64} << 20;

/// For HDF5 files, which are read piece by piece.
constexpr std::uint64_t kNoLimit = ~std::uint64_t{0};

/// Checks that `path` is a readable regular file of at most `max_bytes`.
/// Returns false if there is no such file (nothing at `path`).
/// @throws InputError naming `path` and `key` for anything else that is wrong.
bool check_input(const std::string& path, const std::string& key,
                 std::uint64_t max_bytes = kMaxInputBytes);

/// The whole text of the file at `path`, or nullopt if there is none.
/// @throws InputError as check_input, and if reading fails.
std::optional<std::string> read_input(const std::string& path, const std::string& key);

} // namespace khorgos::io
