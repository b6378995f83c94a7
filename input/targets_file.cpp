#include "input/targets_file.hpp"

#include "input/toml_reader.hpp"

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

std::vector<Target> load_targets(const std::string& path, const FileSource& files) {
    return read_targets(parse_toml_file(path, files), path);
}

std::vector<Target> load_targets_text(const std::string& text, const std::string& name) {
    return read_targets(parse_toml_text(text, name), name);
}

} // namespace khorgos::calibration
