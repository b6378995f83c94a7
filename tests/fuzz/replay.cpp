// Replays fuzzer inputs (regressions and seeds) through the same function the
// fuzzer calls, in any build: each file or each file of each directory given.
// Exit 0 when none crashed (parse_one aborts on a bug), 2 on a usage error.
#include "parse_one.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: khorgos_fuzz_replay FILE_OR_DIR...\n";
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path p(argv[i]);
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().filename().string()[0] != '.')
                    files.push_back(e.path());
        } else if (fs::is_regular_file(p)) {
            files.push_back(p);
        } else {
            std::cerr << "khorgos_fuzz_replay: no such file or directory: " << p << "\n";
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    int accepted = 0, rejected = 0;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        std::cerr << "replay " << f.string() << ": ";
        std::string message;
        if (khorgos::fuzz::parse_one(text.str(), &message) == khorgos::fuzz::Verdict::accepted)
            ++accepted;
        else
            ++rejected;
        std::cerr << message << "\n";
    }
    std::cout << files.size() << " inputs replayed: " << accepted << " accepted, " << rejected
              << " rejected with an InputError, none crashed\n";
    return 0;
}
