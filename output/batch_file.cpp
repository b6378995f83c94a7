// Writing and reading batch summary files (batch_file.hpp): coordinates as
// dimension scales at the root and copied into each group (so that
// xarray.open_dataset(path, group=...) gives labelled arrays), summaries as
// chunked, compressed doubles.
#include "output/batch_file.hpp"

#include "io/input_file.hpp"
#include "io/output_file.hpp"
#include "io/temporary_files.hpp"
#include "output/h5.hpp"
#include "sim/errors.hpp"

#include <H5DSpublic.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace khorgos::output {
namespace {

using h5::check;
using h5::Handle;
using h5::own;
using h5::write_coordinate;

constexpr const char* kFormatName = "khorgos-batch";
// 2: as run files 2, batch_seed_text; 3 and 4: as run files 3 and 4
constexpr std::int32_t kFormatVersion = 4;
constexpr int kDeflateLevel = 4;

void set_text(hid_t object, const std::string& name, const std::string& value) {
    if (!value.empty()) h5::write_text_attribute(object, name, value);
}

/// One chunk per (condition, statistic), holding the run's axes from the
/// innermost out while the chunk stays under 64 KiB (cut along the axis that
/// would exceed it), so one series of one condition reads in few chunks.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims) {
    constexpr hsize_t kBytes = 64 * 1024;
    std::vector<hsize_t> chunk(dims.size(), 1);
    hsize_t bytes = sizeof(double);
    for (std::size_t i = dims.size(); i-- > std::min<std::size_t>(2, dims.size() - 1);) {
        chunk[i] = std::max<hsize_t>(1, std::min<hsize_t>(dims[i], kBytes / bytes));
        bytes *= chunk[i];
        if (chunk[i] < dims[i]) break;
    }
    return chunk;
}

void write_variable(hid_t group, const Variable& v, const BatchSummary& s,
                    const std::map<std::string, const Coordinate*>& coords,
                    const std::map<std::string, Handle>& scales) {
    std::vector<hsize_t> dims;
    std::size_t size = 1;
    for (const auto& d : v.dims) {
        const auto it = coords.find(d);
        if (it == coords.end())
            throw RuntimeError("batch summary: '" + v.group + "/" + v.name +
                               "' is over unknown coordinate '" + d + "'");
        dims.push_back(it->second->size());
        size *= it->second->size();
    }
    if (dims.empty() || v.values.size() != size)
        throw RuntimeError("batch summary: '" + v.group + "/" + v.name + "' has " +
                           std::to_string(v.values.size()) + " values for its dimensions' " +
                           std::to_string(size));
    const Handle dataset = size > 0 ? h5::write_compressed(group, v.name, dims, chunk_shape(dims),
                                                           v.values, kDeflateLevel)
                                    : h5::write_array(group, v.name, dims, v.values);
    set_text(dataset.get(), "long_name", v.long_name);
    set_text(dataset.get(), "units", v.units);
    set_text(dataset.get(), "cell_methods", v.cell_methods);
    set_text(dataset.get(), "coordinates", h5::label_coordinates(v.dims, s.coordinates));
    for (std::size_t axis = 0; axis < v.dims.size(); ++axis)
        check(H5DSattach_scale(dataset.get(), scales.at(v.dims[axis]).get(),
                               static_cast<unsigned>(axis)),
              "cannot attach a dimension to '" + v.name + "'");
}

void write_contents(hid_t root, const BatchSummary& s) {
    h5::write_text_attribute(root, "Conventions", "CF-1.8");
    h5::write_text_attribute(root, "title", "khorgos batch summary of " + s.name);
    h5::write_text_attribute(root, "source",
                             "khorgos " + s.program_version + " (git " + s.git_commit + ")");
    h5::write_text_attribute(root, "khorgos_format", kFormatName);
    h5::write_attribute(root, "khorgos_format_version", kFormatVersion);
    h5::write_text_attribute(root, "batch_name", s.name);
    h5::write_text_attribute(root, "batch_text", s.batch_text);
    h5::write_text_attribute(root, "program_version", s.program_version);
    h5::write_text_attribute(root, "git_commit", s.git_commit);
    h5::write_attribute(root, "batch_seed", s.seed);
    h5::write_text_attribute(root, "batch_seed_text", std::to_string(s.seed)); // for R (uint64)
    h5::write_attribute(root, "replicates", std::int32_t{s.replicates});
    h5::write_attribute(root, "scale", s.scale);
    h5::write_text_attribute(root, "baseline", s.baseline);
    h5::write_text_attribute(
        root, "statistics",
        "mean over successful replicates; q05, q50, q95: quantiles with linear "
        "interpolation (numpy's default); *_difference: the same of the paired "
        "differences counterfactual - baseline by replicate (seed) index");

    std::map<std::string, const Coordinate*> coords;
    for (const auto& c : s.coordinates) {
        if (!coords.emplace(c.name, &c).second)
            throw RuntimeError("batch summary: coordinate '" + c.name + "' appears twice");
        write_coordinate(root, c);
    }
    std::vector<std::string> groups;
    for (const auto& v : s.variables)
        if (std::find(groups.begin(), groups.end(), v.group) == groups.end())
            groups.push_back(v.group);
    for (const auto& name : groups) {
        const Handle group = h5::create_group(root, name);
        std::set<std::string> used;
        for (const auto& v : s.variables)
            if (v.group == name) used.insert(v.dims.begin(), v.dims.end());
        std::map<std::string, Handle> scales;
        for (const auto& c : s.coordinates)
            if (used.count(c.name)) scales.emplace(c.name, write_coordinate(group.get(), c));
        for (const auto& v : s.variables)
            if (v.group == name) write_variable(group.get(), v, s, coords, scales);
        if (used.count("observable") && !s.observables.empty()) {
            const auto strings = [&](const char* field, const char* long_name, auto member) {
                std::vector<std::string> values;
                for (const auto& o : s.observables)
                    values.push_back(o.*member);
                const Handle d = h5::write_strings(group.get(), field, values);
                h5::write_text_attribute(d.get(), "long_name", long_name);
                check(H5DSattach_scale(d.get(), scales.at("observable").get(), 0),
                      "cannot attach a dimension");
            };
            strings("id", "observable id, as in calibration/targets", &Observable::id);
            strings("period", "year, or ISO 8601 interval start/end", &Observable::period);
            strings("units", "units of the observable", &Observable::units);
            strings("definition", "definition of the official statistic mirrored",
                    &Observable::definition);
        }
    }
}

} // namespace

