#include "calibration/report.hpp"

#include "io/numbers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace khorgos::calibration {

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

std::vector<ParameterSummary> summarise_parameters(const Problem& problem,
                                                   const PosteriorGeneration& gen) {
    const std::size_t d = problem.priors.size();
    const std::size_t n = gen.weights.size();
    const std::size_t best = static_cast<std::size_t>(
        std::min_element(gen.distances.begin(), gen.distances.end()) - gen.distances.begin());
    std::vector<ParameterSummary> out;
    for (std::size_t j = 0; j < d; ++j) {
        ParameterSummary s;
        s.name = problem.priors[j].name;
        std::vector<std::pair<double, double>> vw;
        for (std::size_t i = 0; i < n; ++i) {
            vw.emplace_back(gen.particles[i * d + j], gen.weights[i]);
            s.mean += gen.particles[i * d + j] * gen.weights[i];
        }
        s.median = weighted_quantile(vw, 0.5);
        s.lower90 = weighted_quantile(vw, 0.05);
        s.upper90 = weighted_quantile(vw, 0.95);
        s.best = gen.particles[best * d + j];
        const Prior& prior = problem.priors[j];
        s.width_ratio = (prior.to_internal(s.upper90) - prior.to_internal(s.lower90)) /
                        prior.internal_width90();
        out.push_back(s);
    }
    return out;
}

std::vector<TargetSummary> summarise_targets(const Problem& problem, const PosteriorGeneration& gen,
                                             const PosteriorPredictive& predictive) {
    const std::size_t m = problem.targets.size();
    const std::size_t n = gen.weights.size();
    std::vector<TargetSummary> out(m);
    const bool drawn = predictive.median.size() == m;
    for (std::size_t i = 0; i < m && drawn; ++i) {
        out[i].median = predictive.median[i];
        out[i].lower90 = predictive.lower90[i];
        out[i].upper90 = predictive.upper90[i];
        const Target& t = problem.targets[i];
        out[i].unreachable = out[i].upper90 < t.lower || out[i].lower90 > t.upper;
    }
    for (std::size_t p = 0; p < n; ++p) {
        const std::vector<double> sim(gen.simulated.begin() + static_cast<long>(p * m),
                                      gen.simulated.begin() + static_cast<long>((p + 1) * m));
        const auto c = contributions(problem, sim, gen.distance_weights);
        for (std::size_t i = 0; i < m; ++i)
            out[i].contribution += gen.weights[p] * c[i];
    }
    return out;
}

namespace {
std::string targets_table(const Problem& problem, const std::vector<TargetSummary>& rows,
                          bool intervals) {
    std::string out;
    char line[320];
    double total = 0;
    for (const auto& r : rows)
        total += r.contribution;
    std::snprintf(line, sizeof line, "%-24s %-22s %13s %10s %21s %9s %6s  %s\n", "target", "period",
                  "official", "median", intervals ? "90% interval" : "", "distance", "share",
                  "flag");
    out += line;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Target& t = problem.targets[i];
        const TargetSummary& r = rows[i];
        const std::string official =
            t.lower < t.upper ? figure(t.lower) + "-" + figure(t.upper) : figure(t.value);
        const std::string interval =
            intervals ? "[" + figure(r.lower90) + ", " + figure(r.upper90) + "]" : "";
        std::string flag = problem.fitted[i] ? "fitted" : "held out";
        if (r.unreachable) flag += ", NOT REACHED";
        char share[16] = "";
        char contribution[24] = "";
        if (problem.fitted[i]) {
            std::snprintf(share, sizeof share, "%.0f%%",
                          total > 0 ? 100 * r.contribution / total : 0.0);
            std::snprintf(contribution, sizeof contribution, "%.3g", r.contribution);
        }
        std::snprintf(line, sizeof line, "%-24s %-22s %13s %10s %21s %9s %6s  %s\n", t.id.c_str(),
                      t.period.c_str(), official.c_str(), figure(r.median).c_str(),
                      interval.c_str(), contribution, share, flag.c_str());
        out += line;
    }
    return out;
}
} // namespace

