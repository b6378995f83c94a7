// Writing run files: the layout of SCHEMA.md, the streamed event log and the
// temporary-file-then-rename protocol.
#include "io/output_file.hpp"
#include "output/h5.hpp"
#include "output/layout.hpp"
#include "output/run_file.hpp"
#include "sim/errors.hpp"
#include "sim/types.hpp"

#include <H5DSpublic.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <ctime>
#include <limits>
#include <map>
#include <set>

namespace khorgos::output {

namespace {
// After a failed write (a full disk, a file size limit) HDF5 1.10 can keep the
// file's id open, and its exit handler then crashes closing it. khorgos closes
// every file it completes itself and deletes the rest, so it asks HDF5 not to
// install that handler; this must run before any other HDF5 call.
[[maybe_unused]] const bool kNoHdf5ExitHandler = (H5dont_atexit(), true);
} // namespace
namespace {

using h5::check;
using h5::Handle;
using h5::own;
using h5::write_bare_dimension;
using h5::write_coordinate;
using h5::write_vector;

// Level 1, the fastest that compresses: every run of a batch pays this, so
// speed wins over the last percent (level 4 wrote 14% less in twice the time).
// The series are deflated with zlib's run-length strategy whatever the level
// (h5::write_compressed); the event log, with the level's default strategy.
constexpr int kDeflateLevel = 1;

/// Chunks hold a long stretch of the outermost axis (time or year) of a single
/// series, so reading one series over all time touches few chunks; inner axes
/// are folded in while a chunk stays under 64 KiB, so short yearly tables are
/// one chunk rather than hundreds of tiny ones.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims) {
    constexpr hsize_t kMaxOuter = hsize_t{1} << 17; // 1 MiB of doubles
    constexpr hsize_t kFoldBytes = 64 * 1024;
    std::vector<hsize_t> chunk(dims.size(), 1);
    chunk[0] = std::min(dims[0], kMaxOuter);
    hsize_t bytes = chunk[0] * sizeof(double);
    for (std::size_t i = dims.size(); i-- > 1;) {
        if (bytes * dims[i] > kFoldBytes) break;
        chunk[i] = dims[i];
        bytes *= dims[i];
    }
    return chunk;
}

/// The event log's columns (appended chunk by chunk, so compressed by HDF5 itself).
void compress(hid_t dcpl, const std::vector<hsize_t>& chunk) {
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "cannot set chunks");
    check(H5Pset_shuffle(dcpl), "cannot enable shuffle");
    check(H5Pset_deflate(dcpl, kDeflateLevel), "cannot enable deflate");
}

void set_text(hid_t object, const std::string& name, const std::string& value) {
    if (!value.empty()) h5::write_text_attribute(object, name, value);
}

void attach(hid_t dataset, hid_t scale, unsigned axis, const std::string& what) {
    check(H5DSattach_scale(dataset, scale, axis), "cannot attach a dimension to '" + what + "'");
}

