// Posterior files: see posterior_file.hpp for the layout.
#include "output/posterior_file.hpp"

#include "io/input_file.hpp"
#include "io/output_file.hpp"
#include "io/temporary_files.hpp"
#include "output/h5.hpp"
#include "sim/errors.hpp"

#include "io/numbers.hpp"
#include "sim/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace khorgos::output {

using h5::Handle;
using h5::own;

namespace {

constexpr const char* kFormat = "khorgos posterior 2";

void write_doubles(hid_t parent, const std::string& name, const std::vector<double>& values,
                   std::size_t rows, std::size_t columns) {
    const hsize_t dims[2] = {rows, columns};
    const int rank = columns == 0 ? 1 : 2;
    const Handle space =
        own(H5Screate_simple(rank, dims, nullptr), H5Sclose, "cannot create dataspace");
    const Handle dataset = own(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                               H5Dclose, "cannot create dataset " + name);
    if (!values.empty())
        h5::check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           values.data()),
                  "cannot write dataset " + name);
}

std::vector<double> read_doubles(hid_t parent, const std::string& name) {
    const Handle dataset = h5::open_dataset(parent, name);
    return h5::read_doubles(dataset.get());
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
    const Handle dataset = h5::open_dataset(parent, name);
    return h5::read_strings(dataset.get());
}

std::string generation_name(std::size_t i) {
    std::string name = std::to_string(i);
    return std::string(name.size() < 3 ? 3 - name.size() : 0, '0') + name;
}

} // namespace

