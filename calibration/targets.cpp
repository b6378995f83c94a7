#include "calibration/targets.hpp"

#include "io/numbers.hpp"

#include <cmath>
#include <cstdio>

namespace khorgos::calibration {

std::vector<Comparison> compare(const std::vector<Target>& targets, const RunResult& run) {
    std::vector<Comparison> rows;
    for (const auto& t : targets) {
        const Observable* o = run.observable(t.id, t.period);
        rows.push_back({&t, o ? o->value : NAN});
    }
    return rows;
}

std::string format_table(const std::vector<Comparison>& rows) {
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%-24s %-22s %12s %12s %8s  %s\n", "target", "period",
                  "official", "simulated", "ratio", "fitted");
    out += line;
    for (const auto& r : rows) {
        const Target& t = *r.target;
        const std::string official =
            t.lower < t.upper ? figure(t.lower) + "-" + figure(t.upper) : figure(t.value);
        const std::string ratio =
            std::isnan(r.simulated) || t.value == 0 ? "n/a" : figure(r.simulated / t.value);
        std::snprintf(line, sizeof line, "%-24s %-22s %12s %12s %8s  %s\n", t.id.c_str(),
                      t.period.c_str(), official.c_str(), figure(r.simulated).c_str(),
                      ratio.c_str(), t.fitted ? "yes" : "context");
        out += line;
    }
    return out;
}

} // namespace khorgos::calibration