bool ends_with(const std::string& name, const std::string& suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The names the writer adds beside coordinates: time bounds and their vertex
/// dimension (NAME_bnds, nv), and label coordinates (NAME_name).
bool is_reserved_name(const std::string& name) {
    return name == layout::kVertexDimension || ends_with(name, layout::kBoundsSuffix) ||
           ends_with(name, layout::kLabelSuffix);
}

std::map<std::string, const Coordinate*> validate(const RunResult& result) {
    const auto fail = [](const std::string& message) {
        throw RuntimeError("run result: " + message);
    };
    // HDF5 link names cannot contain '/', and "." names the group itself.
    const auto require_name = [&](const std::string& name, const std::string& what) {
        if (name.empty() || name == "." || name.find('/') != std::string::npos)
            fail(what + " '" + name + "' is not a valid name");
    };
    const std::set<std::string> reserved{layout::kObservables, layout::kEvents,
                                         layout::kProvenance};
    std::map<std::string, const Coordinate*> coordinates;
    for (const auto& c : result.coordinates) {
        require_name(c.name, "coordinate");
        if (reserved.count(c.name) || is_reserved_name(c.name))
            fail("coordinate '" + c.name + "' has a reserved name");
        if (!coordinates.emplace(c.name, &c).second)
            fail("coordinate '" + c.name + "' appears twice");
        if (!c.labels.empty() && !c.values.empty())
            fail("coordinate '" + c.name + "' has both labels and values");
    }
    std::set<std::string> variables;
    for (const auto& v : result.variables) {
        const std::string path = v.group + "/" + v.name;
        require_name(v.group, "group of variable '" + v.name + "'");
        require_name(v.name, "variable");
        if (reserved.count(v.group) || coordinates.count(v.group))
            fail("variable '" + path + "' is in a group with a reserved or coordinate name");
        // Each group holds copies of the coordinates its variables use.
        if (coordinates.count(v.name)) fail("variable '" + path + "' has a coordinate's name");
        if (is_reserved_name(v.name)) fail("variable '" + path + "' has a reserved name");
        if (!variables.insert(path).second) fail("variable '" + path + "' appears twice");
        std::set<std::string> dims;
        std::size_t size = 1;
        for (const auto& d : v.dims) {
            const auto it = coordinates.find(d);
            if (it == coordinates.end())
                fail("variable '" + path + "' is over unknown coordinate '" + d + "'");
            if (!dims.insert(d).second)
                fail("variable '" + path + "' repeats dimension '" + d + "'");
            size *= it->second->size();
        }
        if (v.values.size() != size)
            fail("variable '" + path + "' has " + std::to_string(v.values.size()) +
                 " values, its dimensions make " + std::to_string(size));
    }
    return coordinates;
}

void write_variable(hid_t group, const Variable& v, const RunResult& result,
                    const std::map<std::string, const Coordinate*>& coordinates,
                    const std::map<std::string, Handle>& scales) {
    std::vector<hsize_t> dims;
    for (const auto& d : v.dims)
        dims.push_back(coordinates.at(d)->size());
    // Scalars cannot be chunked, and chunks of an empty axis are not allowed.
    const Handle dataset =
        !v.values.empty() && !dims.empty()
            ? h5::write_compressed(group, v.name, dims, chunk_shape(dims), v.values, kDeflateLevel)
            : h5::write_array(group, v.name, dims, v.values);
    set_text(dataset.get(), "long_name", v.long_name);
    set_text(dataset.get(), "units", v.units);
    set_text(dataset.get(), "cell_methods", v.cell_methods);
    set_text(dataset.get(), "coordinates", h5::label_coordinates(v.dims, result.coordinates));
    for (std::size_t axis = 0; axis < v.dims.size(); ++axis)
        attach(dataset.get(), scales.at(v.dims[axis]).get(), static_cast<unsigned>(axis), v.name);
}

/// One group per Variable::group, in order of first appearance, each with
/// copies of the coordinates it uses so that opening the group alone (as
/// xarray.open_dataset(path, group=...) does) gives labelled arrays.
void write_variable_groups(hid_t root, const RunResult& result,
                           const std::map<std::string, const Coordinate*>& coordinates) {
    std::vector<std::string> groups;
    for (const auto& v : result.variables)
        if (std::find(groups.begin(), groups.end(), v.group) == groups.end())
            groups.push_back(v.group);
    for (const auto& name : groups) {
        const Handle group = h5::create_group(root, name);
        std::set<std::string> used;
        for (const auto& v : result.variables)
            if (v.group == name) used.insert(v.dims.begin(), v.dims.end());
        std::map<std::string, Handle> scales;
        for (const auto& c : result.coordinates)
            if (used.count(c.name)) scales.emplace(c.name, write_coordinate(group.get(), c));
        for (const auto& v : result.variables)
            if (v.group == name) write_variable(group.get(), v, result, coordinates, scales);
    }
}

void write_observables(hid_t root, const std::vector<Observable>& observables) {
    const Handle group = h5::create_group(root, layout::kObservables);
    const Handle dimension =
        write_bare_dimension(group.get(), layout::kObservableDimension, observables.size(), false);
    const auto strings = [&](const char* name, const char* long_name, auto field) {
        std::vector<std::string> values;
        for (const auto& o : observables)
            values.push_back(o.*field);
        const Handle dataset = h5::write_strings(group.get(), name, values);
        h5::write_text_attribute(dataset.get(), "long_name", long_name);
        attach(dataset.get(), dimension.get(), 0, name);
    };
    strings("id", "observable id, as in calibration/targets", &Observable::id);
    strings("period", "year, or ISO 8601 interval start/end", &Observable::period);
    std::vector<double> values;
    for (const auto& o : observables)
        values.push_back(o.value);
    const Handle value = write_vector(group.get(), "value", values);
    h5::write_text_attribute(value.get(), "long_name", "model value of the observable");
    // CF auxiliary coordinates: xarray attaches id and period to each value.
    h5::write_text_attribute(value.get(), "coordinates", "id period");
    attach(value.get(), dimension.get(), 0, "value");
    strings("units", "units of value", &Observable::units);
    strings("definition", "definition of the official statistic mirrored", &Observable::definition);
}

void write_global_attributes(hid_t root, const Provenance& p, const RunCounters& counters) {
    h5::write_text_attribute(root, "Conventions", "CF-1.8");
    h5::write_text_attribute(
        root, "title",
        "khorgos run" + (p.scenario_path.empty() ? std::string() : " of " + p.scenario_path));
    h5::write_text_attribute(root, "source",
                             "khorgos " + p.program_version +
                                 (p.git_commit.empty() ? "" : " (git " + p.git_commit + ")"));
    // CF history: when, then what was run.
    const std::string separator = p.start_time.empty() || p.command_line.empty() ? "" : " ";
    set_text(root, "history", p.start_time + separator + p.command_line);
    h5::write_text_attribute(root, layout::kFormatAttribute, layout::kFormatName);
    h5::write_attribute(root, layout::kFormatVersionAttribute,
                        std::int32_t{layout::kFormatVersion});
    h5::write_text_attribute(root, "program_version", p.program_version);
    h5::write_text_attribute(root, "git_commit", p.git_commit);
    h5::write_text_attribute(root, "command_line", p.command_line);
    h5::write_text_attribute(root, "scenario_path", p.scenario_path);
    h5::write_text_attribute(root, "scenario_text", p.scenario_text);
    // uint64 attributes also as text: R's ncdf4 reads them as doubles (rounded)
    // and hdf5r as int64 (clamped), so a seed above 2^53 is recoverable only so.
    const auto uint64 = [root](const std::string& name, std::uint64_t value) {
        h5::write_attribute(root, name, value);
        h5::write_text_attribute(root, name + "_text", std::to_string(value));
    };
    uint64("seed", p.seed);
    h5::write_attribute(root, "scale", p.scale);
    h5::write_attribute(root, "threads", std::int32_t{p.threads});
    h5::write_text_attribute(root, "start_time", p.start_time);
    h5::write_text_attribute(root, "end_time", p.end_time);
    uint64("counter_events", counters.events);
    uint64("counter_agents", counters.agents);
    h5::write_attribute(root, "counter_person_days_away", counters.person_days_away);
    h5::write_attribute(root, "counter_seconds", counters.seconds);
    uint64("counter_parallel_steps", counters.parallel_steps);
}

void write_parameters(hid_t root, const Provenance& p) {
    const Handle group = h5::create_group(root, layout::kProvenance);
    Coordinate parameter;
    parameter.name = layout::kParameterDimension;
    parameter.long_name = "model parameter";
    std::vector<double> values;
    for (const auto& [name, value] : p.parameters) {
        parameter.labels.push_back(name);
        values.push_back(value);
    }
    const Handle scale = write_coordinate(group.get(), parameter);
    const Handle value = write_vector(group.get(), layout::kParameterValue, values);
    h5::write_text_attribute(value.get(), "long_name", "resolved value of the model parameter");
    set_text(value.get(), "coordinates", h5::label_coordinates({parameter.name}, {parameter}));
    attach(value.get(), scale.get(), 0, layout::kParameterValue);
}

/// The labels an event column indexes: the run's coordinate, or for the fixed
/// vocabularies the engine's own names when the run did not provide them.
Coordinate labels_for(const RunResult& result, const std::string& name) {
    if (const Coordinate* c = result.coordinate(name)) return *c;
    Coordinate c;
    c.name = name;
    const auto take = [&](const auto& names) { c.labels.assign(names.begin(), names.end()); };
    if (name == "agent_type") take(kAgentTypeNames);
    if (name == "ethnicity") take(kEthnicityNames);
    if (name == "event_kind") take(kEventKindNames);
    return c;
}

/// CF flag_meanings words may hold only alphanumerics and "_-.+@"; a label
/// with nothing of those (e.g. in Cyrillic) becomes "<coordinate>_<index>".
std::string flag_word(const std::string& label, const std::string& coordinate, std::size_t index) {
    const auto is_alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (std::none_of(label.begin(), label.end(), is_alnum))
        return coordinate + "_" + std::to_string(index);
    std::string word = label;
    for (char& c : word)
        if (!is_alnum(c) && !std::strchr("_-.+@", c)) c = '_';
    return word;
}

} // namespace