void write_posterior_file(const std::string& path, const calibration::PosteriorData& data,
                          bool replace) {
    io::remove_stale_temporaries(path); // what a killed calibration left of this file
    io::OutputFile out(path, replace, "--out");
    const std::string& temporary = out.temporary_path();
    h5::QuietErrors quiet;
    {
        const Handle fcpl = h5::file_creation_plist();
        const Handle fapl = h5::file_access_plist();
        Handle file = own(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                          H5Fclose, "cannot create HDF5 file '" + temporary + "'");
        const hid_t root = file.get();
        h5::write_text_attribute(root, "format", kFormat);
        h5::write_text_attribute(root, "method", data.method);
        h5::write_text_attribute(root, "calibration_text", data.calibration_text);
        h5::write_text_attribute(root, "report", data.report);
        h5::write_text_attribute(root, "stopping", data.stopping);
        h5::write_text_attribute(root, "inputs", data.inputs);
        h5::write_attribute(root, "seed", data.seed);
        h5::write_text_attribute(root, "seed_text", std::to_string(data.seed)); // for R (uint64)
        {
            const Handle g = h5::create_group(root, "parameters");
            h5::write_strings(g.get(), "names", data.parameter_names);
            h5::write_strings(g.get(), "priors", data.priors);
        }
        {
            const Handle g = h5::create_group(root, "targets");
            const std::size_t m = data.target_ids.size();
            h5::write_strings(g.get(), "id", data.target_ids);
            h5::write_strings(g.get(), "period", data.target_periods);
            write_doubles(g.get(), "value", data.target_values, m, 0);
            write_doubles(g.get(), "lower", data.target_lower, m, 0);
            write_doubles(g.get(), "upper", data.target_upper, m, 0);
            std::vector<double> fitted(data.target_fitted.begin(), data.target_fitted.end());
            write_doubles(g.get(), "fitted", fitted, m, 0);
        }
        {
            const Handle g = h5::create_group(root, "generations");
            const std::size_t d = data.parameter_names.size();
            const std::size_t m = data.target_ids.size();
            for (std::size_t i = 0; i < data.generations.size(); ++i) {
                const calibration::PosteriorGeneration& gen = data.generations[i];
                const Handle h = h5::create_group(g.get(), generation_name(i));
                h5::write_attribute(h.get(), "tolerance", gen.tolerance);
                h5::write_attribute(h.get(), "acceptance", gen.acceptance);
                h5::write_attribute(h.get(), "ess", gen.ess);
                h5::write_attribute(h.get(), "simulations", gen.simulations);
                h5::write_attribute(h.get(), "proposals", gen.proposals);
                h5::write_attribute(h.get(), "seconds", gen.seconds);
                const std::size_t n = gen.weights.size();
                write_doubles(h.get(), "particles", gen.particles, n, d);
                write_doubles(h.get(), "weights", gen.weights, n, 0);
                write_doubles(h.get(), "distances", gen.distances, n, 0);
                write_doubles(h.get(), "simulated", gen.simulated, n, m);
                write_doubles(h.get(), "distance_weights", gen.distance_weights, m, 0);
            }
        }
        if (!data.waves.empty()) {
            const Handle hm = h5::create_group(root, "history_matching");
            h5::write_text_attribute(hm.get(), "stopping", data.wave_stopping);
            const Handle g = h5::create_group(hm.get(), "waves");
            const std::size_t d = data.parameter_names.size();
            const std::size_t m = data.target_ids.size();
            for (std::size_t i = 0; i < data.waves.size(); ++i) {
                const calibration::HistoryWave& w = data.waves[i];
                const Handle h = h5::create_group(g.get(), generation_name(i));
                h5::write_attribute(h.get(), "simulations", w.simulations);
                h5::write_attribute(h.get(), "seconds", w.seconds);
                h5::write_attribute(h.get(), "kept", w.kept);
                h5::write_attribute(h.get(), "fraction", w.fraction);
                h5::write_attribute(h.get(), "met_all", w.met_all);
                h5::write_attribute(h.get(), "emulator_share", w.emulator_share);
                const std::size_t t = w.train_x.size() / std::max<std::size_t>(d, 1);
                write_doubles(h.get(), "design", w.design, w.design.size() / d, d);
                write_doubles(h.get(), "simulated", w.simulated, w.simulated.size() / m, m);
                write_doubles(h.get(), "train_x", w.train_x, t, d);
                write_doubles(h.get(), "train_y", w.train_y, t, m);
                write_doubles(h.get(), "length_scales", w.length_scales, m, d);
                write_doubles(h.get(), "nugget", w.nugget, m, 0);
                write_doubles(h.get(), "sim_variance", w.sim_variance, m, 0);
                write_doubles(h.get(), "loo", w.loo, t, m);
                write_doubles(h.get(), "met", w.met, m, 0);
                write_doubles(h.get(), "met_pairs", w.met_pairs, m, m);
                write_doubles(h.get(), "region", w.region, w.region.size() / d, d);
            }
        }
        if (!data.fit_parameters.empty()) {
            const Handle g = h5::create_group(root, "fit");
            write_doubles(g.get(), "parameters", data.fit_parameters, data.fit_parameters.size(),
                          0);
            h5::write_attribute(g.get(), "distance", data.fit_distance);
            h5::write_attribute(g.get(), "evaluations", data.fit_evaluations);
            h5::write_attribute(g.get(), "simulations", data.fit_simulations);
        }
        if (data.predictive.generation >= 0) {
            const calibration::PosteriorPredictive& p = data.predictive;
            const Handle g = h5::create_group(root, "predictive");
            const std::size_t draws = p.particle.size();
            h5::write_attribute(g.get(), "generation", static_cast<std::uint64_t>(p.generation));
            write_doubles(g.get(), "particle", p.particle, draws, 0);
            write_doubles(g.get(), "parameters", p.parameters, draws, data.parameter_names.size());
            write_doubles(g.get(), "simulated", p.simulated, draws, data.target_ids.size());
            write_doubles(g.get(), "median", p.median, p.median.size(), 0);
            write_doubles(g.get(), "lower90", p.lower90, p.lower90.size(), 0);
            write_doubles(g.get(), "upper90", p.upper90, p.upper90.size(), 0);
        }
        file.close("cannot close '" + temporary + "'");
    }
    out.commit();
}

