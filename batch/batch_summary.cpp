#include "batch/batch_summary.hpp"

#include "io/json.hpp"
#include "io/numbers.hpp"
#include "khorgos_version.hpp"
#include "output/run_file.hpp"
#include "sim/errors.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace khorgos::batch {

namespace {

constexpr int kStatistics = 4; // mean, q05, q50, q95
constexpr double kQuantiles[] = {0.05, 0.5, 0.95};

/// One summarised quantity: an observable table or a kept variable of the runs.
struct Slot {
    std::string group, name, units, long_name;
    std::vector<std::string> dims; ///< the run's dimensions
    std::size_t size = 0;
    std::string cell_methods = {}; ///< the run's, along its time axis
};

/// A run's kept values, one flat vector per slot.
using Values = std::vector<std::vector<double>>;

/// Type 7 quantile (linear interpolation, numpy's default) of sorted values.
double quantile(const std::vector<double>& sorted, double p) {
    const double h = (static_cast<double>(sorted.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

/// Writes the statistics of each element across `samples` into row `row` of `out`
/// (laid out [row, statistic, element]); NaN where no sample has a number.
void statistics(const std::vector<const std::vector<double>*>& samples, std::size_t size,
                std::size_t row, std::vector<double>& out) {
    std::vector<double> x;
    for (std::size_t i = 0; i < size; ++i) {
        x.clear();
        for (const auto* s : samples)
            if (!std::isnan((*s)[i])) x.push_back((*s)[i]);
        double* at = out.data() + row * kStatistics * size + i;
        if (x.empty()) {
            for (int k = 0; k < kStatistics; ++k)
                at[k * size] = NAN;
            continue;
        }
        double sum = 0;
        for (double v : x)
            sum += v;
        at[0] = sum / static_cast<double>(x.size());
        std::sort(x.begin(), x.end());
        for (int k = 1; k < kStatistics; ++k)
            at[k * size] = quantile(x, kQuantiles[k - 1]);
    }
}

class Summariser {
  public:
    Summariser(const Spec& spec, const std::vector<Run>& runs, const std::vector<RunStatus>& status,
               const std::string& directory)
        : spec_(spec), runs_(runs), status_(status), directory_(directory) {}

    Summary operator()() {
        Summary out;
        out.observables.resize(runs_.size());
        describe(out);
        const std::size_t variations = spec_.variations.size();
        const std::size_t conditions = spec_.scenarios.size() * variations;
        const std::size_t contrasts = (spec_.scenarios.size() - 1) * variations;
        std::vector<std::vector<double>> own(slots_.size()), difference(slots_.size());
        for (std::size_t k = 0; k < slots_.size(); ++k) {
            own[k].assign(conditions * kStatistics * slots_[k].size, NAN);
            difference[k].assign(contrasts * kStatistics * slots_[k].size, NAN);
        }
        std::vector<double> succeeded(conditions, 0), paired(contrasts, 0);
        for (std::size_t v = 0; v < variations; ++v) {
            const auto base = load(spec_.baseline, v, out);
            summarise_condition(base, condition(spec_.baseline, v), own, succeeded);
            for (std::size_t s = 0; s < spec_.scenarios.size(); ++s) {
                if (s == spec_.baseline) continue;
                const auto mine = load(s, v, out);
                summarise_condition(mine, condition(s, v), own, succeeded);
                const std::size_t c = contrast(s, v);
                std::vector<Values> d;
                for (std::size_t r = 0; r < mine.size(); ++r) {
                    if (!mine[r] || !base[r]) continue;
                    Values delta(slots_.size());
                    for (std::size_t k = 0; k < slots_.size(); ++k) {
                        delta[k].resize(slots_[k].size);
                        for (std::size_t i = 0; i < slots_[k].size; ++i)
                            delta[k][i] = (*mine[r])[k][i] - (*base[r])[k][i];
                    }
                    d.push_back(std::move(delta));
                }
                paired[c] = static_cast<double>(d.size());
                for (std::size_t k = 0; k < slots_.size(); ++k) {
                    std::vector<const std::vector<double>*> samples;
                    for (const auto& values : d)
                        samples.push_back(&values[k]);
                    if (!samples.empty()) statistics(samples, slots_[k].size, c, difference[k]);
                }
            }
        }
        for (std::size_t k = 0; k < slots_.size(); ++k) {
            const Slot& slot = slots_[k];
            std::vector<std::string> dims{"condition", "statistic"};
            dims.insert(dims.end(), slot.dims.begin(), slot.dims.end());
            out.file.variables.push_back({slot.group, slot.name, dims, slot.units, slot.long_name,
                                          std::move(own[k]), slot.cell_methods});
            if (contrasts == 0) continue;
            dims[0] = "contrast";
            out.file.variables.push_back({slot.group, slot.name + "_difference", dims, slot.units,
                                          "difference from the baseline: " + slot.long_name,
                                          std::move(difference[k]), slot.cell_methods});
        }
        out.file.variables.push_back({"replicates",
                                      "succeeded",
                                      {"condition"},
                                      "1",
                                      "replicates that ran to completion",
                                      succeeded});
        if (spec_.method == Method::saltelli) sensitivity(out);
        if (!spec_.effects.empty() && contrasts > 0) effects(out);
        if (spec_.sensitivity && contrasts > 0) {
            std::vector<double> informed(contrasts, NAN);
            for (std::size_t s = 0; s < spec_.scenarios.size(); ++s) {
                const auto& deciding = spec_.scenarios[s].deciding;
                if (s == spec_.baseline || deciding.empty()) continue;
                const bool all = std::all_of(deciding.begin(), deciding.end(), [&](const auto& p) {
                    return spec_.sensitivity->informed(p);
                });
                for (std::size_t v = 0; v < variations; ++v)
                    informed[contrast(s, v)] = all ? 1 : 0;
            }
            out.file.variables.push_back(
                {"deciding",
                 "informed",
                 {"contrast"},
                 "1",
                 "1 if some figure informs every parameter the counterfactual hinges on (total "
                 "Sobol index >= " +
                     exact(spec_.sensitivity->threshold) + " in " + spec_.sensitivity->table +
                     "), 0 if not, NaN if it names none",
                 std::move(informed)});
        }
        if (contrasts > 0)
            out.file.variables.push_back({"replicates",
                                          "paired",
                                          {"contrast"},
                                          "1",
                                          "replicates where both scenarios succeeded",
                                          paired});
        return out;
    }

  private:
    std::size_t condition(std::size_t s, std::size_t v) const {
        return s * spec_.variations.size() + v;
    }
    std::size_t contrast(std::size_t s, std::size_t v) const {
        return (s - (s > spec_.baseline ? 1 : 0)) * spec_.variations.size() + v;
    }
    std::string condition_label(std::size_t s, std::size_t v) const {
        return spec_.scenarios[s].id +
               (spec_.variations.size() > 1 ? ":v" + std::to_string(v) : std::string());
    }

    /// Coordinates and slots from the first successful run (all runs of a
    /// batch share horizon and places, checked when the batch was loaded).
    void describe(Summary& out) {
        output::BatchSummary& f = out.file;
        f.name = spec_.name;
        f.batch_text = spec_.text;
        f.program_version = KHORGOS_VERSION;
        f.git_commit = KHORGOS_GIT_COMMIT;
        f.seed = spec_.seed;
        f.replicates = spec_.replicates;
        f.scale = spec_.scale;
        f.baseline = spec_.scenarios[spec_.baseline].id;
        Coordinate condition{
            "condition", "scenario (and variation) of the runs summarised", "", {}, {}};
        Coordinate contrast{
            "contrast", "counterfactual minus baseline, paired by replicate", "", {}, {}};
        for (std::size_t s = 0; s < spec_.scenarios.size(); ++s)
            for (std::size_t v = 0; v < spec_.variations.size(); ++v) {
                condition.labels.push_back(condition_label(s, v));
                if (s != spec_.baseline)
                    contrast.labels.push_back(condition_label(s, v) + " - " +
                                              condition_label(spec_.baseline, v));
            }
        f.coordinates.push_back(condition);
        if (!contrast.labels.empty()) f.coordinates.push_back(contrast);
        f.coordinates.push_back(
            {"statistic", "statistic across replicates", "", {}, {"mean", "q05", "q50", "q95"}});

        const auto first = std::find_if(status_.begin(), status_.end(), [](const RunStatus& s) {
            return s.state == RunStatus::State::ok;
        });
        if (first == status_.end()) return;
        const RunResult reference = read(runs_[static_cast<std::size_t>(first - status_.begin())]);
        const auto kept = [&](const std::string& what) {
            return std::find(spec_.keep.begin(), spec_.keep.end(), what) != spec_.keep.end();
        };
        Coordinate observable{"observable", "observable, as id@period", "", {}, {}};
        for (const auto& o : reference.observables) {
            observable.labels.push_back(o.id + "@" + o.period);
            f.observables.push_back(o);
        }
        out.observable_names = observable_names_ = observable.labels;
        std::set<std::string> used;
        if (kept("observables") && !observable.labels.empty()) {
            slots_.push_back({"observables",
                              "value",
                              "",
                              "model value of the observable",
                              {"observable"},
                              observable.labels.size()});
            used.insert("observable");
        }
        for (const auto& v : reference.variables) {
            if (!kept(v.group)) continue;
            slots_.push_back(
                {v.group, v.name, v.units, v.long_name, v.dims, v.values.size(), v.cell_methods});
            used.insert(v.dims.begin(), v.dims.end());
        }
        if (used.count("observable")) f.coordinates.push_back(observable);
        for (const auto& c : reference.coordinates)
            if (used.count(c.name)) f.coordinates.push_back(c);
    }

    RunResult read(const Run& run) const {
        return output::read_run(directory_ + "/" + run.path, nullptr, &spec_.keep);
    }

    /// The kept values of each replicate of (scenario, variation); empty where the run failed.
    std::vector<std::optional<Values>> load(std::size_t s, std::size_t v, Summary& out) const {
        std::vector<std::optional<Values>> values(static_cast<std::size_t>(spec_.replicates));
        const std::size_t first = condition(s, v) * static_cast<std::size_t>(spec_.replicates);
        for (int r = 0; r < spec_.replicates; ++r) {
            const Run& run = runs_[first + static_cast<std::size_t>(r)];
            if (status_[run.index].state != RunStatus::State::ok) continue;
            const RunResult result = read(run);
            out.observables[run.index] = observables(result);
            Values kept;
            for (const Slot& slot : slots_) {
                if (slot.group == "observables") {
                    kept.push_back(out.observables[run.index]);
                    continue;
                }
                const Variable* var = nullptr;
                for (const auto& x : result.variables)
                    if (x.group == slot.group && x.name == slot.name) var = &x;
                if (!var || var->values.size() != slot.size)
                    throw RuntimeError(
                        directory_ + "/" + run.path + ": variable '" + slot.group + "/" +
                        slot.name + "' is missing or differs in shape from the batch's first run");
                kept.push_back(var->values);
            }
            values[static_cast<std::size_t>(r)] = std::move(kept);
        }
        return values;
    }

    /// The run's observables in the order of the summary's labels (NaN if missing).
    std::vector<double> observables(const RunResult& result) const {
        std::map<std::string, double> by_name;
        for (const auto& o : result.observables)
            by_name[o.id + "@" + o.period] = o.value;
        std::vector<double> out;
        for (const auto& o : observable_names_) {
            const auto it = by_name.find(o);
            out.push_back(it == by_name.end() ? NAN : it->second);
        }
        return out;
    }

    void summarise_condition(const std::vector<std::optional<Values>>& replicates, std::size_t row,
                             std::vector<std::vector<double>>& own,
                             std::vector<double>& succeeded) const {
        std::size_t n = 0;
        for (const auto& r : replicates)
            n += r ? 1 : 0;
        succeeded[row] = static_cast<double>(n);
        for (std::size_t k = 0; k < slots_.size(); ++k) {
            std::vector<const std::vector<double>*> samples;
            for (const auto& r : replicates)
                if (r) samples.push_back(&(*r)[k]);
            if (!samples.empty()) statistics(samples, slots_[k].size, row, own[k]);
        }
    }

    /// Sobol indices of each scenario's observables over the Saltelli design,
    /// from each variation's mean over its successful replicates.
    void sensitivity(Summary& out) const {
        const std::size_t scenarios = spec_.scenarios.size(),
                          observables = observable_names_.size();
        const std::size_t parameters = spec_.varied.size();
        const auto replicates = static_cast<std::size_t>(spec_.replicates);
        Coordinate scenario{"scenario", "scenario of the Saltelli design", "", {}, {}};
        for (const auto& s : spec_.scenarios)
            scenario.labels.push_back(s.id);
        Coordinate parameter{"parameter", "varied parameter", "", {}, {}};
        for (const auto& p : spec_.varied)
            parameter.labels.push_back(p.name);
        out.file.coordinates.push_back(scenario);
        out.file.coordinates.push_back(parameter);
        out.file.coordinates.push_back({"sobol_statistic",
                                        "point estimate; 5% and 95% quantiles and sd of " +
                                            std::to_string(kSobolResamples) +
                                            " bootstrap estimates",
                                        "",
                                        {},
                                        {"estimate", "q05", "q95", "sd"}});
        const std::size_t size = scenarios * parameters * 4 * observables;
        std::vector<double> first(size), total(size), used(scenarios * observables);
        out.sobol.assign(scenarios, {});
        for (std::size_t s = 0; s < scenarios; ++s)
            for (std::size_t o = 0; o < observables; ++o) {
                std::vector<double> y;
                for (std::size_t v = 0; v < spec_.variations.size(); ++v) {
                    double sum = 0, n = 0;
                    for (std::size_t r = 0; r < replicates; ++r) {
                        const auto& values = out.observables[condition(s, v) * replicates + r];
                        if (values.empty() || std::isnan(values[o])) continue;
                        sum += values[o];
                        ++n;
                    }
                    y.push_back(n > 0 ? sum / n : NAN);
                }
                out.sobol[s].push_back(
                    sobol_indices(y, spec_.samples, parameters, spec_.second_order));
                const SobolIndices& x = out.sobol[s].back();
                used[s * observables + o] = static_cast<double>(x.samples);
                for (std::size_t p = 0; p < parameters; ++p)
                    for (int k = 0; k < 4; ++k) {
                        const std::size_t at = ((s * parameters + p) * 4 + k) * observables + o;
                        const auto pick = [k](const SobolEstimate& e) {
                            return k == 0 ? e.estimate : k == 1 ? e.q05 : k == 2 ? e.q95 : e.sd;
                        };
                        first[at] = pick(x.first[p]);
                        total[at] = pick(x.total[p]);
                    }
            }
        const std::vector<std::string> dims{"scenario", "parameter", "sobol_statistic",
                                            "observable"};
        out.file.variables.push_back(
            {"sensitivity", "first_order", dims, "1",
             "first-order Sobol index (Saltelli 2010 estimator) of the observable",
             std::move(first)});
        out.file.variables.push_back({"sensitivity", "total", dims, "1",
                                      "total Sobol index (Jansen estimator) of the observable",
                                      std::move(total)});
        out.file.variables.push_back({"sensitivity",
                                      "base_samples",
                                      {"scenario", "observable"},
                                      "1",
                                      "base samples behind the indices (those whose runs all "
                                      "succeeded)",
                                      std::move(used)});
    }

    std::string uncertainty() const { return batch::uncertainty(spec_); }

    /// Statistics of the paired differences on the chosen figures; with a
    /// posterior, each pair is one parameter draw with one seed, so the
    /// interval holds parameter and stochastic uncertainty together.
    void effects(Summary& out) const {
        const auto replicates = static_cast<std::size_t>(spec_.replicates);
        const std::size_t figures = spec_.effects.size();
        std::vector<std::string> labels;
        std::vector<double> values, pairs;
        for (std::size_t s = 0; s < spec_.scenarios.size(); ++s)
            for (std::size_t v = 0; v < spec_.variations.size(); ++v) {
                if (s == spec_.baseline) continue;
                const std::string contrast =
                    condition_label(s, v) + " - " + condition_label(spec_.baseline, v);
                for (const auto& figure : spec_.effects) {
                    Effect e{contrast, figure};
                    const auto at =
                        std::find(observable_names_.begin(), observable_names_.end(), figure);
                    e.known = at != observable_names_.end();
                    std::vector<double> d;
                    const auto o = static_cast<std::size_t>(at - observable_names_.begin());
                    for (std::size_t r = 0; e.known && r < replicates; ++r) {
                        const auto& mine = out.observables[condition(s, v) * replicates + r];
                        const auto& base =
                            out.observables[condition(spec_.baseline, v) * replicates + r];
                        if (mine.empty() || base.empty() || std::isnan(mine[o]) ||
                            std::isnan(base[o]))
                            continue;
                        d.push_back(mine[o] - base[o]);
                    }
                    e.pairs = static_cast<double>(d.size());
                    if (!d.empty()) {
                        double sum = 0;
                        for (double x : d)
                            sum += x;
                        e.mean = sum / static_cast<double>(d.size());
                        std::sort(d.begin(), d.end());
                        e.q05 = quantile(d, 0.05);
                        e.q50 = quantile(d, 0.5);
                        e.q95 = quantile(d, 0.95);
                    }
                    out.effects.push_back(e);
                }
            }
        const std::size_t contrasts = out.effects.size() / figures;
        std::vector<double> effect(contrasts * kStatistics * figures), paired(contrasts * figures);
        for (std::size_t c = 0; c < contrasts; ++c)
            for (std::size_t f = 0; f < figures; ++f) {
                const Effect& e = out.effects[c * figures + f];
                const double stats[kStatistics] = {e.mean, e.q05, e.q50, e.q95};
                for (int k = 0; k < kStatistics; ++k)
                    effect[(c * kStatistics + static_cast<std::size_t>(k)) * figures + f] =
                        stats[k];
                paired[c * figures + f] = e.pairs;
            }
        out.file.coordinates.push_back({"effect",
                                        "figure whose paired effect is reported (batch.effects)",
                                        "",
                                        {},
                                        spec_.effects});
        out.file.variables.push_back(
            {"effects",
             "paired_effect",
             {"contrast", "statistic", "effect"},
             "",
             uncertainty() + ": counterfactual minus baseline, paired by replicate",
             std::move(effect)});
        out.file.variables.push_back({"effects",
                                      "pairs",
                                      {"contrast", "effect"},
                                      "1",
                                      "replicates where both runs have the figure",
                                      std::move(paired)});
    }

    const Spec& spec_;
    const std::vector<Run>& runs_;
    const std::vector<RunStatus>& status_;
    std::string directory_;
    std::vector<Slot> slots_;
    std::vector<std::string> observable_names_;
};

} // namespace

std::string uncertainty(const Spec& spec) {
    return spec.posterior.empty()
               ? "statistics over replicates with the batch's fixed parameters, each its own "
                 "seed: stochastic uncertainty only"
               : "statistics over replicates, each its own parameter draw from " + spec.posterior +
                     " and its own seed: parameter and stochastic uncertainty together";
}

std::vector<DecidingParameter> deciding_parameters(const Spec& spec) {
    std::vector<DecidingParameter> out;
    if (!spec.sensitivity) return out;
    for (std::size_t s = 0; s < spec.scenarios.size(); ++s)
        if (s != spec.baseline)
            for (const auto& p : spec.scenarios[s].deciding) {
                const auto& [value, figure] = spec.sensitivity->largest_total.at(p);
                out.push_back(
                    {spec.scenarios[s].id, p, spec.sensitivity->informed(p), value, figure});
            }
    return out;
}

std::string sensitivity_json(const Spec& spec, const Summary& summary) {
    std::vector<std::string> rows;
    const auto estimate = [](const SobolEstimate& e) {
        return JsonObject()
            .add("estimate", json(e.estimate))
            .add("q05", json(e.q05))
            .add("q95", json(e.q95))
            .add("sd", json(e.sd))
            .str();
    };
    for (std::size_t s = 0; s < summary.sobol.size(); ++s)
        for (std::size_t o = 0; o < summary.sobol[s].size(); ++o)
            for (std::size_t p = 0; p < spec.varied.size(); ++p)
                rows.push_back(JsonObject()
                                   .add("scenario", json(spec.scenarios[s].id))
                                   .add("observable", json(summary.observable_names[o]))
                                   .add("parameter", json(spec.varied[p].name))
                                   .add("first", estimate(summary.sobol[s][o].first[p]))
                                   .add("total", estimate(summary.sobol[s][o].total[p]))
                                   .str());
    return json_array(rows);
}

std::string sensitivity_csv(const Spec& spec, const Summary& summary) {
    std::string csv = "scenario,observable,parameter,index,estimate,q05,q95,sd,base_samples\n";
    for (std::size_t s = 0; s < summary.sobol.size(); ++s)
        for (std::size_t o = 0; o < summary.sobol[s].size(); ++o) {
            const SobolIndices& x = summary.sobol[s][o];
            const auto number = [](double v) { return std::isnan(v) ? std::string() : exact(v); };
            for (std::size_t p = 0; p < spec.varied.size(); ++p)
                for (const bool total : {false, true}) {
                    const SobolEstimate& e = total ? x.total[p] : x.first[p];
                    csv += spec.scenarios[s].id + "," + summary.observable_names[o] + "," +
                           spec.varied[p].name + "," + (total ? "total," : "first,") +
                           number(e.estimate) + "," + number(e.q05) + "," + number(e.q95) + "," +
                           number(e.sd) + "," + std::to_string(x.samples) + "\n";
                }
        }
    return csv;
}

Summary summarise(const Spec& spec, const std::vector<Run>& runs,
                  const std::vector<RunStatus>& status, const std::string& directory) {
    return Summariser(spec, runs, status, directory)();
}

} // namespace khorgos::batch