/// The event log: rows buffered in memory up to one chunk, then appended to
/// the 1-d column datasets of /events, which share the unlimited dimension.
class EventLog final : public EventRecorder {
  public:
    explicit EventLog(hid_t file) : group_(h5::create_group(file, layout::kEvents)) {
        dimension_ = write_bare_dimension(group_.get(), layout::kEventDimension, 0, true);
        const hsize_t dims[1] = {0};
        const hsize_t max_dims[1] = {H5S_UNLIMITED};
        const hsize_t chunk[1] = {layout::kEventChunk};
        const Handle space =
            own(H5Screate_simple(1, dims, max_dims), H5Sclose, "cannot create dataspace");
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            const auto& column = layout::kEventColumns[i];
            const Handle dcpl = h5::dataset_creation_plist();
            compress(dcpl.get(), {chunk[0]});
            columns_[i] = own(H5Dcreate2(group_.get(), column.name, layout::file_type(column.type),
                                         space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                              H5Dclose, std::string("cannot create event column ") + column.name);
            h5::write_text_attribute(columns_[i].get(), "long_name", column.long_name);
            attach(columns_[i].get(), dimension_.get(), 0, column.name);
        }
        h5::write_text_attribute(columns_[0].get(), "units", layout::kDayUnits);
        h5::write_text_attribute(columns_[0].get(), "calendar", layout::kCalendar);
        buffer_.reserve(layout::kEventChunk);
    }