namespace {

calibration::PosteriorData read_contents(const std::string& path) {
    h5::QuietErrors quiet;
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file) throw InputError(path, 0, 0, "posterior", "not an HDF5 file");
    const hid_t root = file.get();
    if (h5::read_text_attribute(root, "format") != kFormat)
        throw InputError(path, 0, 0, "posterior", "not a khorgos posterior file");
    calibration::PosteriorData data;
    data.method = h5::read_text_attribute(root, "method");
    data.calibration_text = h5::read_text_attribute(root, "calibration_text");
    data.report = h5::read_text_attribute(root, "report");
    data.stopping = h5::read_text_attribute(root, "stopping");
    if (h5::has_attribute(root, "inputs")) data.inputs = h5::read_text_attribute(root, "inputs");
    data.seed = h5::read_uint_attribute(root, "seed");
    {
        const Handle g = h5::open_group(root, "parameters");
        data.parameter_names = read_strings(g.get(), "names");
        data.priors = read_strings(g.get(), "priors");
    }
    {
        const Handle g = h5::open_group(root, "targets");
        data.target_ids = read_strings(g.get(), "id");
        data.target_periods = read_strings(g.get(), "period");
        data.target_values = read_doubles(g.get(), "value");
        data.target_lower = read_doubles(g.get(), "lower");
        data.target_upper = read_doubles(g.get(), "upper");
        for (double f : read_doubles(g.get(), "fitted"))
            data.target_fitted.push_back(static_cast<std::int32_t>(f));
    }
    {
        const Handle g = h5::open_group(root, "generations");
        for (const auto& name : h5::link_names(g.get())) {
            const Handle h = h5::open_group(g.get(), name);
            calibration::PosteriorGeneration gen;
            gen.tolerance = h5::read_double_attribute(h.get(), "tolerance");
            gen.acceptance = h5::read_double_attribute(h.get(), "acceptance");
            gen.ess = h5::read_double_attribute(h.get(), "ess");
            gen.simulations = h5::read_uint_attribute(h.get(), "simulations");
            gen.proposals = h5::read_uint_attribute(h.get(), "proposals");
            gen.seconds = h5::read_double_attribute(h.get(), "seconds");
            gen.particles = read_doubles(h.get(), "particles");
            gen.weights = read_doubles(h.get(), "weights");
            gen.distances = read_doubles(h.get(), "distances");
            gen.simulated = read_doubles(h.get(), "simulated");
            gen.distance_weights = read_doubles(h.get(), "distance_weights");
            data.generations.push_back(std::move(gen));
        }
    }
    if (h5::has_link(root, "history_matching")) {
        const Handle hm = h5::open_group(root, "history_matching");
        data.wave_stopping = h5::read_text_attribute(hm.get(), "stopping");
        const Handle g = h5::open_group(hm.get(), "waves");
        for (const auto& name : h5::link_names(g.get())) {
            const Handle h = h5::open_group(g.get(), name);
            calibration::HistoryWave w;
            w.simulations = h5::read_uint_attribute(h.get(), "simulations");
            w.seconds = h5::read_double_attribute(h.get(), "seconds");
            w.kept = h5::read_double_attribute(h.get(), "kept");
            w.fraction = h5::read_double_attribute(h.get(), "fraction");
            w.met_all = h5::read_double_attribute(h.get(), "met_all");
            w.emulator_share = h5::read_double_attribute(h.get(), "emulator_share");
            w.design = read_doubles(h.get(), "design");
            w.simulated = read_doubles(h.get(), "simulated");
            w.train_x = read_doubles(h.get(), "train_x");
            w.train_y = read_doubles(h.get(), "train_y");
            w.length_scales = read_doubles(h.get(), "length_scales");
            w.nugget = read_doubles(h.get(), "nugget");
            w.sim_variance = read_doubles(h.get(), "sim_variance");
            w.loo = read_doubles(h.get(), "loo");
            w.met = read_doubles(h.get(), "met");
            w.met_pairs = read_doubles(h.get(), "met_pairs");
            w.region = read_doubles(h.get(), "region");
            data.waves.push_back(std::move(w));
        }
    }
    if (h5::has_link(root, "fit")) {
        const Handle g = h5::open_group(root, "fit");
        data.fit_parameters = read_doubles(g.get(), "parameters");
        data.fit_distance = h5::read_double_attribute(g.get(), "distance");
        data.fit_evaluations = h5::read_uint_attribute(g.get(), "evaluations");
        data.fit_simulations = h5::read_uint_attribute(g.get(), "simulations");
    }
    if (h5::has_link(root, "predictive")) {
        const Handle g = h5::open_group(root, "predictive");
        calibration::PosteriorPredictive& p = data.predictive;
        p.generation = static_cast<std::int64_t>(h5::read_uint_attribute(g.get(), "generation"));
        p.particle = read_doubles(g.get(), "particle");
        p.parameters = read_doubles(g.get(), "parameters");
        p.simulated = read_doubles(g.get(), "simulated");
        p.median = read_doubles(g.get(), "median");
        p.lower90 = read_doubles(g.get(), "lower90");
        p.upper90 = read_doubles(g.get(), "upper90");
    }
    return data;
}