void write_batch_summary(const std::string& path, const BatchSummary& summary) {
    io::remove_stale_temporaries(path); // what a killed batch left of this file
    io::OutputFile out(path, true, "summary");
    h5::QuietErrors quiet;
    const Handle fcpl = h5::file_creation_plist();
    const Handle fapl = h5::file_access_plist();
    Handle file =
        own(H5Fcreate(out.temporary_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
            H5Fclose, "cannot create '" + out.temporary_path() + "'");
    write_contents(file.get(), summary);
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "cannot flush '" + out.temporary_path() + "'");
    file.close("cannot close '" + out.temporary_path() + "'");
    out.commit();
}

bool concurrent_writers() {
    hbool_t safe = false;
    return H5is_library_threadsafe(&safe) >= 0 && safe;
}

BatchSummary read_batch_summary(const std::string& path) {
    if (!io::check_input(path, "summary", io::kNoLimit))
        throw InputError(path, 0, 0, "summary", "file does not exist");
    h5::QuietErrors quiet;
    const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file) throw InputError(path, 0, 0, "", "not a readable HDF5 file: " + h5::last_error());
    const hid_t root = file.get();
    if (h5::read_text_attribute(root, "khorgos_format") != kFormatName)
        throw InputError(path, 0, 0, "",
                         "not a khorgos batch summary (no khorgos_format attribute)");
    BatchSummary s;
    s.name = h5::read_text_attribute(root, "batch_name");
    s.batch_text = h5::read_text_attribute(root, "batch_text");
    s.program_version = h5::read_text_attribute(root, "program_version");
    s.git_commit = h5::read_text_attribute(root, "git_commit");
    s.seed = h5::read_uint_attribute(root, "batch_seed");
    s.replicates = static_cast<int>(h5::read_int_attribute(root, "replicates"));
    s.scale = h5::read_double_attribute(root, "scale");
    s.baseline = h5::read_text_attribute(root, "baseline");
    const auto dimensions = [](hid_t dataset) {
        std::vector<std::string> names;
        const auto rank = h5::extent(dataset).size();
        for (unsigned axis = 0; axis < rank; ++axis) {
            std::string name;
            H5DSiterate_scales(
                dataset, axis, nullptr,
                [](hid_t, unsigned, hid_t scale, void* out) -> herr_t {
                    char text[256] = {};
                    H5DSget_scale_name(scale, text, sizeof text);
                    *static_cast<std::string*>(out) = text;
                    return 1;
                },
                &name);
            names.push_back(name);
        }
        return names;
    };
    // Coordinates first, with the names of their bounds (format 3), which are
    // part of their coordinate and not summaries.
    std::set<std::string> bounds;
    for (const auto& name : h5::link_names(root)) {
        if (h5::is_group(root, name)) continue;
        const Handle d = h5::open_dataset(root, name);
        if (H5DSis_scale(d.get()) <= 0 || h5::is_bare_dimension(d.get())) continue;
        s.coordinates.push_back(h5::read_coordinate(root, name));
        bounds.insert(h5::read_text_attribute(d.get(), "bounds"));
    }
    for (const auto& name : h5::link_names(root)) {
        if (!h5::is_group(root, name)) continue;
        const Handle group = h5::open_group(root, name);
        for (const auto& v : h5::link_names(group.get())) {
            const Handle d = h5::open_dataset(group.get(), v);
            const Handle type = own(H5Dget_type(d.get()), H5Tclose, "cannot read type");
            // Coordinates and the observables' labels are not summaries.
            if (H5DSis_scale(d.get()) > 0 || H5Tget_class(type.get()) != H5T_FLOAT ||
                bounds.count(v))
                continue;
            Variable var;
            var.group = name;
            var.name = v;
            var.dims = dimensions(d.get());
            var.units = h5::read_text_attribute(d.get(), "units");
            var.long_name = h5::read_text_attribute(d.get(), "long_name");
            var.cell_methods = h5::read_text_attribute(d.get(), "cell_methods");
            var.values = h5::read_doubles(d.get());
            s.variables.push_back(std::move(var));
        }
        if (name == "observables" && h5::has_link(group.get(), "id")) {
            const auto read = [&](const char* field) {
                return h5::read_strings(h5::open_dataset(group.get(), field).get());
            };
            const auto ids = read("id"), periods = read("period"), units = read("units"),
                       definitions = read("definition");
            for (std::size_t i = 0; i < ids.size(); ++i)
                s.observables.push_back({ids[i], periods[i], 0, units[i], definitions[i]});
        }
    }
    return s;
}

} // namespace khorgos::output
