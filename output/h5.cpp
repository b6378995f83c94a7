#include "output/h5.hpp"

#include "sim/errors.hpp"

#include <algorithm>
#include <cstdint>

namespace khorgos::output::h5 {

void Handle::close(const std::string& what) {
    if (id_ < 0) return;
    const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
    check(status, what);
}

QuietErrors::QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
    H5Eset_auto2(H5E_DEFAULT, function_, data_);
}

namespace {

herr_t collect_error(unsigned /*depth*/, const H5E_error2_t* error, void* messages) {
    if (error->desc && *error->desc)
        static_cast<std::vector<std::string>*>(messages)->emplace_back(error->desc);
    return 0;
}

bool is_ascii(const std::string& text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

std::string last_error() {
    std::vector<std::string> messages;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &messages);
    H5Eclear2(H5E_DEFAULT);
    // Walking downward ends at the innermost frame, which names the actual
    // cause (a file name and errno, a missing object) rather than the API call.
    return messages.empty() ? std::string("unknown HDF5 error") : messages.back();
}

void fail(const std::string& what) {
    throw RuntimeError(what + ": " + last_error());
}

Handle own(hid_t id, Handle::Closer closer, const std::string& what) {
    if (id < 0) fail(what);
    return Handle(id, closer);
}

namespace {

constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

Handle plist(hid_t cls) {
    return own(H5Pcreate(cls), H5Pclose, "cannot create property list");
}

// Object modification times would make two identical runs differ byte for
// byte; netCDF-C turns them off for the same reason.
void untimed(hid_t creation_plist) {
    check(H5Pset_obj_track_times(creation_plist, false), "cannot configure object times");
}

} // namespace

Handle file_creation_plist() {
    Handle p = plist(H5P_FILE_CREATE);
    check(H5Pset_link_creation_order(p.get(), kCreationOrder), "cannot track link order");
    check(H5Pset_attr_creation_order(p.get(), kCreationOrder), "cannot track attribute order");
    untimed(p.get());
    return p;
}

Handle file_access_plist() {
    Handle p = plist(H5P_FILE_ACCESS);
    // The 1.8 object format is what creation-order indexes and large (dense)
    // attributes such as the scenario text need, and the newest that HDF5 1.8
    // readers, netCDF-C and h5py builds of any age all understand.
    check(H5Pset_libver_bounds(p.get(), H5F_LIBVER_V18, H5F_LIBVER_V18),
          "cannot set file format bounds");
    // SEMI makes H5Fclose fail while an object is still open instead of
    // silently deferring the close, so commit() never renames a file whose
    // last writes are still pending.
    check(H5Pset_fclose_degree(p.get(), H5F_CLOSE_SEMI), "cannot set close degree");
    return p;
}

Handle group_creation_plist() {
    Handle p = plist(H5P_GROUP_CREATE);
    check(H5Pset_link_creation_order(p.get(), kCreationOrder), "cannot track link order");
    check(H5Pset_attr_creation_order(p.get(), kCreationOrder), "cannot track attribute order");
    untimed(p.get());
    return p;
}

Handle dataset_creation_plist() {
    Handle p = plist(H5P_DATASET_CREATE);
    check(H5Pset_attr_creation_order(p.get(), kCreationOrder), "cannot track attribute order");
    untimed(p.get());
    return p;
}

Handle create_group(hid_t parent, const std::string& name) {
    const Handle gcpl = group_creation_plist();
    return own(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
               "cannot create group '" + name + "'");
}

Handle open_group(hid_t parent, const std::string& name) {
    return own(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose,
               "cannot open group '" + name + "'");
}

Handle open_dataset(hid_t parent, const std::string& name) {
    return own(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose,
               "cannot open dataset '" + name + "'");
}

bool has_link(hid_t parent, const std::string& name) {
    return check(H5Lexists(parent, name.c_str(), H5P_DEFAULT), "cannot look up '" + name + "'") > 0;
}

Handle string_type() {
    Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create string type");
    check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot create string type");
    check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot create string type");
    return type;
}

void write_text_attribute(hid_t object, const std::string& name, const std::string& value) {
    // netCDF-C's own layout for NC_CHAR attributes: a scalar fixed-length
    // string of exactly the text's length, and an empty text as a null
    // dataspace (HDF5 has no zero-length string type).
    Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create string type");
    check(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)),
          "cannot size string type");
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "cannot set string padding");
    check(H5Tset_cset(type.get(), is_ascii(value) ? H5T_CSET_ASCII : H5T_CSET_UTF8),
          "cannot set character set");
    const Handle space =
        own(H5Screate(value.empty() ? H5S_NULL : H5S_SCALAR), H5Sclose, "cannot create dataspace");
    const Handle attribute =
        own(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
            H5Aclose, "cannot create attribute '" + name + "'");
    if (!value.empty())
        check(H5Awrite(attribute.get(), type.get(), value.data()),
              "cannot write attribute '" + name + "'");
}

