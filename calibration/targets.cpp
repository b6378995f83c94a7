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
    bool predictive = false;
    for (const auto& r : rows)
        predictive = predictive || !std::isnan(r.predictive_lower);
    std::string out;
    char line[320];
    char column[64] = "";
    if (predictive) std::snprintf(column, sizeof column, "  %-21s", "predictive 90%");
    std::snprintf(line, sizeof line, "%-24s %-22s %12s %12s %8s %s %s\n", "target", "period",
                  "official", "simulated", "ratio", column, "fitted");
    out += line;
    for (const auto& r : rows) {
        const Target& t = *r.target;
        const std::string official =
            t.lower < t.upper ? figure(t.lower) + "-" + figure(t.upper) : figure(t.value);
        const std::string ratio =
            std::isnan(r.simulated) || t.value == 0 ? "n/a" : figure(r.simulated / t.value);
        std::string interval;
        if (predictive)
            interval = std::isnan(r.predictive_lower)
                           ? "n/a"
                           : figure(r.predictive_lower) + "-" + figure(r.predictive_upper);
        if (predictive) std::snprintf(column, sizeof column, "  %-21s", interval.c_str());
        std::snprintf(line, sizeof line, "%-24s %-22s %12s %12s %8s %s %s\n", t.id.c_str(),
                      t.period.c_str(), official.c_str(), figure(r.simulated).c_str(),
                      ratio.c_str(), column, t.fitted ? "yes" : "context");
        out += line;
    }
    return out;
}

} // namespace khorgos::calibration