std::string abc_report(const Problem& problem, const PosteriorData& data) {
    const auto& gens = data.generations;
    if (gens.empty()) return "no generation finished\n";
    const auto& last = gens.back();
    std::string out;
    char line[320];
    std::uint64_t sims = 0;
    double seconds = 0;
    for (const auto& g : gens) {
        sims += g.simulations;
        seconds += g.seconds;
    }
    std::snprintf(line, sizeof line,
                  "ABC-SMC: %zu generations, %zu particles, final tolerance %.4g, ESS %.1f, "
                  "acceptance %.3f, %llu simulations, %.0f s (%s)\n",
                  gens.size(), last.weights.size(), last.tolerance, last.ess, last.acceptance,
                  static_cast<unsigned long long>(sims), seconds,
                  data.stopping.empty() ? "interrupted; --resume continues"
                                        : data.stopping.c_str());
    out += line;
    const bool fit = !data.fit_parameters.empty();
    if (fit) {
        std::snprintf(line, sizeof line,
                      "Started from a point fit (column `fit`): mean distance %.5g after %llu "
                      "evaluations, %llu simulations; generation 0 ESS %.1f\n",
                      data.fit_distance, static_cast<unsigned long long>(data.fit_evaluations),
                      static_cast<unsigned long long>(data.fit_simulations), gens.front().ess);
        out += line;
    }
    std::snprintf(line, sizeof line, "\n%-36s %12s %12s %12s %12s %9s %12s %12s  %s\n", "parameter",
                  "mean", "median", "5%", "95%", "of prior", "best", fit ? "fit" : "", "prior");
    out += line;
    const auto params = summarise_parameters(problem, last);
    for (std::size_t j = 0; j < params.size(); ++j) {
        const auto& p = params[j];
        char fitted[16] = "";
        if (fit) std::snprintf(fitted, sizeof fitted, "%.4g", data.fit_parameters[j]);
        std::snprintf(line, sizeof line,
                      "%-36s %12.4g %12.4g %12.4g %12.4g %9.2f %12.4g %12s  %s\n", p.name.c_str(),
                      p.mean, p.median, p.lower90, p.upper90, p.width_ratio, p.best, fitted,
                      problem.priors[j].describe().c_str());
        out += line;
    }
    out += "of prior = width of the 90% interval over the prior's 90% width (log scale for a "
           "log-uniform prior): near 1, the fitted figures do not inform the parameter.\n";
    const auto& predictive = data.predictive;
    const bool drawn = predictive.generation == static_cast<std::int64_t>(gens.size() - 1);
    if (drawn)
        std::snprintf(line, sizeof line,
                      "\nPosterior predictive: %zu fresh simulations (parameters drawn by weight "
                      "from generation %zu, new seeds);\n",
                      predictive.particle.size(), gens.size() - 1);
    else
        std::snprintf(line, sizeof line,
                      "\nNo posterior predictive yet (`--resume` simulates it);\n");
    out += line;
    out += "distance = weighted mean of the target's term in the last generation, share = of "
           "the total;\nNOT REACHED = the official value (or band) lies outside the 90% "
           "interval.\n\n";
    out += targets_table(
        problem, summarise_targets(problem, last, drawn ? predictive : PosteriorPredictive{}),
        drawn);
    return out;
}

std::string fit_report(const Problem& problem, const std::vector<double>& theta,
                       const std::vector<double>& simulated, double dist) {
    std::string out;
    char line[320];
    std::snprintf(line, sizeof line, "Point fit: mean distance %.5g\n\n%-36s %12s  %s\n", dist,
                  "parameter", "value", "prior");
    out += line;
    for (std::size_t j = 0; j < theta.size(); ++j) {
        std::snprintf(line, sizeof line, "%-36s %12.4g  %s\n", problem.priors[j].name.c_str(),
                      theta[j], problem.priors[j].describe().c_str());
        out += line;
    }
    out += "\n";
    std::vector<TargetSummary> rows(problem.targets.size());
    const auto c = contributions(problem, simulated, {});
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].median = simulated[i];
        rows[i].contribution = c[i];
    }
    out += targets_table(problem, rows, false);
    return out;
}

std::string scenario_fragment(const std::string& extends, const std::string& name,
                              const std::string& comment, const std::vector<Prior>& priors,
                              const std::vector<double>& values) {
    std::string out = "# " + comment +
                      "\n# Written by khorgos calibrate; use it as a scenario or `extends` it.\n";
    out += "extends = " + quoted(extends) + "\n";
    out += "name = " + quoted(name) + "\n\n[parameters]\n";
    for (std::size_t j = 0; j < priors.size(); ++j)
        out += quoted(priors[j].name) + " = " + exact(values[j]) + "\n";
    return out;
}

std::string targets_toml(const RunResult& run, const std::vector<Target>& like,
                         const std::string& source) {
    std::string out = "# Synthetic targets: the observables of one khorgos run, in the format of\n"
                      "# calibration/targets/article.toml. Calibrating against them tests whether\n"
                      "# the parameters that made them can be recovered (identifiability).\n"
                      "# " +
                      source + "\n";
    for (const auto& o : run.observables) {
        const Target* match = nullptr;
        for (const auto& t : like)
            if (t.id == o.id && t.period == o.period) match = &t;
        std::string kind = match ? match->kind : "yearly_count";
        if (!match) {
            // The kind by the period's form, for observables without an official figure.
            // Counts and shares both have units "1" (UDUNITS); a share says so in
            // its id or definition (output/SCHEMA.md).
            if (o.units == "1" &&
                (o.id.find("share") != std::string::npos || o.definition.rfind("share", 0) == 0))
                kind = "share";
            else if (o.period.find('/') != std::string::npos)
                kind = "cumulative_count";
            else if (o.period.size() > 4)
                kind = "stock";
        }
        const std::string model = "relative"; // a single value: a band has no meaning here
        const double sd = match ? match->error_sd : 0.15;
        out += "\n[[target]]\nid = " + quoted(o.id) + "\nperiod = " + quoted(o.period) +
               "\nvalue = " + exact(o.value) + "\nkind = " + quoted(kind) +
               "\nerror = { model = " + quoted(model) + ", sd = " + exact(sd) + " }\nfitted = " +
               (match && !match->fitted ? "false"
                : match                 ? "true"
                                        : "false") +
               "\nsource = " + quoted(source) + "\n";
    }
    return out;
}

} // namespace khorgos::calibration
