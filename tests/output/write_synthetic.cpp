// Writes the synthetic run file that the Python tests open:
//   khorgos_write_synthetic OUT.h5 [--events N] [--empty]
// --empty writes a run whose coordinates, observables and parameters are all
// empty, to check readers cope with zero-length dimensions.
#include "output/run_file.hpp"
#include "synthetic.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

int main(int argc, char** argv) {
    using namespace khorgos;
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " OUT.h5 [--events N] [--empty]\n";
        return 2;
    }
    std::uint64_t events = 0;
    bool empty = false;
    for (int i = 2; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
            events = std::strtoull(argv[++i], nullptr, 10);
        else if (!std::strcmp(argv[i], "--empty"))
            empty = true;
        else {
            std::cerr << "unknown argument " << argv[i] << "\n";
            return 2;
        }
    }
    try {
        RunResult result = test::synthetic_result();
        output::Provenance provenance = test::synthetic_provenance();
        if (empty) {
            result = RunResult{};
            provenance.parameters.clear();
            provenance.git_commit.clear();
        }
        output::RunFileWriter writer(argv[1], true, events > 0);
        // Steps of uneven size, as the engine's days are.
        std::vector<AgentEvent> step;
        for (std::uint64_t i = 0; i < events;) {
            step.clear();
            const std::uint64_t size = 997 + i % 13;
            for (std::uint64_t n = 0; n < size && i < events; ++n, ++i)
                step.push_back(test::synthetic_event(i));
            writer.events()->record(step.data(), step.size());
        }
        writer.write(result, provenance);
        writer.commit();
    } catch (const std::exception& e) {
        std::cerr << "write_synthetic: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