void write_array_attribute(hid_t object, const std::string& name, hid_t file_type,
                           hid_t memory_type, const void* values, std::size_t count) {
    const hsize_t dims[1] = {count};
    const Handle space =
        own(H5Screate_simple(1, dims, nullptr), H5Sclose, "cannot create dataspace");
    const Handle attribute =
        own(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            H5Aclose, "cannot create attribute '" + name + "'");
    check(H5Awrite(attribute.get(), memory_type, values), "cannot write attribute '" + name + "'");
}

namespace {

void write_scalar_attribute(hid_t object, const std::string& name, hid_t file_type,
                            hid_t memory_type, const void* value) {
    const Handle space = own(H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace");
    const Handle attribute =
        own(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            H5Aclose, "cannot create attribute '" + name + "'");
    check(H5Awrite(attribute.get(), memory_type, value), "cannot write attribute '" + name + "'");
}

Handle open_attribute(hid_t object, const std::string& name) {
    return own(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose,
               "cannot open attribute '" + name + "'");
}

template <typename T> T read_numeric_attribute(hid_t object, const std::string& name, hid_t type) {
    const Handle attribute = open_attribute(object, name);
    const Handle space = own(H5Aget_space(attribute.get()), H5Sclose, "cannot read dataspace");
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        throw RuntimeError("attribute '" + name + "' is not a single number");
    T value{};
    check(H5Aread(attribute.get(), type, &value), "cannot read attribute '" + name + "'");
    return value;
}

} // namespace

void write_attribute(hid_t object, const std::string& name, double value) {
    write_scalar_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_attribute(hid_t object, const std::string& name, std::int32_t value) {
    write_scalar_attribute(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
    write_scalar_attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

bool has_attribute(hid_t object, const std::string& name) {
    return check(H5Aexists(object, name.c_str()), "cannot look up attribute '" + name + "'") > 0;
}

std::string read_text_attribute(hid_t object, const std::string& name) {
    if (!has_attribute(object, name)) return {};
    const Handle attribute = open_attribute(object, name);
    const Handle type = own(H5Aget_type(attribute.get()), H5Tclose, "cannot read type");
    if (H5Tget_class(type.get()) != H5T_STRING)
        throw RuntimeError("attribute '" + name + "' is not text");
    const Handle space = own(H5Aget_space(attribute.get()), H5Sclose, "cannot read dataspace");
    if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) return {};
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        throw RuntimeError("attribute '" + name + "' is not a single text");
    if (check(H5Tis_variable_str(type.get()), "cannot read type") > 0) {
        char* text = nullptr;
        const Handle memory = string_type();
        check(H5Aread(attribute.get(), memory.get(), &text),
              "cannot read attribute '" + name + "'");
        std::string value = text ? text : "";
        H5free_memory(text);
        return value;
    }
    std::string value(H5Tget_size(type.get()), '\0');
    check(H5Aread(attribute.get(), type.get(), value.data()),
          "cannot read attribute '" + name + "'");
    value.erase(std::find(value.begin(), value.end(), '\0'), value.end());
    return value;
}

double read_double_attribute(hid_t object, const std::string& name) {
    return read_numeric_attribute<double>(object, name, H5T_NATIVE_DOUBLE);
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
    return read_numeric_attribute<std::int64_t>(object, name, H5T_NATIVE_INT64);
}

std::uint64_t read_uint_attribute(hid_t object, const std::string& name) {
    return read_numeric_attribute<std::uint64_t>(object, name, H5T_NATIVE_UINT64);
}

std::vector<hsize_t> extent(hid_t dataset) {
    const Handle space = own(H5Dget_space(dataset), H5Sclose, "cannot read dataspace");
    const int rank = check(H5Sget_simple_extent_ndims(space.get()), "cannot read dataspace");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "cannot read dataspace");
    return dims;
}

Handle write_strings(hid_t parent, const std::string& name,
                     const std::vector<std::string>& values) {
    const hsize_t dims[1] = {values.size()};
    const Handle space =
        own(H5Screate_simple(1, dims, nullptr), H5Sclose, "cannot create dataspace");
    const Handle type = string_type();
    const Handle dcpl = dataset_creation_plist();
    Handle dataset = own(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                    dcpl.get(), H5P_DEFAULT),
                         H5Dclose, "cannot create dataset '" + name + "'");
    if (!values.empty()) {
        std::vector<const char*> pointers;
        pointers.reserve(values.size());
        for (const auto& v : values)
            pointers.push_back(v.c_str());
        // A conversion buffer sized to the strings (up to HDF5's default of
        // 1 MiB): the default is a fresh 1 MiB calloc (and another for the
        // background) per write, whose zeroing and page faults cost more
        // than the rest of a small file.
        const Handle transfer =
            own(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "cannot create transfer list");
        check(H5Pset_buffer(transfer.get(), std::min<std::size_t>(64 * values.size(), 1 << 20),
                            nullptr, nullptr),
              "cannot size the conversion buffer");
        check(
            H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, transfer.get(), pointers.data()),
            "cannot write dataset '" + name + "'");
    }
    return dataset;
}