    void record(const AgentEvent* events, std::size_t count) override {
        if (closed_) throw RuntimeError("event log: record() after commit or a failed write");
        while (count > 0) {
            const std::size_t n = std::min(count, layout::kEventChunk - buffer_.size());
            buffer_.insert(buffer_.end(), events, events + n);
            events += n;
            count -= n;
            if (buffer_.size() == layout::kEventChunk) flush();
        }
    }

    /// Labels the index columns with CF flags once the run's coordinates are
    /// known; the exact labels are the root coordinates the columns are named after.
    void describe(const RunResult& result) {
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            const auto& column = layout::kEventColumns[i];
            if (!column.labels) continue;
            const Coordinate labels = labels_for(result, column.labels);
            if (!labels.labels.empty()) write_flags(columns_[i].get(), column, labels);
        }
    }

    /// Writes the buffered rows and closes the datasets; the log accepts no more rows.
    void close() {
        flush();
        closed_ = true;
        for (auto& column : columns_)
            column.close("cannot close event column");
        dimension_.close("cannot close event dimension");
        group_.close("cannot close event group");
    }

  private:
    void flush() {
        if (buffer_.empty()) return;
        // A failed append leaves the columns of unequal length: refuse more rows.
        closed_ = true;
        h5::QuietErrors quiet;
        const hsize_t start[1] = {rows_};
        const hsize_t count[1] = {buffer_.size()};
        const hsize_t total[1] = {rows_ + buffer_.size()};
        check(H5Dset_extent(dimension_.get(), total), "cannot extend the event log");
        const Handle memory =
            own(H5Screate_simple(1, count, nullptr), H5Sclose, "cannot create dataspace");
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            const auto& column = layout::kEventColumns[i];
            const std::size_t size = layout::size_of(column.type);
            scratch_.resize(buffer_.size() * size);
            for (std::size_t row = 0; row < buffer_.size(); ++row)
                std::memcpy(scratch_.data() + row * size,
                            reinterpret_cast<const unsigned char*>(&buffer_[row]) + column.offset,
                            size);
            const hid_t dataset = columns_[i].get();
            check(H5Dset_extent(dataset, total), "cannot extend the event log");
            const Handle file_space =
                own(H5Dget_space(dataset), H5Sclose, "cannot read event log dataspace");
            check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count,
                                      nullptr),
                  "cannot select event rows");
            check(H5Dwrite(dataset, layout::memory_type(column.type), memory.get(),
                           file_space.get(), H5P_DEFAULT, scratch_.data()),
                  std::string("cannot write event column ") + column.name);
        }
        rows_ = total[0];
        buffer_.clear();
        closed_ = false;
    }

    static void write_flags(hid_t dataset, const layout::EventColumn& column,
                            const Coordinate& coordinate) {
        const auto& labels = coordinate.labels;
        const bool with_none =
            column.type == layout::Scalar::i8 || column.type == layout::Scalar::i16;
        const std::int64_t limit =
            column.type == layout::Scalar::i8    ? std::numeric_limits<std::int8_t>::max()
            : column.type == layout::Scalar::i16 ? std::numeric_limits<std::int16_t>::max()
                                                 : std::numeric_limits<std::uint8_t>::max();
        if (static_cast<std::int64_t>(labels.size()) - 1 > limit)
            throw RuntimeError(std::string("event column ") + column.name + " cannot index " +
                               std::to_string(labels.size()) + " labels");
        std::vector<std::int64_t> values;
        std::string meanings;
        if (with_none) {
            values.push_back(-1);
            meanings = "none";
        }
        for (std::size_t i = 0; i < labels.size(); ++i) {
            values.push_back(static_cast<std::int64_t>(i));
            meanings += (meanings.empty() ? "" : " ") + flag_word(labels[i], coordinate.name, i);
        }
        h5::write_array_attribute(dataset, "flag_values", layout::file_type(column.type),
                                  H5T_NATIVE_INT64, values.data(), values.size());
        h5::write_text_attribute(dataset, "flag_meanings", meanings);
    }

    Handle group_;
    Handle dimension_;
    std::array<Handle, layout::kEventColumns.size()> columns_;
    std::vector<AgentEvent> buffer_;
    std::vector<unsigned char> scratch_;
    hsize_t rows_ = 0;
    bool closed_ = false;
};

