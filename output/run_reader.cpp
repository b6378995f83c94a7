// Reading run files back: the inverse of run_writer.cpp, driven by the file's
// own structure (root coordinates, variable groups, dimension scales) so that
// it is as generic as the writer.
#include "io/input_file.hpp"
#include "output/h5.hpp"
#include "output/layout.hpp"
#include "output/run_file.hpp"
#include "sim/errors.hpp"

#include <H5DSpublic.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace khorgos::output {
namespace {

using h5::check;
using h5::Handle;
using h5::own;

/// Opens a file and checks it is a khorgos run file this reader understands.
Handle open_run_file(const std::string& path) {
    if (!io::check_input(path, "", io::kNoLimit))
        throw InputError(path, 0, 0, "", "file does not exist");
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file)
        throw InputError(path, 0, 0, "",
                         "not a readable HDF5 file (truncated or another format?): " +
                             h5::last_error());
    try {
        if (h5::read_text_attribute(file.get(), layout::kFormatAttribute) != layout::kFormatName)
            throw InputError(path, 0, 0, "",
                             "not a khorgos run file (no khorgos_format attribute)");
        const auto version = h5::read_int_attribute(file.get(), layout::kFormatVersionAttribute);
        if (version > layout::kFormatVersion)
            throw InputError(path, 0, 0, "",
                             "written in run file format " + std::to_string(version) +
                                 ", newer than this khorgos reads (" +
                                 std::to_string(layout::kFormatVersion) + ")");
    } catch (const RuntimeError& e) {
        throw InputError(path, 0, 0, "", std::string("not a khorgos run file: ") + e.what());
    }
    return file;
}

bool is_scale(hid_t dataset) {
    return check(H5DSis_scale(dataset), "cannot inspect dataset") > 0;
}

herr_t take_scale_name(hid_t /*dataset*/, unsigned /*axis*/, hid_t scale, void* name) {
    const ssize_t size = H5DSget_scale_name(scale, nullptr, 0);
    if (size < 0) return -1;
    auto& text = *static_cast<std::string*>(name);
    text.assign(static_cast<std::size_t>(size) + 1, '\0');
    if (H5DSget_scale_name(scale, text.data(), text.size()) < 0) return -1;
    text.resize(static_cast<std::size_t>(size));
    return 1; // one scale per axis: stop here
}

/// The dimension names of a variable, from the scales attached to its axes.
std::vector<std::string> dimension_names(hid_t dataset, const std::string& name) {
    std::vector<std::string> dims;
    const auto rank = h5::extent(dataset).size();
    for (unsigned axis = 0; axis < rank; ++axis) {
        if (check(H5DSget_num_scales(dataset, axis), "cannot read dimensions") != 1)
            throw RuntimeError("variable '" + name + "' axis " + std::to_string(axis) +
                               " has no single dimension scale");
        std::string dim;
        check(H5DSiterate_scales(dataset, axis, nullptr, take_scale_name, &dim),
              "cannot read dimensions of '" + name + "'");
        dims.push_back(std::move(dim));
    }
    return dims;
}

Variable read_variable(const std::string& group_name, const std::string& name, hid_t dataset,
                       const RunResult& result) {
    Variable v;
    v.group = group_name;
    v.name = name;
    v.dims = dimension_names(dataset, name);
    v.long_name = h5::read_text_attribute(dataset, "long_name");
    v.units = h5::read_text_attribute(dataset, "units");
    v.cell_methods = h5::read_text_attribute(dataset, "cell_methods");
    const auto extent = h5::extent(dataset);
    for (std::size_t axis = 0; axis < v.dims.size(); ++axis) {
        const Coordinate* c = result.coordinate(v.dims[axis]);
        if (!c || c->size() != extent[axis])
            throw RuntimeError("variable '" + group_name + "/" + name +
                               "' does not match coordinate '" + v.dims[axis] + "'");
    }
    v.values = h5::read_doubles(dataset);
    return v;
}

std::vector<Observable> read_observables(hid_t root) {
    const Handle group = h5::open_group(root, layout::kObservables);
    const auto strings = [&](const char* name) {
        return h5::read_strings(h5::open_dataset(group.get(), name).get());
    };
    const auto ids = strings("id");
    const auto periods = strings("period");
    const auto units = strings("units");
    const auto definitions = strings("definition");
    const auto values = h5::read_doubles(h5::open_dataset(group.get(), "value").get());
    const std::size_t n = ids.size();
    if (periods.size() != n || units.size() != n || definitions.size() != n || values.size() != n)
        throw RuntimeError("observables have columns of different lengths");
    std::vector<Observable> observables(n);
    for (std::size_t i = 0; i < n; ++i)
        observables[i] = {ids[i], periods[i], values[i], units[i], definitions[i]};
    return observables;
}

Provenance read_provenance(hid_t root) {
    Provenance p;
    p.program_version = h5::read_text_attribute(root, "program_version");
    p.git_commit = h5::read_text_attribute(root, "git_commit");
    p.command_line = h5::read_text_attribute(root, "command_line");
    p.scenario_path = h5::read_text_attribute(root, "scenario_path");
    p.scenario_text = h5::read_text_attribute(root, "scenario_text");
    p.seed = h5::read_uint_attribute(root, "seed");
    p.scale = h5::read_double_attribute(root, "scale");
    p.threads = static_cast<int>(h5::read_int_attribute(root, "threads"));
    p.start_time = h5::read_text_attribute(root, "start_time");
    p.end_time = h5::read_text_attribute(root, "end_time");
    const Handle group = h5::open_group(root, layout::kProvenance);
    const auto names = h5::read_coordinate(group.get(), layout::kParameterDimension).labels;
    const auto values =
        h5::read_doubles(h5::open_dataset(group.get(), layout::kParameterValue).get());
    if (names.size() != values.size())
        throw RuntimeError("parameters and their values differ in length");
    for (std::size_t i = 0; i < names.size(); ++i)
        p.parameters.emplace_back(names[i], values[i]);
    return p;
}

