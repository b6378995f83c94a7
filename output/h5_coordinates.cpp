// Dimensions and coordinate variables in netCDF-C's and CF's forms (h5.hpp).
#include "output/h5.hpp"

#include "output/layout.hpp"

#include "sim/errors.hpp"

#include <H5DSpublic.h>

#include <cstdint>
#include <numeric>

namespace khorgos::output::h5 {

Handle write_bare_dimension(hid_t group, const std::string& name, hsize_t length, bool unlimited) {
    const hsize_t dims[1] = {length};
    const hsize_t max_dims[1] = {unlimited ? H5S_UNLIMITED : length};
    const Handle space =
        own(H5Screate_simple(1, dims, max_dims), H5Sclose, "cannot create dataspace");
    const Handle dcpl = dataset_creation_plist();
    if (unlimited) {
        const hsize_t chunk[1] = {layout::kEventChunk};
        check(H5Pset_chunk(dcpl.get(), 1, chunk), "cannot set chunks");
    }
    Handle dataset = own(H5Dcreate2(group, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                                    dcpl.get(), H5P_DEFAULT),
                         H5Dclose, "cannot create dimension '" + name + "'");
    check(H5DSset_scale(dataset.get(),
                        layout::dimension_without_variable(unlimited ? 0 : length).c_str()),
          "cannot make '" + name + "' a dimension");
    return dataset;
}

bool is_bare_dimension(hid_t dataset) {
    if (check(H5DSis_scale(dataset), "cannot inspect dataset") <= 0) return false;
    std::string marker = layout::dimension_without_variable(0);
    marker.resize(marker.size() - 10); // without the length
    std::string name(marker.size() + 1, '\0');
    if (H5DSget_scale_name(dataset, name.data(), name.size()) < 0) return false;
    return name.compare(0, marker.size(), marker) == 0;
}

namespace {

/// CF wants coordinate variables numeric and monotonic: the labels become an
/// auxiliary coordinate, and the dimension's own variable their position
/// (the event log's indices point at the same positions).
Handle write_labels(hid_t group, const Coordinate& c) {
    const hsize_t size[1] = {c.labels.size()};
    const Handle space =
        own(H5Screate_simple(1, size, nullptr), H5Sclose, "cannot create dataspace");
    const Handle dcpl = dataset_creation_plist();
    Handle dataset = own(H5Dcreate2(group, c.name.c_str(), H5T_STD_I32LE, space.get(), H5P_DEFAULT,
                                    dcpl.get(), H5P_DEFAULT),
                         H5Dclose, "cannot create dataset '" + c.name + "'");
    std::vector<std::int32_t> index(c.labels.size());
    std::iota(index.begin(), index.end(), 0);
    check(H5Dwrite(dataset.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, index.data()),
          "cannot write dataset '" + c.name + "'");
    const std::string what = c.long_name.empty() ? c.name : c.long_name;
    write_text_attribute(dataset.get(), "long_name", "index of " + what);
    check(H5DSset_scale(dataset.get(), c.name.c_str()), "cannot make '" + c.name + "' a dimension");
    const std::string name = c.name + layout::kLabelSuffix;
    const Handle labels = write_strings(group, name, c.labels);
    write_text_attribute(labels.get(), "long_name", what);
    if (!c.units.empty()) write_text_attribute(labels.get(), "units", c.units);
    check(H5DSattach_scale(labels.get(), dataset.get(), 0), "cannot attach '" + c.name + "'");
    return dataset;
}

} // namespace

std::string label_coordinates(const std::vector<std::string>& dims,
                              const std::vector<Coordinate>& coordinates) {
    std::string names;
    for (const auto& d : dims)
        for (const auto& c : coordinates)
            if (c.name == d && !c.labels.empty())
                names += (names.empty() ? "" : " ") + d + layout::kLabelSuffix;
    return names;
}

/// A coordinate variable: a dimension scale named like its dataset; labels go
/// in NAME_name as NC_STRING (netCDF-C 4.9 crashes reading fixed-length string
/// datasets). A time axis is stored in its CF form, with its bounds
/// NAME_bnds(NAME, nv).
Handle write_coordinate(hid_t group, const Coordinate& c) {
    const TimeCells& cells = c.time;
    const bool cf_time = !cells.values.empty();
    if (cf_time && (cells.values.size() != c.size() ||
                    (!cells.bounds.empty() && cells.bounds.size() != 2 * c.size())))
        throw RuntimeError("coordinate '" + c.name + "' has time cells of another size");
    if (!c.labels.empty()) return write_labels(group, c);
    Handle dataset = write_vector(group, c.name, cf_time ? cells.values : c.values);
    const std::string& long_name = cf_time ? cells.long_name : c.long_name;
    const std::string& units = cf_time ? cells.units : c.units;
    if (!long_name.empty()) write_text_attribute(dataset.get(), "long_name", long_name);
    if (!units.empty()) write_text_attribute(dataset.get(), "units", units);
    if (units.find(" since ") != std::string::npos) { // CF's time axis
        write_text_attribute(dataset.get(), "calendar", layout::kCalendar);
        write_text_attribute(dataset.get(), "standard_name", "time");
        write_text_attribute(dataset.get(), "axis", "T");
    }
    check(H5DSset_scale(dataset.get(), c.name.c_str()), "cannot make '" + c.name + "' a dimension");
    if (cf_time && !cells.bounds.empty()) {
        // CF: the bounds inherit units and calendar from their coordinate.
        const std::string name = c.name + layout::kBoundsSuffix;
        const Handle vertex = has_link(group, layout::kVertexDimension)
                                  ? open_dataset(group, layout::kVertexDimension)
                                  : write_bare_dimension(group, layout::kVertexDimension, 2, false);
        const Handle bounds = write_array(group, name, {c.size(), 2}, cells.bounds);
        check(H5DSattach_scale(bounds.get(), dataset.get(), 0), "cannot attach '" + c.name + "'");
        check(H5DSattach_scale(bounds.get(), vertex.get(), 1), "cannot attach 'nv'");
        write_text_attribute(dataset.get(), "bounds", name);
    }
    return dataset;
}

Coordinate read_coordinate(hid_t group, const std::string& name) {
    const Handle dataset = open_dataset(group, name);
    Coordinate c;
    c.name = name;
    c.long_name = read_text_attribute(dataset.get(), "long_name");
    c.units = read_text_attribute(dataset.get(), "units");
    const Handle type = own(H5Dget_type(dataset.get()), H5Tclose, "cannot read type");
    if (H5Tget_class(type.get()) == H5T_STRING) { // before format 4
        c.labels = read_strings(dataset.get());
        return c;
    }
    const std::string labels = name + layout::kLabelSuffix;
    if (H5Tget_class(type.get()) == H5T_INTEGER && has_link(group, labels)) {
        const Handle d = open_dataset(group, labels);
        c.labels = read_strings(d.get());
        c.long_name = read_text_attribute(d.get(), "long_name");
        c.units = read_text_attribute(d.get(), "units");
        if (c.labels.size() != extent(dataset.get()).at(0))
            throw RuntimeError("labels '" + labels + "' do not match coordinate '" + name + "'");
        return c;
    }
    c.values = read_doubles(dataset.get());
    const std::string bounds = read_text_attribute(dataset.get(), "bounds");
    if (!bounds.empty()) {
        c.time = {c.units, c.long_name, c.values, read_doubles(open_dataset(group, bounds).get())};
        if (c.time.bounds.size() != 2 * c.values.size())
            throw RuntimeError("bounds '" + bounds + "' do not match coordinate '" + name + "'");
    }
    return c;
}

} // namespace khorgos::output::h5