std::vector<std::string> read_strings(hid_t dataset) {
    const Handle file_type = own(H5Dget_type(dataset), H5Tclose, "cannot read type");
    if (H5Tget_class(file_type.get()) != H5T_STRING ||
        check(H5Tis_variable_str(file_type.get()), "cannot read type") <= 0)
        throw RuntimeError("dataset is not a variable-length string array");
    const Handle space = own(H5Dget_space(dataset), H5Sclose, "cannot read dataspace");
    const auto count = static_cast<std::size_t>(
        check(H5Sget_simple_extent_npoints(space.get()), "cannot read dataspace"));
    std::vector<std::string> values;
    if (count == 0) return values;
    std::vector<char*> pointers(count, nullptr);
    const Handle type = string_type();
    check(H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
          "cannot read strings");
    values.reserve(count);
    for (const char* p : pointers)
        values.emplace_back(p ? p : "");
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
#else
    // HDF5 1.10.8 declares H5Treclaim but does not export it.
    H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
#endif
    return values;
}

std::vector<double> read_doubles(hid_t dataset) {
    const Handle space = own(H5Dget_space(dataset), H5Sclose, "cannot read dataspace");
    const auto count = static_cast<std::size_t>(
        check(H5Sget_simple_extent_npoints(space.get()), "cannot read dataspace"));
    std::vector<double> values(count);
    if (count > 0)
        check(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              "cannot read numbers");
    return values;
}

std::vector<std::string> link_names(hid_t group) {
    H5G_info_t info;
    check(H5Gget_info(group, &info), "cannot list group");
    std::vector<std::string> names;
    names.reserve(info.nlinks);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const auto size = static_cast<std::size_t>(
            check(H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0,
                                     H5P_DEFAULT),
                  "cannot list group"));
        std::string name(size + 1, '\0');
        check(H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(),
                                 name.size(), H5P_DEFAULT),
              "cannot list group");
        name.resize(size);
        names.push_back(std::move(name));
    }
    return names;
}

bool is_group(hid_t parent, const std::string& name) {
    const Handle object = own(H5Oopen(parent, name.c_str(), H5P_DEFAULT), H5Oclose,
                              "cannot open object '" + name + "'");
    return H5Iget_type(object.get()) == H5I_GROUP;
}

/// A 1-d double dataset, contiguous (coordinates and other small vectors).
Handle write_vector(hid_t group, const std::string& name, const std::vector<double>& values) {
    return write_array(group, name, {values.size()}, values);
}

Handle write_array(hid_t group, const std::string& name, const std::vector<hsize_t>& dims,
                   const std::vector<double>& values) {
    const Handle space =
        own(dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            H5Sclose, "cannot create dataspace");
    const Handle dcpl = dataset_creation_plist();
    Handle dataset = own(H5Dcreate2(group, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                    dcpl.get(), H5P_DEFAULT),
                         H5Dclose, "cannot create dataset '" + name + "'");
    if (!values.empty())
        check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       values.data()),
              "cannot write dataset '" + name + "'");
    return dataset;
}

} // namespace khorgos::output::h5
