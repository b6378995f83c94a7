// Replays fuzzer inputs (regressions and seeds) through the same function the
// fuzzer calls, in any build: each file or each file of each directory given.
// A mode before the paths says what their verdict must be: --accept (shipped
// files, bundled with the files they name), --reject (bad inputs), --any (the
// default: fuzzer seeds and regressions, which must only not crash).
// Exit 0 when none crashed and every verdict was as required, 1 when a
// verdict was not, 2 on a usage error.
#include "parse_one.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {
enum class Expect { any, accept, reject };
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: khorgos_fuzz_replay FILE_OR_DIR...\n";
        return 2;
    }
    std::vector<std::pair<fs::path, Expect>> files;
    Expect expect = Expect::any;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--accept" || arg == "--reject" || arg == "--any") {
            expect = arg == "--accept"   ? Expect::accept
                     : arg == "--reject" ? Expect::reject
                                         : Expect::any;
            continue;
        }
        const fs::path p(arg);
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().filename().string()[0] != '.')
                    files.emplace_back(e.path(), expect);
        } else if (fs::is_regular_file(p)) {
            files.emplace_back(p, expect);
        } else {
            std::cerr << "khorgos_fuzz_replay: no such file or directory: " << p << "\n";
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    int accepted = 0, rejected = 0, wrong = 0;
    for (const auto& [f, required] : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        std::cerr << "replay " << f.string() << ": ";
        std::string message;
        const bool ok =
            khorgos::fuzz::parse_one(text.str(), &message) == khorgos::fuzz::Verdict::accepted;
        ok ? ++accepted : ++rejected;
        std::cerr << message << "\n";
        if ((required == Expect::accept && !ok) || (required == Expect::reject && ok)) {
            ++wrong;
            std::cerr << "khorgos_fuzz_replay: " << f.string() << " must be "
                      << (required == Expect::accept ? "accepted" : "rejected") << "\n";
        }
    }
    std::cout << files.size() << " inputs replayed: " << accepted << " accepted, " << rejected
              << " rejected with an InputError, none crashed";
    if (wrong > 0) {
        std::cout << "; " << wrong << " with the wrong verdict\n";
        return 1;
    }
    std::cout << "\n";
    return 0;
}
