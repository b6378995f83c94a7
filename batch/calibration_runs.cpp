#include "batch/calibration_runs.hpp"

#include "batch/run_plan.hpp"
#include "output/posterior_file.hpp"
#include "sim/errors.hpp"

#include <cmath>

namespace khorgos {

namespace {

std::vector<Override> as_overrides(const std::vector<Param>& parameters,
                                   const std::vector<double>& theta) {
    std::vector<Override> sets;
    for (std::size_t j = 0; j < parameters.size(); ++j)
        sets.push_back({parameters[j], theta[j]});
    return sets;
}

/// The parameters of dotted names. @throws InputError (key `key`) for an unknown one.
std::vector<Param> parameters_named(const std::vector<std::string>& names, const std::string& file,
                                    const std::string& key) {
    std::vector<Param> out;
    for (const auto& name : names) {
        const auto p = find_parameter(name);
        if (!p)
            throw InputError(file, 0, 0, key,
                             "unknown parameter '" + name + "'" + replaced_by(name));
        out.push_back(*p);
    }
    return out;
}

} // namespace

calibration::Simulator engine_simulator(std::shared_ptr<const LoadedScenario> scenario,
                                        const std::vector<std::string>& names,
                                        const std::vector<calibration::Target>& targets,
                                        double scale) {
    const std::vector<Param> parameters = parameters_named(names, scenario->path, "parameters");
    return [=](const std::vector<double>& theta, std::uint64_t seed) {
        RunPlan plan;
        plan.scenario = scenario;
        plan.sets = as_overrides(parameters, theta);
        plan.seed = seed;
        plan.threads = 1; // the calibration runs simulations side by side instead
        plan.scale = scale;
        plan.series = false; // the targets read observables only
        const RunOutcome outcome = execute(plan);
        std::vector<double> values;
        for (const auto& t : targets) {
            const Observable* o = outcome.result.observable(t.id, t.period);
            values.push_back(o ? o->value : NAN);
        }
        return values;
    };
}

calibration::StagedSimulator
engine_staged_simulator(std::shared_ptr<const LoadedScenario> scenario,
                        const std::vector<std::string>& names,
                        const std::vector<calibration::Target>& targets, double scale) {
    const std::vector<Param> parameters = parameters_named(names, scenario->path, "parameters");
    return [=](const std::vector<double>& theta, std::uint64_t seed,
               const calibration::FigureCheck& keep_going) {
        RunPlan plan;
        plan.scenario = scenario;
        plan.sets = as_overrides(parameters, theta);
        plan.seed = seed;
        plan.threads = 1;
        plan.scale = scale;
        plan.series = false;
        std::vector<double> values(targets.size(), NAN);
        std::vector<char> passed(targets.size(), 0);
        plan.after_year = [&](const std::vector<Observable>& final_so_far) {
            for (std::size_t i = 0; i < targets.size(); ++i) {
                if (passed[i]) continue;
                for (const auto& o : final_so_far) {
                    if (o.id != targets[i].id || o.period != targets[i].period) continue;
                    passed[i] = 1;
                    values[i] = o.value;
                    if (!keep_going(i, o.value)) return false;
                    break;
                }
            }
            return true;
        };
        execute(plan);
        return values;
    };
}

std::vector<Override> posterior_draw(const std::string& path, std::uint64_t seed,
                                     std::string* description) {
    const calibration::PosteriorData data = output::read_posterior_file(path);
    std::vector<double> theta;
    const std::size_t d = data.parameter_names.size();
    if (!data.generations.empty()) {
        const auto& gen = data.generations.back();
        RandomStream stream = calibration::calibration_stream(
            seed, 0, 0, calibration::CalibrationStream::posterior_draw);
        // The weights are finite, non-negative and sum to more than 0 (read_posterior_file).
        double total = 0;
        for (double w : gen.weights)
            total += w;
        const double u = stream.uniform() * total;
        double cumulative = 0;
        std::size_t chosen = gen.weights.size();
        for (std::size_t i = 0; i < gen.weights.size(); ++i) {
            cumulative += gen.weights[i];
            if (gen.weights[i] > 0) chosen = i; // rounding: the last that can be drawn
            if (u <= cumulative && gen.weights[i] > 0) break;
        }
        theta.assign(gen.particles.begin() + static_cast<long>(chosen * d),
                     gen.particles.begin() + static_cast<long>((chosen + 1) * d));
        if (description)
            *description = "particle " + std::to_string(chosen) + " of generation " +
                           std::to_string(data.generations.size() - 1) + " of " + path;
    } else if (!data.fit_parameters.empty()) {
        theta = data.fit_parameters;
        if (description) *description = "the point fit of " + path;
    } else {
        throw InputError(path, 0, 0, "--posterior",
                         "the file holds no finished generation and no fit");
    }
    return as_overrides(parameters_named(data.parameter_names, path, "posterior"), theta);
}

} // namespace khorgos
