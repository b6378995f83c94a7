// The run file writer and reader: round trips, the event log, and the
// promises about files on disk (no clobbering, no partial files).
#include "output/h5.hpp"
#include "output/run_file.hpp"
#include "sim/errors.hpp"
#include "sim/types.hpp"
#include "synthetic.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

namespace fs = std::filesystem;
using namespace khorgos;
using output::Provenance;
using output::RunFileWriter;

namespace {

/// A fresh directory, removed with its contents at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "khorgos-output-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(path_))
            names.push_back(e.path().filename());
        return names;
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void write_run(const std::string& path, const RunResult& result, const Provenance& provenance,
               bool force = false) {
    RunFileWriter writer(path, force, false);
    writer.write(result, provenance);
    writer.commit();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void check_equal(const Coordinate& a, const Coordinate& b) {
    INFO("coordinate " << a.name);
    CHECK(a.name == b.name);
    CHECK(a.long_name == b.long_name);
    CHECK(a.units == b.units);
    CHECK(a.values == b.values);
    CHECK(a.labels == b.labels);
    CHECK(a.time.units == b.time.units);
    CHECK(a.time.long_name == b.time.long_name);
    CHECK(a.time.values == b.time.values);
    CHECK(a.time.bounds == b.time.bounds);
}

void check_equal(const Variable& a, const Variable& b) {
    INFO("variable " << a.group << "/" << a.name);
    CHECK(a.group == b.group);
    CHECK(a.name == b.name);
    CHECK(a.dims == b.dims);
    CHECK(a.units == b.units);
    CHECK(a.long_name == b.long_name);
    CHECK(a.values == b.values);
    CHECK(a.cell_methods == b.cell_methods);
}

void check_equal(const RunResult& a, const RunResult& b) {
    REQUIRE(a.coordinates.size() == b.coordinates.size());
    for (std::size_t i = 0; i < a.coordinates.size(); ++i)
        check_equal(a.coordinates[i], b.coordinates[i]);
    REQUIRE(a.variables.size() == b.variables.size());
    for (std::size_t i = 0; i < a.variables.size(); ++i)
        check_equal(a.variables[i], b.variables[i]);
    REQUIRE(a.observables.size() == b.observables.size());
    for (std::size_t i = 0; i < a.observables.size(); ++i) {
        const auto& x = a.observables[i];
        const auto& y = b.observables[i];
        CHECK(x.id == y.id);
        CHECK(x.period == y.period);
        CHECK(x.value == y.value);
        CHECK(x.units == y.units);
        CHECK(x.definition == y.definition);
    }
    CHECK(a.counters.events == b.counters.events);
    CHECK(a.counters.agents == b.counters.agents);
    CHECK(a.counters.person_days_away == b.counters.person_days_away);
    CHECK(a.counters.seconds == b.counters.seconds);
}

void check_equal(const Provenance& a, const Provenance& b) {
    CHECK(a.program_version == b.program_version);
    CHECK(a.git_commit == b.git_commit);
    CHECK(a.command_line == b.command_line);
    CHECK(a.scenario_path == b.scenario_path);
    CHECK(a.scenario_text == b.scenario_text);
    CHECK(a.parameters == b.parameters);
    CHECK(a.seed == b.seed);
    CHECK(a.scale == b.scale);
    CHECK(a.threads == b.threads);
    CHECK(a.start_time == b.start_time);
    CHECK(a.end_time == b.end_time);
}

bool same_event(const AgentEvent& a, const AgentEvent& b) {
    return a.day == b.day && a.agent == b.agent && a.type == b.type && a.ethnicity == b.ethnicity &&
           a.kind == b.kind && a.crossing == b.crossing && a.from == b.from && a.to == b.to;
}

} // namespace

TEST_CASE("a run file round-trips every coordinate, variable, observable and provenance field") {
    TempDir dir;
    const auto result = test::synthetic_result();
    const auto provenance = test::synthetic_provenance();
    write_run(dir.file("run.h5"), result, provenance);
    CHECK(dir.entries() == std::vector<std::string>{"run.h5"});

    Provenance read_provenance;
    check_equal(output::read_run(dir.file("run.h5"), &read_provenance), result);
    check_equal(read_provenance, provenance);
}

TEST_CASE("edge cases round-trip: empty texts and coordinates, a huge scenario, no observables") {
    TempDir dir;
    RunResult result;
    result.coordinates.push_back(test::label_coordinate("crossing", "", {}));
    result.coordinates.push_back(test::numeric_coordinate("time", "", "", {}));
    result.coordinates.push_back(test::label_coordinate("solo", "one label", {"x"}));
    result.variables.push_back({"daily", "flow", {"time", "crossing"}, "", "", {}});
    result.variables.push_back({"totals", "only", {"solo"}, "1", "", {-0.0}});
    Provenance provenance;
    // Larger than the 64 KiB limit of compact attribute storage.
    for (int i = 0; provenance.scenario_text.size() < 300000; ++i)
        provenance.scenario_text += "# строка " + std::to_string(i) + "\nkey = \"value\"\n";
    write_run(dir.file("edge.h5"), result, provenance);

    Provenance read_provenance;
    check_equal(output::read_run(dir.file("edge.h5"), &read_provenance), result);
    check_equal(read_provenance, provenance);
}

TEST_CASE("chunks compressed outside HDF5 read back exactly, edge chunks included") {
    TempDir dir;
    const std::string path = (dir.path() / "chunks.h5").string();
    const std::vector<hsize_t> dims{5, 7, 3};
    std::vector<double> values(5 * 7 * 3);
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = 1.5 * static_cast<double>(i) - 40.25;
    // Chunk shapes that take each path of the gathering: the last axis whole
    // with the last chunks overhanging two axes; one series per chunk (extent 1
    // inside); no axis whole, with edges; the whole array as one chunk.
    const std::vector<std::vector<hsize_t>> shapes{{2, 4, 3}, {5, 1, 1}, {3, 2, 2}, {5, 7, 3}};
    {
        const output::h5::Handle file(
            H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
        REQUIRE(file);
        for (std::size_t k = 0; k < shapes.size(); ++k) {
            const auto dataset = output::h5::write_compressed(file.get(), "x" + std::to_string(k),
                                                              dims, shapes[k], values, 4);
            CHECK(output::h5::read_doubles(dataset.get()) == values);
        }
    }
    const output::h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    for (std::size_t k = 0; k < shapes.size(); ++k) {
        const output::h5::Handle other(
            H5Dopen2(file.get(), ("x" + std::to_string(k)).c_str(), H5P_DEFAULT), H5Dclose);
        CHECK(output::h5::read_doubles(other.get()) == values);
    }
    const output::h5::Handle dataset(H5Dopen2(file.get(), "x0", H5P_DEFAULT), H5Dclose);
    // A reader sees the ordinary filters: shuffle, then deflate.
    const output::h5::Handle dcpl(H5Dget_create_plist(dataset.get()), H5Pclose);
    REQUIRE(H5Pget_nfilters(dcpl.get()) == 2);
    const auto filter = [&](unsigned index) {
        unsigned flags = 0, parameters[8];
        std::size_t n = 8;
        return H5Pget_filter2(dcpl.get(), index, &flags, &n, parameters, 0, nullptr, nullptr);
    };
    CHECK(filter(0) == H5Z_FILTER_SHUFFLE);
    CHECK(filter(1) == H5Z_FILTER_DEFLATE);
}

TEST_CASE("the same result and provenance give byte-identical files") {
    TempDir dir;
    for (const char* name : {"a.h5", "b.h5"}) {
        RunFileWriter writer(dir.file(name), false, true);
        for (std::uint64_t i = 0; i < 70000; ++i) {
            const auto event = test::synthetic_event(i);
            writer.events()->record(&event, 1);
        }
        writer.write(test::synthetic_result(), test::synthetic_provenance());
        writer.commit();
    }
    CHECK(slurp(dir.file("a.h5")) == slurp(dir.file("b.h5")));
}

TEST_CASE("the event log round-trips more than one chunk of rows") {
    TempDir dir;
    const std::uint64_t rows = 150001; // two full 64Ki chunks and a partial one
    {
        RunFileWriter writer(dir.file("events.h5"), false, true);
        REQUIRE(writer.events() != nullptr);
        std::vector<AgentEvent> step;
        for (std::uint64_t i = 0; i < rows;) {
            step.clear();
            const std::uint64_t size = 1 + (i * 31) % 5000; // includes steps larger than a chunk
            for (std::uint64_t n = 0; n < size && i < rows; ++n, ++i)
                step.push_back(test::synthetic_event(i));
            writer.events()->record(step.data(), step.size());
        }
        writer.events()->record(nullptr, 0);
        writer.write(test::synthetic_result(), test::synthetic_provenance());
        writer.commit();
    }
    std::uint64_t seen = 0;
    std::size_t largest = 0;
    bool all_equal = true;
    const auto count = output::read_events(
        dir.file("events.h5"),
        [&](const AgentEvent* events, std::size_t n) {
            largest = std::max(largest, n);
            for (std::size_t k = 0; k < n; ++k, ++seen)
                all_equal = all_equal && same_event(events[k], test::synthetic_event(seen));
        },
        40000);
    CHECK(count == rows);
    CHECK(seen == rows);
    CHECK(largest == 40000);
    CHECK(all_equal);
    // The rest of the file is unaffected by the log.
    check_equal(output::read_run(dir.file("events.h5")), test::synthetic_result());
}

TEST_CASE("a run without --events has no event recorder and no event log") {
    TempDir dir;
    RunFileWriter writer(dir.file("plain.h5"), false, false);
    CHECK(writer.events() == nullptr);
    writer.write(test::synthetic_result(), test::synthetic_provenance());
    writer.commit();
    CHECK_THROWS_AS(
        output::read_events(dir.file("plain.h5"), [](const AgentEvent*, std::size_t) {}),
        InputError);
}

TEST_CASE("an existing file is refused without --force and replaced with it") {
    TempDir dir;
    const auto path = dir.file("run.h5");
    std::ofstream(path) << "precious";
    try {
        RunFileWriter writer(path, false, false);
        FAIL("an existing file was accepted without --force");
    } catch (const InputError& e) {
        CHECK(e.key() == "--out");
        CHECK(e.file() == path);
        CHECK(std::string(e.what()).find("--force") != std::string::npos);
    }
    CHECK(slurp(path) == "precious");
    CHECK(dir.entries() == std::vector<std::string>{"run.h5"});

    write_run(path, test::synthetic_result(), test::synthetic_provenance(), true);
    CHECK(output::read_run(path).variables.size() == test::synthetic_result().variables.size());
    CHECK(dir.entries() == std::vector<std::string>{"run.h5"});
}

TEST_CASE("a file that appears while the run goes is not clobbered without --force") {
    TempDir dir;
    const auto path = dir.file("run.h5");
    {
        RunFileWriter writer(path, false, false);
        writer.write(test::synthetic_result(), test::synthetic_provenance());
        std::ofstream(path) << "written by someone else meanwhile";
        CHECK_THROWS_AS(writer.commit(), InputError);
    }
    CHECK(slurp(path) == "written by someone else meanwhile");
    CHECK(dir.entries() == std::vector<std::string>{"run.h5"});
}

TEST_CASE("a writer destroyed without commit leaves neither the final nor the temporary file") {
    TempDir dir;
    std::string temporary;
    {
        RunFileWriter writer(dir.file("run.h5"), false, true);
        temporary = writer.temporary_path();
        CHECK(fs::path(temporary).parent_path() == dir.path());
        CHECK(fs::exists(temporary));
        const auto event = test::synthetic_event(0);
        for (int i = 0; i < 70000; ++i)
            writer.events()->record(&event, 1);
        writer.write(test::synthetic_result(), test::synthetic_provenance());
    }
    CHECK_FALSE(fs::exists(temporary));
    CHECK(dir.entries().empty());
}

TEST_CASE("a run killed with SIGKILL leaves nothing under the final name") {
    TempDir dir;
    const auto path = dir.file("run.h5");
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child writes a run as far as it can, tells the parent, and waits to be killed.
        ::close(ready[0]);
        try {
            RunFileWriter writer(path, false, true);
            for (std::uint64_t i = 0; i < 200000; ++i) {
                const auto event = test::synthetic_event(i);
                writer.events()->record(&event, 1);
            }
            writer.write(test::synthetic_result(), test::synthetic_provenance());
            const char byte = 1;
            if (::write(ready[1], &byte, 1) != 1) ::_exit(3);
            for (;;)
                ::pause();
        } catch (...) {
            ::_exit(4);
        }
    }
    ::close(ready[1]);
    char byte = 0;
    const bool child_ready = ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(child_ready);
    CHECK(WIFSIGNALED(status));
    CHECK_FALSE(fs::exists(path));
    // What is left is only the killed run's temporary file, under a hidden name.
    for (const auto& name : dir.entries())
        CHECK(name.rfind(".run.h5.tmp-", 0) == 0);
}

TEST_CASE("read_run rejects missing, non-HDF5, truncated and foreign files with InputError") {
    TempDir dir;
    CHECK_THROWS_AS(output::read_run(dir.file("missing.h5")), InputError);
    CHECK_THROWS_AS(output::read_run(dir.path().string()), InputError);

    std::ofstream(dir.file("text.h5")) << "not HDF5 at all\n";
    CHECK_THROWS_AS(output::read_run(dir.file("text.h5")), InputError);

    write_run(dir.file("run.h5"), test::synthetic_result(), test::synthetic_provenance());
    const auto bytes = slurp(dir.file("run.h5"));
    std::ofstream(dir.file("truncated.h5"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    CHECK_THROWS_AS(output::read_run(dir.file("truncated.h5")), InputError);

    const hid_t foreign =
        H5Fcreate(dir.file("foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(foreign >= 0);
    H5Fclose(foreign);
    try {
        output::read_run(dir.file("foreign.h5"));
        FAIL("a foreign HDF5 file was accepted");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("not a khorgos run file") != std::string::npos);
    }
}

TEST_CASE("an inconsistent result is a RuntimeError and leaves no file") {
    TempDir dir;
    const auto refused = [&](const RunResult& result) {
        {
            RunFileWriter writer(dir.file("bad.h5"), false, false);
            CHECK_THROWS_AS(writer.write(result, {}), RuntimeError);
        }
        CHECK(dir.entries().empty());
    };
    auto wrong_size = test::synthetic_result();
    wrong_size.variables[0].values.pop_back();
    refused(wrong_size);
    auto unknown_dimension = test::synthetic_result();
    unknown_dimension.variables[0].dims[0] = "week";
    refused(unknown_dimension);
    auto twice = test::synthetic_result();
    twice.coordinates.push_back(twice.coordinates[0]);
    refused(twice);
    auto clash = test::synthetic_result();
    clash.variables[0].name = "region";
    refused(clash);
    auto reserved = test::synthetic_result();
    reserved.variables[0].group = "events";
    refused(reserved);
    // Names the time bounds take: NAME_bnds(NAME, nv).
    auto vertex = test::synthetic_result();
    vertex.coordinates.back().name = "nv";
    refused(vertex);
    auto bounds_name = test::synthetic_result();
    bounds_name.variables[0].name = "time_bnds";
    refused(bounds_name);
    // ... and the labels: NAME_name(NAME), even in a group without the
    // coordinate, where HDF5 itself would not refuse it but a reader would
    // take it for the labels.
    auto label_name = test::synthetic_result();
    for (auto& v : label_name.variables)
        if (v.name == "entries") v.name = "region_name"; // yearly(year, agent_type)
    refused(label_name);
    auto short_cells = test::synthetic_result();
    short_cells.coordinates[0].time.bounds.pop_back();
    refused(short_cells);
}

TEST_CASE("a time axis is stored in its CF form: its cells' instants, bounds, cell_methods") {
    TempDir dir;
    // As the engine gives it: steps of 7 days by their start, stored at their end.
    RunResult result;
    Coordinate time =
        test::numeric_coordinate("time", "start of the step", "days since 1990-01-01", {0, 7, 14});
    time.time = {"days since 1990-01-01", "end of the step", {7, 14, 20}, {0, 7, 7, 14, 14, 20}};
    result.coordinates.push_back(time);
    result.variables.push_back(
        {"daily", "stock", {"time"}, "1", "present", {1, 2, 3}, "time: point"});
    result.variables.push_back(
        {"daily", "flow", {"time"}, "1", "crossings", {4, 5, 6}, "time: sum"});
    write_run(dir.file("run.h5"), result, {});

    const RunResult read = output::read_run(dir.file("run.h5"));
    REQUIRE(read.coordinates.size() == 1); // "nv" is no coordinate
    const Coordinate& c = read.coordinates[0];
    CHECK(c.values == std::vector<double>{7, 14, 20});
    CHECK(c.long_name == "end of the step");
    CHECK(c.time.values == c.values);
    CHECK(c.time.bounds == time.time.bounds);
    REQUIRE(read.variables.size() == 2); // "time_bnds" is no variable
    CHECK(read.variables[0].cell_methods == "time: point");
    CHECK(read.variables[1].cell_methods == "time: sum");
    // What CF readers look for, in the root and in the group that copies time.
    const output::h5::Handle file(H5Fopen(dir.file("run.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                  H5Fclose);
    for (const char* group : {"/", "/daily"}) {
        INFO(group);
        const output::h5::Handle g = output::h5::open_group(file.get(), group);
        const output::h5::Handle t = output::h5::open_dataset(g.get(), "time");
        CHECK(output::h5::read_text_attribute(t.get(), "bounds") == "time_bnds");
        CHECK(output::h5::read_text_attribute(t.get(), "axis") == "T");
        CHECK(output::h5::read_doubles(output::h5::open_dataset(g.get(), "time_bnds").get()) ==
              time.time.bounds);
        CHECK(output::h5::is_bare_dimension(output::h5::open_dataset(g.get(), "nv").get()));
    }
}

TEST_CASE("a run file of format 2 (made by the build before format 3) still reads") {
    // tests/output/data/run_format2.h5: `khorgos run tests/data/minimal.toml
    // --seed 7 --threads 1` by commit 9711d3a (format 2).
    const std::string path = std::string(KHORGOS_SOURCE_DIR) + "/tests/output/data/run_format2.h5";
    Provenance provenance;
    const RunResult r = output::read_run(path, &provenance);
    CHECK(provenance.seed == 7);
    const Coordinate* time = r.coordinate("time");
    REQUIRE(time);
    REQUIRE(time->values.size() == 366);
    CHECK(time->values[0] == 3652); // 2000-01-01: the start of the first step
    CHECK(time->values[1] == 3653);
    CHECK(time->time.values.empty());
    REQUIRE(r.coordinate("year"));
    CHECK(r.coordinate("year")->values == std::vector<double>{2000});
    REQUIRE(r.variable("stock"));
    CHECK(r.variable("stock")->cell_methods.empty());
    CHECK(r.variable("stock")->values.size() == 366 * 5 * 1);
    REQUIRE(!r.observables.empty());
    CHECK(r.observables[0].units == "persons");
}

TEST_CASE("a run file of format 3 (labels as string coordinate variables) still reads") {
    // tests/output/data/run_format3.h5: `khorgos run tests/data/minimal.toml
    // --seed 7 --threads 1` by commit 1978274 (format 3).
    const std::string path = std::string(KHORGOS_SOURCE_DIR) + "/tests/output/data/run_format3.h5";
    Provenance provenance;
    const RunResult r = output::read_run(path, &provenance);
    CHECK(provenance.seed == 7);
    REQUIRE(!provenance.parameters.empty());
    CHECK(provenance.parameters[0].first.find('.') != std::string::npos);
    REQUIRE(r.coordinate("agent_type"));
    CHECK(r.coordinate("agent_type")->labels ==
          std::vector<std::string>(kAgentTypeNames.begin(), kAgentTypeNames.end()));
    REQUIRE(r.coordinate("region"));
    CHECK(r.coordinate("region")->labels == std::vector<std::string>{"city"});
    CHECK(r.coordinate("place")->labels ==
          std::vector<std::string>{"home", "gate", "city", "russia_europe"});
    REQUIRE(r.coordinate("time"));
    CHECK(r.coordinate("time")->values[0] == 3653); // format 3: the end of the first step
    REQUIRE(r.variable("stock"));
    CHECK(r.variable("stock")->cell_methods == "time: point");
    CHECK(r.variable("stock")->values.size() == 366 * 5 * 1);
}

TEST_CASE("label coordinates are CF auxiliary coordinates beside an int32 index") {
    TempDir dir;
    const RunResult result = test::synthetic_result();
    write_run(dir.file("run.h5"), result, {}, false);
    const output::h5::Handle file(H5Fopen(dir.file("run.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                  H5Fclose);
    for (const char* group : {"/", "/daily"}) {
        INFO(group);
        const output::h5::Handle g = output::h5::open_group(file.get(), group);
        const output::h5::Handle index = output::h5::open_dataset(g.get(), "region");
        const output::h5::Handle type(H5Dget_type(index.get()), H5Tclose);
        CHECK(H5Tget_class(type.get()) == H5T_INTEGER);
        CHECK(output::h5::read_doubles(index.get()) == std::vector<double>{0, 1, 2});
        CHECK(output::h5::read_strings(output::h5::open_dataset(g.get(), "region_name").get()) ==
              result.coordinate("region")->labels);
    }
    const output::h5::Handle stock = output::h5::open_dataset(file.get(), "daily/stock");
    CHECK(output::h5::read_text_attribute(stock.get(), "coordinates") ==
          "agent_type_name region_name");
    const RunResult read = output::read_run(dir.file("run.h5"));
    CHECK(read.coordinate("region")->labels == result.coordinate("region")->labels);
    CHECK(read.coordinate("region")->long_name == result.coordinate("region")->long_name);
}

TEST_CASE("the writer enforces write-then-commit") {
    TempDir dir;
    RunFileWriter writer(dir.file("run.h5"), false, false);
    CHECK_THROWS_AS(writer.commit(), RuntimeError);
    writer.write(test::synthetic_result(), {});
    CHECK_THROWS_AS(writer.write(test::synthetic_result(), {}), RuntimeError);
    writer.commit();
    CHECK(fs::exists(dir.file("run.h5")));
}

TEST_CASE("bad output paths: missing directory and directories are InputError") {
    TempDir dir;
    CHECK_THROWS_AS(RunFileWriter(dir.file("missing/run.h5"), false, false), InputError);
    CHECK_THROWS_AS(RunFileWriter(dir.path().string(), true, false), InputError);
    CHECK_THROWS_AS(RunFileWriter(dir.path().string() + "/", true, false), InputError);
    CHECK(dir.entries().empty());
}

namespace {
/// Runs `attempt` in a child process without the capabilities that let root
/// ignore file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER),
/// so that a permission test checks the same thing under root (as CI runs)
/// and as a user. Returns the child's exit code; 100 if it could not drop them.
int without_file_capabilities(const std::function<int()>& attempt) {
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
        if (::syscall(SYS_capget, &header, data) != 0) ::_exit(100);
        for (const int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER}) {
            data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
            data[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
            data[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
        }
        if (::syscall(SYS_capset, &header, data) != 0) ::_exit(100);
        ::_exit(attempt());
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 101;
    return WEXITSTATUS(status);
}
} // namespace

TEST_CASE("an unwritable output directory is a RuntimeError") {
    TempDir dir;
    fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
    // 0: RuntimeError; 1: no error; 2: another exception.
    const int outcome = without_file_capabilities([&] {
        try {
            RunFileWriter writer(dir.file("run.h5"), false, false);
            return 1;
        } catch (const RuntimeError&) {
            return 0;
        } catch (...) {
            return 2;
        }
    });
    CHECK(outcome == 0);
    CHECK(dir.entries().empty());
}

TEST_CASE("utc_timestamp formats ISO 8601 UTC") {
    CHECK(output::utc_timestamp(std::chrono::system_clock::from_time_t(0)) ==
          "1970-01-01T00:00:00Z");
    CHECK(output::utc_timestamp(std::chrono::system_clock::from_time_t(1795812300)) ==
          "2026-11-27T20:45:00Z");
}