/// The checks a reader needs before drawing from or continuing a posterior.
void validate(const calibration::PosteriorData& data, const std::string& path) {
    const auto fail = [&](const std::string& message) {
        throw InputError(path, 0, 0, "posterior", message);
    };
    const std::size_t d = data.parameter_names.size();
    std::vector<const ParamSpec*> specs;
    for (const auto& name : data.parameter_names) {
        const auto p = find_parameter(name);
        if (!p) fail("unknown parameter '" + name + "'" + replaced_by(name));
        specs.push_back(&parameter_specs()[static_cast<int>(*p)]);
    }
    const auto check_point = [&](const double* theta, const std::string& what) {
        for (std::size_t j = 0; j < d; ++j)
            if (!(theta[j] >= specs[j]->lower && theta[j] <= specs[j]->upper))
                fail(what + ": " + data.parameter_names[j] + " = " + exact(theta[j]) +
                     " is outside its bounds " + exact(specs[j]->lower) + " to " +
                     exact(specs[j]->upper));
    };
    for (std::size_t g = 0; g < data.generations.size(); ++g) {
        const auto& gen = data.generations[g];
        const std::string where = "generation " + std::to_string(g);
        const std::size_t n = gen.weights.size();
        if (n == 0 || gen.particles.size() != n * d || gen.distances.size() != n ||
            gen.simulated.size() != n * data.target_ids.size())
            fail(where + ": particles, weights, distances and simulated values disagree in size");
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double w = gen.weights[i];
            if (!std::isfinite(w) || w < 0)
                fail(where + " particle " + std::to_string(i) + ": weight " + exact(w) +
                     " is not a finite non-negative number");
            sum += w;
            check_point(&gen.particles[i * d], where + " particle " + std::to_string(i));
        }
        if (!(sum > 0) || !std::isfinite(sum))
            fail(where + ": the weights sum to " + exact(sum) + ", not to a positive number");
    }
    // Waves: the shapes the emulators are rebuilt from, and a region sample
    // that ABC-SMC may draw its first particles from.
    const std::size_t m = data.target_ids.size();
    for (std::size_t w = 0; w < data.waves.size(); ++w) {
        const auto& wave = data.waves[w];
        const std::string where = "history-matching wave " + std::to_string(w);
        const std::size_t t = d > 0 ? wave.train_x.size() / d : 0;
        if (d == 0 || wave.design.size() % d != 0 || wave.region.size() % d != 0 ||
            wave.train_x.size() != t * d || wave.train_y.size() != t * m ||
            wave.length_scales.size() != m * d || wave.nugget.size() != m ||
            wave.sim_variance.size() != m || wave.loo.size() != t * m)
            fail(where + ": its designs, training data and emulators disagree in size");
        for (std::size_t i = 0; i < wave.region.size() / d; ++i)
            check_point(&wave.region[i * d], where + " region point " + std::to_string(i));
    }
    if (!data.fit_parameters.empty()) {
        if (data.fit_parameters.size() != d) fail("fit: wrong number of parameters");
        check_point(data.fit_parameters.data(), "fit");
    }
}

} // namespace

calibration::PosteriorData read_posterior_file(const std::string& path) {
    if (!io::check_input(path, "posterior", io::kNoLimit))
        throw InputError(path, 0, 0, "posterior", "file does not exist");
    calibration::PosteriorData data;
    try {
        data = read_contents(path);
    } catch (const RuntimeError& e) {
        // The file passed the format check but a part of it cannot be read.
        throw InputError(path, 0, 0, "posterior", std::string("corrupt: ") + e.what());
    }
    validate(data, path);
    return data;
}

} // namespace khorgos::output