class RunFileWriter::Impl {
  public:
    Impl(const std::string& path, bool force, bool with_events)
        : file_on_disk_(path, force, "--out") {
        h5::QuietErrors quiet;
        const Handle fcpl = h5::file_creation_plist();
        const Handle fapl = h5::file_access_plist();
        file_ = own(H5Fcreate(temporary_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                    H5Fclose, "cannot create HDF5 file '" + temporary_path() + "'");
        if (with_events) events_ = std::make_unique<EventLog>(file_.get());
    }

    ~Impl() {
        h5::QuietErrors quiet;
        // Close the datasets before the file: the file was opened with
        // H5F_CLOSE_SEMI and would refuse to close under open objects.
        events_.reset();
        file_.reset();
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    EventRecorder* events() { return events_.get(); }

    void write(const RunResult& result, const Provenance& provenance) {
        if (written_) throw RuntimeError("run file: write() called twice");
        const auto coordinates = validate(result);
        h5::QuietErrors quiet;
        const hid_t root = file_.get();
        write_global_attributes(root, provenance, result.counters);
        for (const auto& c : result.coordinates)
            write_coordinate(root, c);
        write_variable_groups(root, result, coordinates);
        write_observables(root, result.observables);
        write_parameters(root, provenance);
        if (events_) events_->describe(result);
        written_ = true;
    }

    void commit() {
        if (!written_) throw RuntimeError("run file: commit() before write()");
        if (!file_) throw RuntimeError("run file: commit() called twice");
        h5::QuietErrors quiet;
        if (events_) events_->close();
        check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "cannot flush '" + temporary_path() + "'");
        file_.close("cannot close '" + temporary_path() + "'");
        file_on_disk_.commit();
    }

    const std::string& path() const { return file_on_disk_.path(); }
    const std::string& temporary_path() const { return file_on_disk_.temporary_path(); }

  private:
    bool written_ = false;
    io::OutputFile file_on_disk_; ///< destroyed last: deletes the temporary file unless committed
    Handle file_;
    std::unique_ptr<EventLog> events_;
};

RunFileWriter::RunFileWriter(const std::string& path, bool force, bool with_events)
    : impl_(std::make_unique<Impl>(path, force, with_events)) {}

RunFileWriter::~RunFileWriter() = default;

EventRecorder* RunFileWriter::events() {
    return impl_->events();
}

void RunFileWriter::write(const RunResult& result, const Provenance& provenance) {
    impl_->write(result, provenance);
}

void RunFileWriter::commit() {
    impl_->commit();
}

const std::string& RunFileWriter::path() const {
    return impl_->path();
}

const std::string& RunFileWriter::temporary_path() const {
    return impl_->temporary_path();
}

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace khorgos::output
