// The golden record: a hash of every dataset the engine produces (coordinates,
// variables, observables, counters and the agent-level event log) for a few
// fixed runs, compared with the stored record in tests/sim/golden_record.txt.
// A refactor of the engine must keep it bit for bit; a change that alters the
// random draws on purpose rewrites it (`scripts/update_golden`) in the same
// commit, with scripts/compare_builds.py over 30 seeds showing the same model.
//
//   golden_record check FILE   exit 0 if every line matches, 1 naming the ones that differ
//   golden_record write FILE   (re)write the record
#include "input/scenario_file.hpp"
#include "sim/engine.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace khorgos;

namespace {

/// FNV-1a, 64 bits: stable across builds and platforms with IEEE doubles.
class Hash {
  public:
    void bytes(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i)
            h_ = (h_ ^ p[i]) * 1099511628211ULL;
    }
    void text(const std::string& s) { bytes(s.data(), s.size() + 1); }
    template <typename T> void values(const std::vector<T>& v) {
        bytes(v.data(), v.size() * sizeof(T));
    }
    std::string hex() const {
        std::ostringstream out;
        out << std::hex << h_;
        return out.str();
    }

  private:
    std::uint64_t h_ = 14695981039346656037ULL;
};

struct EventLog : EventRecorder {
    Hash hash;
    std::uint64_t rows = 0;
    void record(const AgentEvent* events, std::size_t count) override {
        // Field by field: the struct's padding bytes are not part of the record.
        for (std::size_t i = 0; i < count; ++i) {
            const AgentEvent& e = events[i];
            hash.bytes(&e.day, sizeof e.day);
            hash.bytes(&e.agent, sizeof e.agent);
            hash.bytes(&e.type, sizeof e.type);
            hash.bytes(&e.ethnicity, sizeof e.ethnicity);
            hash.bytes(&e.kind, sizeof e.kind);
            hash.bytes(&e.crossing, sizeof e.crossing);
            hash.bytes(&e.from, sizeof e.from);
            hash.bytes(&e.to, sizeof e.to);
        }
        rows += count;
    }
};

struct Case {
    std::string name, scenario;
    std::uint64_t seed;
    double scale;
};

// The historical run and the counterfactual that changes the most (transit
// migrants for the whole horizon), at a scale that keeps the check under a second.
const Case kCases[] = {
    {"historical", "scenarios/historical.toml", 1, 10},
    {"visa_free_continues", "scenarios/counterfactuals/visa_free_continues.toml", 1, 10}};

/// "case/dataset" -> hash, for one case run on `threads` threads.
std::map<std::string, std::string> record(const Case& c, int threads) {
    const Scenario s = load_scenario(std::string(KHORGOS_SOURCE_DIR) + "/" + c.scenario).scenario;
    EventLog log;
    RunOptions o;
    o.seed = c.seed;
    o.scale = c.scale;
    o.threads = threads;
    o.events = &log;
    const RunResult r = simulate(s, o);

    std::map<std::string, std::string> out;
    const std::string prefix = c.name + "/";
    for (const auto& coord : r.coordinates) {
        Hash h;
        h.values(coord.values);
        for (const auto& l : coord.labels)
            h.text(l);
        out[prefix + "coordinate/" + coord.name] = h.hex();
    }
    for (const auto& v : r.variables) {
        Hash h;
        h.values(v.values);
        out[prefix + v.group + "/" + v.name] = h.hex();
    }
    Hash obs;
    for (const auto& o : r.observables) {
        obs.text(o.id);
        obs.text(o.period);
        obs.bytes(&o.value, sizeof o.value);
    }
    out[prefix + "observables"] = obs.hex();
    Hash counters;
    counters.bytes(&r.counters.events, sizeof r.counters.events);
    counters.bytes(&r.counters.agents, sizeof r.counters.agents);
    counters.bytes(&r.counters.person_days_away, sizeof r.counters.person_days_away);
    out[prefix + "counters"] = counters.hex();
    out[prefix + "event_log"] = log.hash.hex() + " rows=" + std::to_string(log.rows);
    return out;
}

std::map<std::string, std::string> read(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the golden record");
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.find(' ');
        out[line.substr(0, space)] = line.substr(space + 1);
    }
    return out;
}

} // namespace

int main(int argc, char** argv) try {
    const std::string mode = argc == 3 ? argv[1] : "";
    if (mode != "check" && mode != "write") {
        std::cerr << "usage: golden_record check|write FILE\n";
        return 2;
    }
    const std::string path = argv[2];
    if (mode == "write") {
        std::ofstream out(path);
        out << "# The golden record of the engine (tests/sim/golden_record.cpp): one hash per\n"
               "# dataset of each case. Rewritten only by scripts/update_golden, in the commit\n"
               "# that changes the draws on purpose and says why.\n";
        for (const auto& c : kCases) {
            out << "# case " << c.name << ": " << c.scenario << " seed " << c.seed << " scale "
                << c.scale << "\n";
            for (const auto& [key, value] : record(c, 1))
                out << key << " " << value << "\n";
        }
        return out ? 0 : 1;
    }
    const auto stored = read(path);
    int differ = 0;
    std::size_t seen = 0;
    for (const auto& c : kCases)
        for (const int threads : {1, 2})
            for (const auto& [key, value] : record(c, threads)) {
                ++seen;
                const auto it = stored.find(key);
                const std::string want = it == stored.end() ? "(absent)" : it->second;
                if (want == value) continue;
                ++differ;
                std::cout << key << " on " << threads << " thread(s): " << value << ", record "
                          << want << "\n";
            }
    if (seen != 2 * stored.size()) {
        std::cout << "the record holds " << stored.size() << " datasets, the runs produce "
                  << seen / 2 << "\n";
        ++differ;
    }
    std::cout << (differ ? "golden record: MISMATCH\n" : "golden record: all datasets match\n");
    return differ ? 1 : 0;
} catch (const std::exception& e) {
    std::cerr << "golden_record: " << e.what() << "\n";
    return 2;
}
