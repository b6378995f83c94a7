#include "input/batch_spec.hpp"

#include "io/numbers.hpp"

#include "input/toml_reader.hpp"
#include "sim/errors.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

namespace khorgos::batch {

namespace fs = std::filesystem;

namespace {

// Purposes of the batch's random numbers: part of the Philox counter, so the
// seeds, the Latin hypercube and the Saltelli matrices never share numbers.
enum Purpose : std::uint32_t {
    kReplicateSeed = 0x73656564, // "seed"
    kStratumOrder,
    kStratumJitter,
    kSaltelliA,
    kSaltelliB,
};

constexpr std::size_t kMaxRuns = 10'000'000;
const std::set<std::string> kKeepable{"observables", "yearly", "totals", "daily"};

r123::Philox4x32::ctr_type philox(std::uint64_t seed, std::uint32_t a, std::uint32_t b,
                                  Purpose purpose) {
    const r123::Philox4x32::key_type key{
        {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    return r123::Philox4x32{}({{a, b, purpose, 0}}, key);
}

/// Uniform on (0, 1) from 53 bits, as sim/rng.hpp's streams make them.
double uniform(std::uint64_t seed, Purpose purpose, std::size_t row, std::size_t column) {
    const auto x =
        philox(seed, static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(column), purpose);
    const std::uint64_t hi = x.v[0] >> 5, lo = x.v[1] >> 6;
    return (static_cast<double>((hi << 26) | lo) + 0.5) * 0x1.0p-53;
}

bool valid_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

/// Dotted parameter names from a table that may nest (TOML turns `a.b = 1` into tables).
void walk_parameters(const toml::table& table, const std::string& prefix, const std::string& file,
                     const std::string& key, ScenarioEntry& entry) {
    for (const auto& [k, v] : table) {
        const std::string name = prefix + std::string(k.str());
        if (v.is_table()) {
            walk_parameters(*v.as_table(), name + ".", file, key, entry);
            continue;
        }
        const auto p = find_parameter(name);
        if (!p) fail_at(v, file, key + name, "unknown parameter" + replaced_by(name));
        const ParamSpec& spec = parameter_specs()[static_cast<int>(*p)];
        const double value = number_at(v, file, key + name, spec.lower, spec.upper);
        entry.sets.push_back({*p, value});
    }
}

void same_places(const Scenario& a, const Scenario& b, TableReader& r, const std::string& first) {
    const auto ids = [](const auto& items) {
        std::vector<std::string> out;
        for (const auto& item : items)
            out.push_back(item.id);
        return out;
    };
    if (a.start_day != b.start_day || a.end_day != b.end_day || a.step_days != b.step_days ||
        ids(a.origins) != ids(b.origins) || ids(a.crossings) != ids(b.crossings) ||
        ids(a.regions) != ids(b.regions))
        r.fail("file", "must have the same horizon, step and places as scenario '" + first +
                           "': the summary stacks the series of every scenario");
}

class SpecParser {
  public:
    SpecParser(const toml::table& root, const std::string& file, const FileSource& files)
        : root_(root, file, ""), file_(file), files_(files) {}

    Spec parse() {
        Spec spec;
        spec.file = file_;
        spec.text = files_.read(file_).value_or("");
        batch(spec);
        if (root_.has("sensitivity")) sensitivity(spec);
        scenarios(spec);
        if (root_.has("variation")) variation(spec);
        if (spec.variations.empty()) spec.variations.emplace_back();
        root_.finish();
        const double runs = static_cast<double>(spec.scenarios.size()) *
                            static_cast<double>(spec.variations.size()) * spec.replicates;
        if (runs > static_cast<double>(kMaxRuns))
            root_.fail("batch",
                       "declares " + exact(runs) + " runs, more than " + std::to_string(kMaxRuns));
        return spec;
    }

  private:
    void batch(Spec& spec) {
        TableReader b(root_.subtable("batch"), file_, "batch.");
        spec.name = b.string("name", fs::path(file_).stem().string());
        spec.replicates = static_cast<int>(b.integer("replicates", 1, 1'000'000));
        spec.seed = static_cast<std::uint64_t>(
            b.integer("seed", 0, std::numeric_limits<std::int64_t>::max()));
        spec.scale = b.number("scale", 1, 1e6, 1);
        if (b.has("keep")) {
            spec.keep = b.strings("keep");
            for (const auto& k : spec.keep)
                if (!kKeepable.count(k))
                    b.fail("keep", "unknown output '" + k +
                                       "' (known: observables, yearly, totals, daily)");
            if (spec.keep.empty()) b.fail("keep", "keeps nothing: name at least one output");
        } else {
            // Daily series only when asked: their summary holds 1.5 million
            // values per statistic and scenario for the historical horizon.
            spec.keep = {"observables", "yearly", "totals"};
        }
        if (b.has("posterior")) {
            spec.posterior =
                (fs::path(file_).parent_path() / b.string("posterior")).lexically_normal().string();
            // Read through `files_` so inputs.txt fingerprints it for --resume.
            if (!files_.read(spec.posterior))
                b.fail("posterior", "file '" + spec.posterior + "' does not exist");
        }
        if (b.has("effects")) spec.effects = b.strings("effects");
        for (const auto& figure : spec.effects)
            if (figure.find('@') == std::string::npos)
                b.fail("effects", "'" + figure +
                                      "' is not a figure: write id@period, as the "
                                      "columns of outputs.csv");
        b.finish();
    }

    void scenarios(Spec& spec) {
        const fs::path here = fs::path(file_).parent_path();
        std::optional<std::size_t> baseline;
        for_each_table(root_.array("scenario"), file_, "scenario", [&](TableReader& r) {
            ScenarioEntry e;
            e.id = r.string("id");
            if (!valid_id(e.id))
                r.fail("id", "must be 1 to 64 letters, digits, '_' or '-' (it names files)");
            for (const auto& other : spec.scenarios)
                if (other.id == e.id) r.fail("id", "duplicate scenario id '" + e.id + "'");
            const std::string file = r.string("file");
            e.path = (here / file).lexically_normal().string();
            if (!files_.read(e.path))
                r.fail("file", "scenario file '" + e.path + "' does not exist");
            if (r.boolean("baseline", false)) {
                if (baseline) r.fail("baseline", "only one scenario can be the baseline");
                baseline = spec.scenarios.size();
            }
            if (r.has("deciding")) {
                e.deciding = r.strings("deciding");
                if (!spec.sensitivity)
                    r.fail("deciding", "needs a [sensitivity] table that says which figures "
                                       "inform each parameter");
                for (const auto& name : e.deciding) {
                    if (!find_parameter(name))
                        r.fail("deciding", "unknown parameter '" + name + "'" + replaced_by(name));
                    if (!spec.sensitivity->largest_total.count(name))
                        r.fail("deciding", "parameter '" + name + "' is not varied in " +
                                               spec.sensitivity->table);
                }
            }
            if (r.has("parameters")) {
                const toml::table& p = r.subtable("parameters");
                walk_parameters(p, "", file_, r.key("parameters."), e);
            }
            e.scenario = std::make_shared<const LoadedScenario>(load_scenario(e.path, files_));
            Scenario with = e.scenario->scenario;
            for (const auto& s : e.sets)
                apply_override(with, s);
            e.parameters = with.parameters.values();
            if (!spec.scenarios.empty())
                same_places(first_, with, r, spec.scenarios[0].id);
            else
                first_ = std::move(with);
            spec.scenarios.push_back(std::move(e));
        });
        if (spec.scenarios.empty()) root_.fail("scenario", "needs at least one [[scenario]]");
        spec.baseline = baseline.value_or(0);
    }

    /// [sensitivity]: reads the sensitivity.csv a Saltelli batch wrote.
    void sensitivity(Spec& spec) {
        TableReader t(root_.subtable("sensitivity"), file_, "sensitivity.");
        Sensitivity out;
        out.table = (fs::path(file_).parent_path() / t.string("table")).lexically_normal().string();
        out.threshold = t.number("threshold", 0, 1, 0.05);
        if (t.has("figures")) out.figures = t.strings("figures");
        const auto text = files_.read(out.table);
        if (!text) t.fail("table", "file '" + out.table + "' does not exist");
        std::istringstream lines(*text);
        std::string line;
        std::getline(lines, line);
        if (line.rfind("scenario,observable,parameter,index,estimate,", 0) != 0)
            throw InputError(out.table, 1, 1, "sensitivity.table",
                             "not a sensitivity.csv of a Saltelli batch (header '" + line + "')");
        std::set<std::string> figures;
        for (int number = 2; std::getline(lines, line); ++number) {
            std::vector<std::string> field;
            std::istringstream cells(line);
            for (std::string cell; std::getline(cells, cell, ',');)
                field.push_back(cell);
            if (field.size() < 5)
                throw InputError(out.table, number, 1, "sensitivity.table",
                                 "expected scenario,observable,parameter,index,estimate,...");
            figures.insert(field[1]);
            if (field[3] != "total") continue;
            if (!out.figures.empty() &&
                std::find(out.figures.begin(), out.figures.end(), field[1]) == out.figures.end())
                continue;
            // An empty estimate (a figure without variance) informs nothing.
            const double value = field[4].empty() ? 0 : std::strtod(field[4].c_str(), nullptr);
            auto [at, added] = out.largest_total.try_emplace(field[2], value, field[1]);
            if (!added && value > at->second.first) at->second = {value, field[1]};
        }
        for (const auto& f : out.figures)
            if (!figures.count(f)) t.fail("figures", "figure '" + f + "' is not in " + out.table);
        t.finish();
        spec.sensitivity = std::move(out);
    }

    void variation(Spec& spec) {
        TableReader v(root_.subtable("variation"), file_, "variation.");
        const std::string method = v.string("method");
        if (method == "grid")
            spec.method = Method::grid;
        else if (method == "latin_hypercube")
            spec.method = Method::latin_hypercube;
        else if (method == "saltelli")
            spec.method = Method::saltelli;
        else if (method == "design")
            spec.method = Method::design;
        else
            v.fail("method", "unknown method '" + method +
                                 "' (known: grid, latin_hypercube, saltelli, design)");
        if (spec.method == Method::latin_hypercube || spec.method == Method::saltelli)
            spec.samples = static_cast<std::size_t>(v.integer("samples", 1, 1'000'000));
        if (spec.method == Method::saltelli) spec.second_order = v.boolean("second_order", true);
        if (spec.method == Method::design) {
            const fs::path csv = fs::path(file_).parent_path() / v.string("file");
            read_design(spec, csv.lexically_normal().string(), v);
        } else {
            parameters(spec, v);
        }
        v.finish();
        // The run count before the rows are made: a grid of a few long value
        // lists has billions of rows, which would exhaust memory before the
        // count check in parse().
        double rows = static_cast<double>(spec.variations.size()); // design: read already
        const double d = static_cast<double>(spec.varied.size());
        if (spec.method == Method::grid) {
            rows = 1;
            for (const auto& p : spec.varied)
                rows *= static_cast<double>(p.values.size());
        } else if (spec.method == Method::latin_hypercube) {
            rows = static_cast<double>(spec.samples);
        } else if (spec.method == Method::saltelli) {
            rows = static_cast<double>(spec.samples) * (spec.second_order ? 2 * d + 2 : d + 2);
        }
        const double runs = static_cast<double>(spec.scenarios.size()) * rows * spec.replicates;
        if (runs > static_cast<double>(kMaxRuns))
            root_.fail("batch",
                       "declares " + exact(runs) + " runs, more than " + std::to_string(kMaxRuns));
        switch (spec.method) {
        case Method::grid:
            grid(spec);
            break;
        case Method::latin_hypercube:
            latin_hypercube(spec);
            break;
        case Method::saltelli:
            saltelli(spec);
            break;
        default:
            break;
        }
    }

    void parameters(Spec& spec, TableReader& v) {
        const bool ranged = spec.method != Method::grid;
        for_each_table(v.array("parameter"), file_, "variation.parameter", [&](TableReader& r) {
            VariedParameter p;
            p.name = r.string("name");
            if (!find_parameter(p.name))
                r.fail("name", "unknown parameter '" + p.name + "'" + replaced_by(p.name));
            for (const auto& q : spec.varied)
                if (q.name == p.name) r.fail("name", "parameter '" + p.name + "' is varied twice");
            if (ranged) {
                p.lower = r.number("lower", -1e300, 1e300);
                p.upper = r.number("upper", -1e300, 1e300);
                if (!(p.lower < p.upper))
                    r.fail("upper", "bounds inverted or empty: upper (" + exact(p.upper) +
                                        ") must be greater than lower (" + exact(p.lower) + ")");
                // A range over decades, like a log-uniform prior's.
                p.log = r.boolean("log", false);
                if (p.log && !(p.lower > 0)) r.fail("lower", "must be positive with log = true");
            } else {
                const toml::array& values = r.array("values");
                if (values.empty()) r.fail("values", "needs at least one value");
                for (std::size_t i = 0; i < values.size(); ++i)
                    p.values.push_back(number_at(values[i], file_,
                                                 r.key("values[" + std::to_string(i) + "]"), -1e300,
                                                 1e300));
                p.lower = *std::min_element(p.values.begin(), p.values.end());
                p.upper = *std::max_element(p.values.begin(), p.values.end());
            }
            spec.varied.push_back(std::move(p));
        });
        if (spec.varied.empty()) v.fail("parameter", "needs at least one [[variation.parameter]]");
    }

    /// A CSV design matrix: a header of parameter names, then one row of numbers per run.
    void read_design(Spec& spec, const std::string& csv, TableReader& v) {
        const std::optional<std::string> text = files_.read(csv);
        if (!text) v.fail("file", "cannot open the design matrix '" + csv + "'");
        std::istringstream in(*text);
        std::string line;
        int number = 0;
        const auto cells = [&](const std::string& text) {
            std::vector<std::string> out;
            std::stringstream row(text);
            std::string cell;
            while (std::getline(row, cell, ',')) {
                cell.erase(0, cell.find_first_not_of(" \t\r\""));
                cell.erase(cell.find_last_not_of(" \t\r\"") + 1);
                out.push_back(cell);
            }
            return out;
        };
        while (std::getline(in, line)) {
            ++number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            const auto row = cells(line);
            if (spec.varied.empty()) {
                for (std::size_t c = 0; c < row.size(); ++c) {
                    const auto p = find_parameter(row[c]);
                    if (!p)
                        throw InputError(csv, number, static_cast<int>(c) + 1, row[c],
                                         "unknown parameter in the design matrix header" +
                                             replaced_by(row[c]));
                    for (const auto& q : spec.varied)
                        if (q.name == row[c])
                            throw InputError(csv, number, static_cast<int>(c) + 1, row[c],
                                             "parameter named twice in the header");
                    const ParamSpec& s = parameter_specs()[static_cast<int>(*p)];
                    spec.varied.push_back({row[c], s.lower, s.upper, false, {}});
                }
                continue;
            }
            if (row.size() != spec.varied.size())
                throw InputError(csv, number, 0, "",
                                 "expected " + std::to_string(spec.varied.size()) +
                                     " values, got " + std::to_string(row.size()));
            std::vector<double> values;
            for (std::size_t c = 0; c < row.size(); ++c) {
                char* end = nullptr;
                const double x = std::strtod(row[c].c_str(), &end);
                if (row[c].empty() || *end != '\0' || !std::isfinite(x))
                    throw InputError(csv, number, static_cast<int>(c) + 1, spec.varied[c].name,
                                     "expected a finite number, got '" + row[c] + "'");
                values.push_back(x);
            }
            spec.variations.push_back(std::move(values));
        }
        if (spec.variations.empty())
            throw InputError(csv, number, 0, "", "the design matrix has no rows below its header");
    }

    /// Every combination, the first parameter varying slowest.
    static void grid(Spec& spec) {
        std::vector<std::size_t> at(spec.varied.size(), 0);
        while (true) {
            std::vector<double> row;
            for (std::size_t j = 0; j < at.size(); ++j)
                row.push_back(spec.varied[j].values[at[j]]);
            spec.variations.push_back(std::move(row));
            std::size_t j = at.size();
            while (j > 0 && ++at[j - 1] == spec.varied[j - 1].values.size())
                at[--j] = 0;
            if (j == 0) return;
        }
    }

    static double scaled(const VariedParameter& p, double u) {
        if (p.log) return p.lower * std::pow(p.upper / p.lower, u);
        return p.lower + u * (p.upper - p.lower);
    }

    /// N rows; each parameter's range cut into N equal strata, each stratum used
    /// once, in an order and at a point within it drawn from the batch seed.
    static void latin_hypercube(Spec& spec) {
        const std::size_t n = spec.samples, d = spec.varied.size();
        spec.variations.assign(n, std::vector<double>(d));
        for (std::size_t j = 0; j < d; ++j) {
            std::vector<std::size_t> stratum(n);
            std::iota(stratum.begin(), stratum.end(), 0);
            for (std::size_t i = n; i > 1; --i) { // Fisher-Yates
                const auto k =
                    static_cast<std::size_t>(uniform(spec.seed, kStratumOrder, i, j) * i);
                std::swap(stratum[i - 1], stratum[std::min(k, i - 1)]);
            }
            for (std::size_t i = 0; i < n; ++i)
                spec.variations[i][j] =
                    scaled(spec.varied[j], (static_cast<double>(stratum[i]) +
                                            uniform(spec.seed, kStratumJitter, i, j)) /
                                               static_cast<double>(n));
        }
    }

    /// Saltelli's scheme in SALib's row order: for each i < N, the rows A_i,
    /// AB_i^1..AB_i^D (A_i with column k from B_i), with second order also
    /// BA_i^1..BA_i^D (B_i with column k from A_i), then B_i: N*(2D+2) rows, or
    /// N*(D+2) without second order. A and B are independent uniform matrices
    /// from Philox (not a Sobol sequence): SALib's sobol.analyze needs only the
    /// row structure, and its estimates then converge as plain Monte Carlo.
    static void saltelli(Spec& spec) {
        const std::size_t n = spec.samples, d = spec.varied.size();
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<double> a(d), b(d);
            for (std::size_t j = 0; j < d; ++j) {
                a[j] = scaled(spec.varied[j], uniform(spec.seed, kSaltelliA, i, j));
                b[j] = scaled(spec.varied[j], uniform(spec.seed, kSaltelliB, i, j));
            }
            spec.variations.push_back(a);
            for (std::size_t k = 0; k < d; ++k) {
                auto ab = a;
                ab[k] = b[k];
                spec.variations.push_back(std::move(ab));
            }
            if (spec.second_order)
                for (std::size_t k = 0; k < d; ++k) {
                    auto ba = b;
                    ba[k] = a[k];
                    spec.variations.push_back(std::move(ba));
                }
            spec.variations.push_back(b);
        }
    }

    TableReader root_;
    std::string file_;
    const FileSource& files_;
    Scenario first_;
};

std::string padded(std::size_t value, std::size_t count) {
    std::size_t width = 1;
    for (std::size_t n = count; n >= 10; n /= 10)
        ++width;
    std::string text = std::to_string(value);
    return std::string(width > text.size() ? width - text.size() : 0, '0') + text;
}

} // namespace

Spec load_spec(const std::string& path, const FileSource& files) {
    const toml::table root = parse_toml_file(path, files);
    return SpecParser(root, path, files).parse();
}

std::vector<Run> expand(const Spec& spec) {
    std::vector<Run> runs;
    const std::size_t variations = spec.variations.size();
    for (std::size_t s = 0; s < spec.scenarios.size(); ++s)
        for (std::size_t v = 0; v < variations; ++v)
            for (int r = 0; r < spec.replicates; ++r) {
                Run run;
                run.index = runs.size();
                run.scenario = s;
                run.variation = v;
                run.replicate = r;
                run.seed = replicate_seed(spec.seed, r);
                run.sets = spec.scenarios[s].sets;
                for (std::size_t j = 0; j < spec.varied.size(); ++j)
                    run.sets.push_back(
                        {*find_parameter(spec.varied[j].name), spec.variations[v][j]});
                run.path = "runs/" + spec.scenarios[s].id + "/v" + padded(v, variations - 1) +
                           "-r" +
                           padded(static_cast<std::size_t>(r),
                                  static_cast<std::size_t>(spec.replicates - 1)) +
                           ".h5";
                runs.push_back(std::move(run));
            }
    return runs;
}

std::uint64_t replicate_seed(std::uint64_t batch_seed, int replicate) {
    const auto x = philox(batch_seed, static_cast<std::uint32_t>(replicate), 0, kReplicateSeed);
    return (static_cast<std::uint64_t>(x.v[0]) << 32) | x.v[1];
}

std::array<double, kParamCount> requested_parameters(const Spec& spec, const Run& run) {
    // run.sets: a posterior draw (batch/), the scenario's fixed overrides, the variation's.
    auto values = spec.scenarios[run.scenario].parameters;
    for (const auto& set : run.sets)
        values[static_cast<int>(set.parameter)] = set.value;
    return values;
}

std::string salib_problem(const Spec& spec) {
    std::string text;
    for (const auto& p : spec.varied)
        text += p.name + " " + exact(p.lower) + " " + exact(p.upper) + "\n";
    return text;
}

} // namespace khorgos::batch
