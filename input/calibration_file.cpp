#include "input/calibration_file.hpp"

#include "input/targets_file.hpp"
#include "input/toml_reader.hpp"
#include "io/numbers.hpp"
#include "sim/parameters.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace khorgos::calibration {

namespace {

std::string resolve(const std::string& base, const std::string& relative) {
    const fs::path p(relative);
    if (p.is_absolute()) return relative;
    return (fs::path(base).parent_path() / p).lexically_normal().string();
}

/// Marks the targets a selector names: "id" (every period) or "id@period".
/// Returns false if it names none.
bool select(const std::vector<Target>& targets, const std::string& selector,
            std::vector<bool>& mask, bool value) {
    const auto at = selector.find('@');
    const std::string id = selector.substr(0, at);
    const std::string period = at == std::string::npos ? "" : selector.substr(at + 1);
    bool any = false;
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i].id == id && (period.empty() || targets[i].period == period)) {
            mask[i] = value;
            any = true;
        }
    return any;
}

} // namespace

CalibrationSpec load_calibration(const std::string& path, const std::string& targets_override,
                                 const FileSource& files) {
    const toml::table root = parse_toml_file(path, files);
    TableReader top(root, path, "");
    CalibrationSpec spec;
    spec.path = path;
    spec.text = files.read(path).value_or("");

    TableReader c(top.subtable("calibration"), path, "calibration.");
    spec.name = c.string("name", fs::path(path).stem().string());
    spec.scenario_path = resolve(path, c.string("scenario"));
    if (!files.read(spec.scenario_path))
        c.fail("scenario", "scenario file '" + spec.scenario_path + "' does not exist");
    const std::string targets_key = c.string("targets", "");
    if (!targets_override.empty())
        spec.targets_path = targets_override;
    else if (!targets_key.empty())
        spec.targets_path = resolve(path, targets_key);
    else
        c.fail("targets", "a targets file is needed (here or with --targets)");
    if (targets_override.empty() && !files.read(spec.targets_path))
        c.fail("targets", "targets file '" + spec.targets_path + "' does not exist");
    spec.method = c.string("method", "abc");
    if (spec.method != "abc" && spec.method != "fit" && spec.method != "history_matching")
        c.fail("method", "must be \"abc\", \"fit\" or \"history_matching\"");
    spec.seed = static_cast<std::uint64_t>(c.integer("seed", 0, INT64_MAX, 1));
    spec.scale = c.number("scale", 1, 1e6, 10);
    spec.replicates = static_cast<int>(c.integer("replicates", 1, 1000, 1));
    const std::string distance = c.string("distance", "log_ratio");
    if (distance == "log_ratio")
        spec.distance = DistanceKind::log_ratio;
    else if (distance == "scaled")
        spec.distance = DistanceKind::scaled;
    else
        c.fail("distance", "must be \"log_ratio\" or \"scaled\"");
    spec.adaptive_weights = c.boolean("adaptive_weights", false);

    // Targets: the file's `fitted` flags, unless `fit_targets` lists them; then `hold_out`.
    const std::optional<std::string> targets_text = files.read(spec.targets_path);
    if (!targets_text)
        throw InputError(spec.targets_path, 0, 0, "",
                         "cannot open the file (missing or unreadable)");
    spec.targets = load_targets_text(*targets_text, spec.targets_path);
    spec.fitted.resize(spec.targets.size());
    for (std::size_t i = 0; i < spec.targets.size(); ++i)
        spec.fitted[i] = spec.targets[i].fitted;
    if (c.has("fit_targets")) {
        const auto selectors = c.strings("fit_targets");
        std::fill(spec.fitted.begin(), spec.fitted.end(), false);
        const toml::array& a = c.array("fit_targets");
        for (std::size_t i = 0; i < selectors.size(); ++i)
            if (!select(spec.targets, selectors[i], spec.fitted, true))
                fail_at(a[i], path, c.key("fit_targets[" + std::to_string(i) + "]"),
                        "no target '" + selectors[i] + "' in " + spec.targets_path);
    }
    if (c.has("hold_out")) {
        const auto selectors = c.strings("hold_out");
        const toml::array& a = c.array("hold_out");
        for (std::size_t i = 0; i < selectors.size(); ++i)
            if (!select(spec.targets, selectors[i], spec.fitted, false))
                fail_at(a[i], path, c.key("hold_out[" + std::to_string(i) + "]"),
                        "no target '" + selectors[i] + "' in " + spec.targets_path);
    }
    if (std::find(spec.fitted.begin(), spec.fitted.end(), true) == spec.fitted.end())
        c.fail(c.has("fit_targets") ? "fit_targets" : "targets", "no target is fitted");
    c.finish();

    for_each_table(top.array("parameter"), path, "parameter", [&](TableReader& r) {
        Prior p;
        p.name = r.string("name");
        const auto param = find_parameter(p.name);
        if (!param)
            r.fail("name", "unknown parameter '" + p.name + "'" +
                               (replaced_by(p.name).empty() ? " (see khorgos parameters)"
                                                            : replaced_by(p.name)));
        for (const auto& other : spec.priors)
            if (other.name == p.name) r.fail("name", "parameter '" + p.name + "' is listed twice");
        const ParamSpec& ps = parameter_specs()[static_cast<std::size_t>(*param)];
        const std::string kind = r.string("prior");
        if (kind == "uniform")
            p.kind = PriorKind::uniform;
        else if (kind == "log_uniform")
            p.kind = PriorKind::log_uniform;
        else if (kind == "normal")
            p.kind = PriorKind::normal;
        else
            r.fail("prior", "must be \"uniform\", \"log_uniform\" or \"normal\"");
        p.lower = r.number("lower", -1e300, 1e300, ps.lower);
        p.upper = r.number("upper", -1e300, 1e300, ps.upper);
        if (!(p.lower < p.upper))
            r.fail("upper", "bounds are inverted or empty: lower " + exact(p.lower) +
                                " is not below upper " + exact(p.upper));
        if (p.lower < ps.lower)
            r.fail("lower", "prior bound " + exact(p.lower) +
                                " is below the parameter's lower bound " + exact(ps.lower));
        if (p.upper > ps.upper)
            r.fail("upper", "prior bound " + exact(p.upper) +
                                " is above the parameter's upper bound " + exact(ps.upper));
        if (p.kind == PriorKind::log_uniform && p.lower <= 0)
            r.fail("lower", "a log_uniform prior needs a positive lower bound");
        if (p.kind == PriorKind::normal) {
            p.mean = r.number("mean", -1e300, 1e300);
            p.sd = r.number("sd", 1e-300, 1e300);
            if (p.mean < p.lower - 5 * p.sd || p.mean > p.upper + 5 * p.sd)
                r.fail("mean", "the normal prior has almost no mass inside [lower, upper]");
        }
        spec.priors.push_back(p);
    });
    if (spec.priors.empty()) top.fail("parameter", "at least one [[parameter]] is needed");

    if (top.has("abc")) {
        TableReader a(top.subtable("abc"), path, "abc.");
        spec.abc.particles = static_cast<int>(a.integer("particles", 2, 1000000, 100));
        spec.abc.quantile = a.number("quantile", 0.01, 0.99, 0.5);
        spec.abc.max_generations = static_cast<int>(a.integer("max_generations", 1, 1000, 10));
        spec.abc.min_tolerance = a.number("min_tolerance", 0, 1e300, 0);
        spec.abc.min_acceptance = a.number("min_acceptance", 0, 1, 0.01);
        spec.abc.max_simulations =
            static_cast<std::uint64_t>(a.integer("max_simulations", 0, INT64_MAX, 0));
        spec.abc.kernel_scale = a.number("kernel_scale", 1e-3, 100, 2);
        const std::string start = a.string("start", "prior");
        if (start == "fit")
            spec.abc.start = AbcStart::fit;
        else if (start == "history_matching")
            spec.abc.start = AbcStart::history_matching;
        else if (start != "prior")
            a.fail("start", "must be \"prior\", \"fit\" or \"history_matching\"");
        spec.abc.start_width = a.number("start_width", 1e-3, 10, spec.abc.start_width);
        spec.abc.predictive_draws =
            static_cast<int>(a.integer("predictive_draws", 10, 1000000, spec.abc.predictive_draws));
        spec.abc.min_tolerance_drop =
            a.number("min_tolerance_drop", 0, 0.99, spec.abc.min_tolerance_drop);
        a.finish();
    }
    HistoryMatchingSettings& h = spec.history;
    const int d = static_cast<int>(spec.priors.size());
    if (top.has("history_matching")) {
        TableReader r(top.subtable("history_matching"), path, "history_matching.");
        // An emulator with a linear mean in d inputs needs more than d + 2 points.
        h.points = static_cast<int>(r.integer("points", d + 3, 100000, std::max(h.points, d + 3)));
        h.replicates = static_cast<int>(r.integer("replicates", 1, 1000, h.replicates));
        h.max_waves = static_cast<int>(r.integer("max_waves", 1, 100, h.max_waves));
        h.cutoff = r.number("cutoff", 0.5, 100, h.cutoff);
        h.order = static_cast<int>(r.integer("order", 0, 1000, h.order));
        h.region_points = static_cast<int>(
            r.integer("region_points", h.points, 10000000, std::max(h.region_points, h.points)));
        h.min_shrink = r.number("min_shrink", 0, 1, h.min_shrink);
        h.variance_ratio = r.number("variance_ratio", 0, 1e6, h.variance_ratio);
        h.max_simulations =
            static_cast<std::uint64_t>(r.integer("max_simulations", 0, INT64_MAX, 0));
        const std::string kernel = r.string("kernel", "matern52");
        if (kernel == "squared_exponential")
            h.kernel = KernelKind::squared_exponential;
        else if (kernel != "matern52")
            r.fail("kernel", "must be \"matern52\" or \"squared_exponential\"");
        if (h.order > std::count(spec.fitted.begin(), spec.fitted.end(), true))
            r.fail("order", "is larger than the number of fitted targets");
        if (spec.abc.start == AbcStart::history_matching && h.region_points < spec.abc.particles)
            r.fail("region_points", "must be at least abc.particles (" +
                                        std::to_string(spec.abc.particles) +
                                        "): generation 0 draws its particles from it");
        r.finish();
    } else {
        h.points = std::max(h.points, d + 3);
        h.region_points = std::max({h.region_points, h.points, spec.abc.particles});
    }
    if (top.has("fit")) {
        TableReader f(top.subtable("fit"), path, "fit.");
        spec.fit.algorithm = f.string("algorithm", "LN_BOBYQA");
        if (!known_fit_algorithm(spec.fit.algorithm))
            f.fail("algorithm",
                   "unknown algorithm (LN_BOBYQA, LN_NELDERMEAD, LN_SBPLX, LN_COBYLA)");
        spec.fit.max_evaluations = static_cast<int>(f.integer("max_evaluations", 1, 1000000, 200));
        spec.fit.replicates = static_cast<int>(f.integer("replicates", 1, 1000, 2));
        const std::string start = f.string("start", "prior");
        if (start != "prior" && start != "scenario")
            f.fail("start", "must be \"prior\" or \"scenario\"");
        spec.fit_from_scenario = start == "scenario";
        f.finish();
    }
    top.finish();
    spec.abc.seed = spec.seed;
    spec.fit.seed = spec.seed;
    spec.history.seed = spec.seed;
    return spec;
}

} // namespace khorgos::calibration