RunResult read_contents(hid_t root, Provenance* provenance,
                        const std::vector<std::string>* groups) {
    RunResult result;
    const auto names = h5::link_names(root);
    // Coordinates first: variables are checked against them. Bounds (format 3),
    // their vertex dimension and labels (format 4) are part of their coordinate.
    std::set<std::string> parts;
    for (const auto& name : names) {
        if (h5::is_group(root, name)) continue;
        const Handle dataset = h5::open_dataset(root, name);
        if (!is_scale(dataset.get()) || h5::is_bare_dimension(dataset.get())) continue;
        result.coordinates.push_back(h5::read_coordinate(root, name));
        parts.insert(h5::read_text_attribute(dataset.get(), "bounds"));
        parts.insert(name + layout::kLabelSuffix);
    }
    const std::set<std::string> special{layout::kObservables, layout::kEvents, layout::kProvenance};
    for (const auto& group_name : names) {
        if (!h5::is_group(root, group_name) || special.count(group_name)) continue;
        if (groups && std::find(groups->begin(), groups->end(), group_name) == groups->end())
            continue;
        const Handle group = h5::open_group(root, group_name);
        for (const auto& name : h5::link_names(group.get())) {
            const Handle dataset = h5::open_dataset(group.get(), name);
            // Scales in a variable group are the copies of root coordinates.
            if (is_scale(dataset.get()) || parts.count(name)) continue;
            result.variables.push_back(read_variable(group_name, name, dataset.get(), result));
        }
    }
    result.observables = read_observables(root);
    result.counters.events = h5::read_uint_attribute(root, "counter_events");
    result.counters.agents = h5::read_uint_attribute(root, "counter_agents");
    result.counters.person_days_away = h5::read_double_attribute(root, "counter_person_days_away");
    result.counters.seconds = h5::read_double_attribute(root, "counter_seconds");
    // Absent from files of earlier builds of format 1 (read as 0).
    if (h5::has_attribute(root, "counter_parallel_steps"))
        result.counters.parallel_steps = h5::read_uint_attribute(root, "counter_parallel_steps");
    if (provenance) *provenance = read_provenance(root);
    return result;
}

} // namespace

RunResult read_run(const std::string& path, Provenance* provenance,
                   const std::vector<std::string>* groups) {
    h5::QuietErrors quiet;
    const Handle file = open_run_file(path);
    try {
        return read_contents(file.get(), provenance, groups);
    } catch (const RuntimeError& e) {
        throw InputError(path, 0, 0, "", std::string("corrupt run file: ") + e.what());
    }
}

std::uint64_t read_events(const std::string& path,
                          const std::function<void(const AgentEvent*, std::size_t)>& sink,
                          std::size_t batch) {
    h5::QuietErrors quiet;
    const Handle file = open_run_file(path);
    const auto corrupt = [&](const RuntimeError& e) {
        return InputError(path, 0, 0, "", std::string("corrupt event log: ") + e.what());
    };
    std::array<Handle, layout::kEventColumns.size()> columns;
    hsize_t rows = 0;
    try {
        if (!h5::has_link(file.get(), layout::kEvents))
            throw InputError(path, 0, 0, "", "has no event log (run with --events)");
        const Handle group = h5::open_group(file.get(), layout::kEvents);
        for (std::size_t i = 0; i < columns.size(); ++i) {
            columns[i] = h5::open_dataset(group.get(), layout::kEventColumns[i].name);
            const auto extent = h5::extent(columns[i].get());
            if (extent.size() != 1 || (i > 0 && extent[0] != rows))
                throw RuntimeError("event columns differ in shape");
            rows = extent[0];
        }
    } catch (const RuntimeError& e) {
        throw corrupt(e);
    }
    batch = std::max<std::size_t>(batch, 1);
    std::vector<AgentEvent> events;
    std::vector<unsigned char> scratch;
    for (hsize_t start = 0; start < rows; start += batch) {
        const hsize_t count = std::min<hsize_t>(batch, rows - start);
        events.assign(count, AgentEvent{});
        try {
            const Handle memory =
                own(H5Screate_simple(1, &count, nullptr), H5Sclose, "cannot create dataspace");
            for (std::size_t i = 0; i < columns.size(); ++i) {
                const auto& column = layout::kEventColumns[i];
                const std::size_t size = layout::size_of(column.type);
                scratch.resize(count * size);
                const Handle space =
                    own(H5Dget_space(columns[i].get()), H5Sclose, "cannot read dataspace");
                check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &count,
                                          nullptr),
                      "cannot select event rows");
                check(H5Dread(columns[i].get(), layout::memory_type(column.type), memory.get(),
                              space.get(), H5P_DEFAULT, scratch.data()),
                      std::string("cannot read event column ") + column.name);
                for (hsize_t row = 0; row < count; ++row)
                    std::memcpy(reinterpret_cast<unsigned char*>(&events[row]) + column.offset,
                                scratch.data() + row * size, size);
            }
        } catch (const RuntimeError& e) {
            throw corrupt(e);
        }
        sink(events.data(), events.size());
    }
    return rows;
}

} // namespace khorgos::output
