#pragma once
// Thin RAII and helper layer over the HDF5 C API, private to output/. It owns
// every hid_t, turns HDF5 failures into RuntimeError carrying HDF5's own
// message, and writes attributes and strings the way netCDF-C expects them
// (see SCHEMA.md): fixed-length text attributes, variable-length UTF-8 string
// datasets, creation order tracked and indexed everywhere. Implemented in
// h5.cpp (handles, property lists, attributes, strings, plain datasets),
// h5_chunked.cpp (write_compressed) and h5_coordinates.cpp (dimensions and
// coordinate variables).
#include "sim/result.hpp"

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace khorgos::output::h5 {

/// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
  public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    Handle(Handle&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            closer_ = other.closer_;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    hid_t get() const { return id_; }
    explicit operator bool() const { return id_ >= 0; }
    /// Closes now; a failure to close is ignored, as in a destructor.
    void reset() {
        if (id_ >= 0) closer_(id_);
        id_ = H5I_INVALID_HID;
    }
    /// Closes now and throws if HDF5 reports an error (e.g. a failed final flush).
    void close(const std::string& what);

  private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

/// Stops HDF5 printing its error stack to stderr for the guard's lifetime:
/// failures surface as exceptions whose message quotes HDF5's innermost error.
class QuietErrors {
  public:
    QuietErrors();
    ~QuietErrors();
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

  private:
    H5E_auto2_t function_ = nullptr;
    void* data_ = nullptr;
};

/// The most specific message on HDF5's current error stack, or "" if empty.
std::string last_error();
/// Throws RuntimeError("what: <HDF5 message>").
[[noreturn]] void fail(const std::string& what);
/// Fails when an HDF5 call returned a negative status, size or count; passes it through otherwise.
template <typename T> T check(T status, const std::string& what) {
    if (status < 0) fail(what);
    return status;
}
/// Wraps a freshly opened identifier; throws RuntimeError if it is invalid.
Handle own(hid_t id, Handle::Closer closer, const std::string& what);

// Property lists with link and attribute creation order tracked and indexed,
// which netCDF-C needs to list a file's contents in the order they were written.
Handle file_creation_plist();
Handle file_access_plist();
Handle group_creation_plist();
Handle dataset_creation_plist();

Handle create_group(hid_t parent, const std::string& name);
Handle open_group(hid_t parent, const std::string& name);
Handle open_dataset(hid_t parent, const std::string& name);
bool has_link(hid_t parent, const std::string& name);

/// A variable-length UTF-8 string type (netCDF's NC_STRING).
Handle string_type();

// Attributes.
void write_text_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::int32_t value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
/// A 1-d attribute of the given HDF5 file type (e.g. CF flag_values), from native memory.
void write_array_attribute(hid_t object, const std::string& name, hid_t file_type,
                           hid_t memory_type, const void* values, std::size_t count);
bool has_attribute(hid_t object, const std::string& name);
/// A text attribute (fixed-length or variable-length string); "" when absent.
std::string read_text_attribute(hid_t object, const std::string& name);
/// A numeric attribute converted to T; throws RuntimeError when absent.
double read_double_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);
std::uint64_t read_uint_attribute(hid_t object, const std::string& name);

// Datasets.
/// The current extent of a dataset (empty for a scalar).
std::vector<hsize_t> extent(hid_t dataset);
/// A 1-d dataset of variable-length UTF-8 strings, contiguous (compression would
/// only compress the heap pointers).
Handle write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(hid_t dataset);
/// A 1-d double dataset, contiguous (coordinates and other small vectors).
Handle write_vector(hid_t group, const std::string& name, const std::vector<double>& values);
/// A contiguous double dataset of shape `dims` (none: a scalar), for what
/// cannot be chunked: scalars and arrays with an empty axis.
Handle write_array(hid_t group, const std::string& name, const std::vector<hsize_t>& dims,
                   const std::vector<double>& values);

/// A chunked dataset of doubles (row-major `values` of shape `dims`, at least
/// one axis, no axis empty), stored shuffled and deflated (zlib's run-length
/// strategy; `level` 0 stores the chunks, any other level is recorded in the
/// filter's parameters but compresses the same). The
/// chunks are compressed in the calling thread and handed to HDF5 whole
/// (H5Dwrite_chunk): a thread-safe HDF5 runs one call at a time in the whole
/// process, so compressing inside H5Dwrite would make the concurrent runs of a
/// batch wait for each other. Readers see an ordinary shuffle+deflate dataset.
Handle write_compressed(hid_t group, const std::string& name, const std::vector<hsize_t>& dims,
                        const std::vector<hsize_t>& chunk, const std::vector<double>& values,
                        int level);
/// A dimension without coordinate values, in netCDF-C's own form: an empty
/// float dataset whose scale NAME is netCDF's marker text.
Handle write_bare_dimension(hid_t group, const std::string& name, hsize_t length, bool unlimited);
/// Whether a dataset is such a dimension (not a coordinate variable).
bool is_bare_dimension(hid_t dataset);
/// A coordinate variable: a dimension scale named like its dataset, with
/// long_name, units and (for "... since ..." units) the calendar and CF time
/// axis attributes; a Coordinate with TimeCells is stored in that form, with
/// its bounds "NAME_bnds(NAME, nv)". A Coordinate with labels is stored CF's
/// way: NAME holds the int32 indices 0..n-1 and the labels go in the
/// auxiliary coordinate "NAME_name(NAME)", with the long_name and units.
Handle write_coordinate(hid_t group, const Coordinate& c);
/// The `coordinates` attribute of a variable over `dims`: the auxiliary label
/// coordinate of each dimension that has labels ("" if none has).
std::string label_coordinates(const std::vector<std::string>& dims,
                              const std::vector<Coordinate>& coordinates);
/// The inverse of write_coordinate: a coordinate as stored (its TimeCells the
/// same as its values when the file has its bounds); labels are read from
/// NAME_name, or from NAME itself in files before format 4 (strings).
Coordinate read_coordinate(hid_t group, const std::string& name);
/// The whole dataset converted to double.
std::vector<double> read_doubles(hid_t dataset);

/// Names of the links in a group, in creation order.
std::vector<std::string> link_names(hid_t group);
bool is_group(hid_t parent, const std::string& name);

} // namespace khorgos::output::h5
