#include "calibration/targets.hpp"

#include "sim/toml_reader.hpp"

#include <cmath>
#include <cstdio>

namespace khorgos::calibration {

namespace {
std::vector<Target> read_targets(const toml::table& root, const std::string& path) {
    TableReader top(root, path, "");
    std::vector<Target> targets;
    for_each_table(top.array("target"), path, "target", [&](TableReader& r) {
        Target t;
        t.id = r.string("id");
        t.period = r.string("period");
        t.value = r.number("value", -1e15, 1e15);
        t.lower = r.number("lower", -1e15, 1e15, t.value);
        t.upper = r.number("upper", -1e15, 1e15, t.value);
        if (t.lower > t.value) r.fail("lower", "must not exceed value");
        if (t.upper < t.value) r.fail("upper", "must not be below value");
        t.kind = r.string("kind");
        if (t.kind != "yearly_count" && t.kind != "cumulative_count" && t.kind != "daily_rate" &&
            t.kind != "share" && t.kind != "stock")
            r.fail("kind", "must be yearly_count, cumulative_count, daily_rate, share or stock");
        TableReader e(r.subtable("error"), path, r.key("error."));
        const std::string model = e.string("model");
        if (model == "relative")
            t.error = ErrorModel::relative;
        else if (model == "uniform")
            t.error = ErrorModel::uniform;
        else
            e.fail("model", "must be \"relative\" or \"uniform\"");
        t.error_sd = e.number("sd", 1e-6, 100);
        e.finish();
        if (r.has("discrepancy")) {
            TableReader md(r.subtable("discrepancy"), path, r.key("discrepancy."));
            t.discrepancy_sd = md.number("sd", 0, 100);
            t.discrepancy_reason = md.string("reason");
            if (t.discrepancy_reason.empty())
                md.fail("reason", "say why the model may miss this figure");
            md.finish();
        }
        t.fitted = r.boolean("fitted", true);
        t.source = r.string("source");
        r.string("note", "");
        if (r.has("alternatives")) r.array("alternatives"); // recorded for readers, not used
        for (const auto& other : targets)
            if (other.id == t.id && other.period == t.period)
                r.fail("period", "target " + t.id + " " + t.period + " is defined twice");
        targets.push_back(t);
    });
    top.finish();
    return targets;
}
} // namespace

std::vector<Target> load_targets(const std::string& path) {
    return read_targets(parse_toml_file(path), path);
}

std::vector<Target> load_targets_text(const std::string& text, const std::string& name) {
    return read_targets(parse_toml_text(text, name), name);
}

std::vector<Comparison> compare(const std::vector<Target>& targets, const RunResult& run) {
    std::vector<Comparison> rows;
    for (const auto& t : targets) {
        const Observable* o = run.observable(t.id, t.period);
        rows.push_back({&t, o ? o->value : NAN});
    }
    return rows;
}

namespace {
std::string figure(double x) {
    char buffer[32];
    if (std::isnan(x)) return "n/a";
    if (std::abs(x) < 10 && x != std::floor(x))
        std::snprintf(buffer, sizeof buffer, "%.3g", x);
    else
        std::snprintf(buffer, sizeof buffer, "%.0f", x);
    return buffer;
}
} // namespace

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
