#include "batch/batch_runner.hpp"

#include "batch/calibration_runs.hpp"
#include "batch/run_plan.hpp"
#include "input/file_source.hpp"
#include "io/input_file.hpp"
#include "io/interrupt.hpp"
#include "io/json.hpp"
#include "io/numbers.hpp"
#include "io/output_file.hpp"
#include "io/temporary_files.hpp"
#include "output/batch_file.hpp"
#include "sim/errors.hpp"
#if KHORGOS_WITH_MPI
#include "batch/mpi_dispatch.hpp"
#endif

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace khorgos::batch {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// The batch's own files (manifest, CSV files, the design) are replaced as the batch goes.
void write_atomically(const std::string& path, const std::string& text) {
    io::write_file(path, text, true, "--out");
}

/// The fingerprints of every input file of the batch (RecordingFiles::record).
constexpr const char* kInputs = "inputs.txt";

std::string read_file(const std::string& path) {
    return io::read_input(path, "--resume").value_or("");
}

/// RFC 4180: quote a field that holds a comma, quote or line break.
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

const char* state_name(RunStatus::State state) {
    switch (state) {
    case RunStatus::State::ok:
        return "ok";
    case RunStatus::State::failed:
        return "failed";
    case RunStatus::State::pending:
        return "pending";
    }
    return "pending";
}

/// Runs done, failures and time left: a redrawn bar on a terminal, plain lines otherwise.
class Progress {
  public:
    Progress(std::size_t total, std::size_t done, bool silent)
        : tty_(::isatty(STDERR_FILENO) != 0), silent_(silent), total_(total), done_(done),
          resumed_(done), start_(Clock::now()) {}

    void update(const std::string& what, const RunStatus& status) {
        ++done_;
        if (status.state == RunStatus::State::failed) ++failed_;
        if (silent_) return;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const double eta =
            elapsed / static_cast<double>(done_ - resumed_) * static_cast<double>(total_ - done_);
        std::ostringstream line;
        line << done_ << "/" << total_ << " runs, " << failed_ << " failed, ETA " << duration(eta);
        if (!tty_) {
            std::cerr << "batch: " << line.str() << " (" << what << ": " << state_name(status.state)
                      << (status.error.empty() ? "" : ": " + status.error) << ")\n";
            return;
        }
        if (status.state == RunStatus::State::failed)
            std::cerr << "\r\033[K" << what << " failed: " << status.error << "\n";
        constexpr std::size_t kWidth = 30;
        const std::size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
        std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(kWidth - filled, '.')
                  << "] " << line.str() << std::flush;
        if (done_ == total_) std::cerr << "\n";
    }

  private:
    bool tty_, silent_;
    std::size_t total_, done_, resumed_, failed_ = 0;
    Clock::time_point start_;
};

class Batch {
  public:
    Batch(Spec spec, std::string directory, std::string command_line)
        : spec_(std::move(spec)), runs_(expand(spec_)), directory_(std::move(directory)),
          command_line_(std::move(command_line)), status_(runs_.size()) {
        if (spec_.posterior.empty()) return;
        // Draw r of the posterior is what `khorgos run --posterior` draws with
        // replicate r's seed: numbered, the same in every scenario (so effects
        // are paired by draw), and the same on a resume. The overrides of the
        // scenario and variation come after, as `--set` after `--posterior`.
        draws_.resize(static_cast<std::size_t>(spec_.replicates));
        for (int r = 0; r < spec_.replicates; ++r) {
            auto& [sets, description] = draws_[static_cast<std::size_t>(r)];
            sets = posterior_draw(spec_.posterior, replicate_seed(spec_.seed, r), &description);
        }
        for (auto& run : runs_) {
            const auto& drawn = draws_[static_cast<std::size_t>(run.replicate)].first;
            run.sets.insert(run.sets.begin(), drawn.begin(), drawn.end());
        }
    }

    /// Read-only checks of the output directory, safe on every MPI rank.
    void check_directory(bool resume) const {
        const std::string started = directory_ + "/batch.toml";
        if (!fs::exists(started)) return;
        if (!resume)
            throw InputError(directory_, 0, 0, "--out",
                             "already holds a batch; add --resume to finish it, or choose "
                             "another directory");
        if (read_file(started) != spec_.text)
            throw InputError(spec_.file, 0, 0, "--resume",
                             "the batch file differs from the one '" + directory_ +
                                 "' was started with (" + started +
                                 "); resume with that file or use another directory");
        const auto recorded = io::read_input(directory_ + "/" + kInputs, "--resume");
        if (!recorded)
            throw InputError(directory_ + "/" + kInputs, 0, 0, "--resume",
                             "missing: the batch cannot tell whether its inputs changed");
        check_unchanged(*recorded, disk_files(), "the batch in '" + directory_ + "'");
    }

    /// Creates the directories and fixed files; returns the runs still to do.
    std::vector<std::size_t> prepare() {
        for (const auto& s : spec_.scenarios)
            fs::create_directories(directory_ + "/runs/" + s.id);
        // What a killed batch left half-written (run files, manifest, summary):
        // only files whose writer is gone, never those of a live process.
        io::remove_stale_temporaries_under(directory_);
        // inputs.txt first: batch.toml marks a batch that --resume can finish.
        write_atomically(directory_ + "/" + kInputs, spec_.inputs);
        write_atomically(directory_ + "/batch.toml", spec_.text);
        if (!spec_.varied.empty()) {
            write_atomically(directory_ + "/problem.txt", salib_problem(spec_));
            std::string csv;
            for (std::size_t j = 0; j < spec_.varied.size(); ++j)
                csv += (j ? "," : "") + spec_.varied[j].name;
            csv += "\n";
            for (const auto& row : spec_.variations) {
                for (std::size_t j = 0; j < row.size(); ++j)
                    csv += (j ? "," : "") + exact(row[j]);
                csv += "\n";
            }
            write_atomically(directory_ + "/variations.csv", csv);
        }
        std::vector<std::size_t> pending;
        for (const auto& run : runs_) {
            if (fs::exists(directory_ + "/" + run.path))
                status_[run.index].state = RunStatus::State::ok;
            else
                pending.push_back(run.index);
        }
        write_manifest();
        return pending;
    }

    RunStatus execute(std::size_t index) const {
        const Run& run = runs_[index];
        RunPlan plan;
        plan.scenario = spec_.scenarios[run.scenario].scenario;
        plan.sets = run.sets;
        plan.seed = run.seed;
        plan.threads = 1;
        plan.scale = spec_.scale;
        plan.out = directory_ + "/" + run.path;
        plan.command_line =
            command_line_ + " [run " + std::to_string(index) +
            (draws_.empty() ? std::string()
                            : "; posterior draw " + std::to_string(run.replicate) + ": " +
                                  draws_[static_cast<std::size_t>(run.replicate)].second) +
            "]";
        RunStatus status;
        try {
            khorgos::execute(plan);
            status.state = RunStatus::State::ok;
        } catch (const std::exception& e) {
            status.state = RunStatus::State::failed;
            status.error = e.what();
        }
        return status;
    }

    void run(const std::vector<std::size_t>& pending,
             const std::function<void(const Execute&, const Done&)>& engine, bool silent) {
        Progress progress(runs_.size(), runs_.size() - pending.size(), silent);
        auto last_manifest = Clock::now();
        engine([this](std::size_t i) { return execute(i); },
               [&](std::size_t i, const RunStatus& status) {
                   status_[i] = status;
                   progress.update(label(runs_[i]), status);
                   // Rewriting the manifest costs O(runs): at most every two seconds.
                   if (Clock::now() - last_manifest > std::chrono::seconds(2)) {
                       write_manifest();
                       last_manifest = Clock::now();
                   }
               });
    }

    /// Summary, outputs and final manifest; returns the number of failed runs.
    std::size_t finish() {
        const Summary summary = summarise(spec_, runs_, status_, directory_);
        effects_ = summary.effects;
        output::write_batch_summary(directory_ + "/summary.h5", summary.file);
        std::string csv = "run,scenario,variation,replicate,status";
        for (const auto& name : summary.observable_names)
            csv += "," + csv_field(name);
        csv += "\n";
        for (const auto& run : runs_) {
            csv += std::to_string(run.index) + "," + spec_.scenarios[run.scenario].id + "," +
                   std::to_string(run.variation) + "," + std::to_string(run.replicate) + "," +
                   state_name(status_[run.index].state);
            const auto& values = summary.observables[run.index];
            for (std::size_t k = 0; k < summary.observable_names.size(); ++k)
                csv += "," + (values.empty() ? std::string() : exact(values[k]));
            csv += "\n";
        }
        write_atomically(directory_ + "/outputs.csv", csv);
        if (spec_.method == Method::saltelli) {
            write_atomically(directory_ + "/sensitivity.csv", sensitivity_csv(spec_, summary));
            sensitivity_json_ =
                JsonObject()
                    .add("table", json(fs::absolute(directory_ + "/sensitivity.csv").string()))
                    .add("resamples", json(kSobolResamples))
                    .add("indices", sensitivity_json(spec_, summary))
                    .str();
        }
        write_manifest();
        std::size_t failed = 0;
        for (const auto& s : status_)
            failed += s.state == RunStatus::State::failed ? 1 : 0;
        return failed;
    }

    const std::vector<Run>& runs() const { return runs_; }
    /// What finish() adds to `--json`: the Sobol indices of a Saltelli design.
    const std::string& sensitivity() const { return sensitivity_json_; }
    const Spec& spec() const { return spec_; }
    const std::vector<Effect>& effects() const { return effects_; }

  private:
    std::string label(const Run& run) const {
        return "run " + std::to_string(run.index) + " (" + spec_.scenarios[run.scenario].id +
               ", variation " + std::to_string(run.variation) + ", replicate " +
               std::to_string(run.replicate) + ")";
    }

    void write_manifest() const {
        std::string csv = "run,scenario,variation,replicate,seed,status,error,path";
        for (const auto& p : parameter_specs())
            csv += "," + std::string(p.name);
        csv += "\n";
        for (const auto& run : runs_) {
            const RunStatus& s = status_[run.index];
            csv += std::to_string(run.index) + "," + spec_.scenarios[run.scenario].id + "," +
                   std::to_string(run.variation) + "," + std::to_string(run.replicate) + "," +
                   std::to_string(run.seed) + "," + state_name(s.state) + "," + csv_field(s.error) +
                   "," + csv_field(run.path);
            for (double value : requested_parameters(spec_, run))
                csv += "," + exact(value);
            csv += "\n";
        }
        write_atomically(directory_ + "/runs.csv", csv);
    }

    Spec spec_;
    std::vector<Run> runs_;
    std::string directory_;
    std::string command_line_;
    std::vector<RunStatus> status_;
    std::string sensitivity_json_;
    std::vector<Effect> effects_;
    /// With a posterior: replicate r's drawn overrides and which particle they are.
    std::vector<std::pair<std::vector<Override>, std::string>> draws_;
};

std::string two_decimals(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", x);
    return text;
}

int report(std::size_t failed, const Batch& batch, const Options& options) {
    const std::size_t total = batch.runs().size();
    const std::string& directory = options.out;
    if (options.json || options.quiet) {
        const std::string absolute = fs::absolute(directory).string();
        if (options.json) {
            JsonObject out;
            out.add("directory", json(absolute))
                .add("runs", json(static_cast<std::uint64_t>(total)))
                .add("ok", json(static_cast<std::uint64_t>(total - failed)))
                .add("failed", json(static_cast<std::uint64_t>(failed)))
                .add("manifest", json(absolute + "/runs.csv"))
                .add("outputs", json(absolute + "/outputs.csv"))
                .add("summary", json(absolute + "/summary.h5"));
            if (!batch.sensitivity().empty()) out.add("sensitivity", batch.sensitivity());
            if (!batch.effects().empty()) {
                std::vector<std::string> items;
                for (const auto& e : batch.effects())
                    items.push_back(JsonObject()
                                        .add("contrast", json(e.contrast))
                                        .add("figure", json(e.figure))
                                        .add("known", json(e.known))
                                        .add("pairs", json(e.pairs))
                                        .add("mean", json(e.mean))
                                        .add("q05", json(e.q05))
                                        .add("q50", json(e.q50))
                                        .add("q95", json(e.q95))
                                        .str());
                out.add("effects", JsonObject()
                                       .add("interval", json("90% (q05 to q95)"))
                                       .add("uncertainty", json(uncertainty(batch.spec())))
                                       .add("paired", json_array(items))
                                       .str());
            }
            if (batch.spec().sensitivity) {
                std::vector<std::string> items;
                for (const auto& d : deciding_parameters(batch.spec()))
                    items.push_back(JsonObject()
                                        .add("scenario", json(d.scenario))
                                        .add("parameter", json(d.parameter))
                                        .add("informed", json(d.informed))
                                        .add("largest_total_index", json(d.largest_total))
                                        .add("figure", json(d.figure))
                                        .str());
                out.add("deciding", json_array(items));
            }
            std::cout << out.str() << "\n";
        } else
            std::cout << absolute << "\n";
        return failed == 0 ? 0 : 1;
    }
    if (!batch.effects().empty()) {
        std::cout << "paired effects, counterfactual - baseline: median [90% interval] over "
                     "replicates ("
                  << uncertainty(batch.spec()) << ")\n";
        for (const auto& e : batch.effects()) {
            std::cout << "  " << e.contrast << "  " << e.figure << ": ";
            if (!e.known)
                std::cout << "not an observable of these runs\n";
            else
                std::cout << exact(e.q50) << " [" << exact(e.q05) << ", " << exact(e.q95) << "], "
                          << exact(e.pairs) << " pairs\n";
        }
    }
    // Beside the answers: a counterfactual that hinges on a parameter no
    // figure informs answers with the value someone assumed for it.
    for (const auto& d : deciding_parameters(batch.spec()))
        if (!d.informed)
            std::cout << d.scenario << ": no figure informs " << d.parameter
                      << " (largest total Sobol index " << two_decimals(d.largest_total) << ", on "
                      << d.figure << ", below " << exact(batch.spec().sensitivity->threshold)
                      << " in " << batch.spec().sensitivity->table
                      << "): its difference from the baseline rests on the value assumed for it\n";
    std::cout << directory << ": " << total - failed << " of " << total << " runs ok";
    if (failed == 0) {
        std::cout << "\n";
        return 0;
    }
    std::cout << ", " << failed << " failed (see " << directory << "/runs.csv)\n";
    return 1;
}

} // namespace

void run_local(const std::vector<std::size_t>& pending, int jobs, const Execute& execute,
               const Done& done) {
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::exception_ptr failure;
    const auto work = [&] {
        for (std::size_t i; (i = next++) < pending.size();) {
            const RunStatus status = execute(pending[i]);
            std::lock_guard<std::mutex> lock(mutex);
            if (failure) return;
            try {
                done(pending[i], status);
            } catch (...) {
                failure = std::current_exception();
                next = pending.size();
            }
        }
    };
    // Runs write their files concurrently: only an HDF5 built thread-safe allows that.
    if (jobs > 1 && !output::concurrent_writers()) {
        std::cerr << "khorgos: this HDF5 library is not thread-safe: running one run at a time\n";
        jobs = 1;
    }
    const auto threads = std::min<std::size_t>(static_cast<std::size_t>(jobs), pending.size());
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    if (failure) std::rethrow_exception(failure);
}

int run_batch(Spec spec, const Options& options) {
    Batch batch(std::move(spec), options.out, options.command_line);
    batch.check_directory(options.resume);
    // Ctrl-C: unfinished run files are removed, finished ones kept; say how to go on.
    interrupt::install("khorgos batch " + options.batch_path + " --out " + options.out +
                       " --resume");

    if (launched_by_mpi()) {
#if KHORGOS_WITH_MPI
        if (options.jobs_given)
            throw InputError("", 0, 0, "--jobs",
                             "under MPI each rank runs one run at a time: start one rank per core");
        const MpiSession mpi;
        const Execute execute = [&](std::size_t i) { return batch.execute(i); };
        if (mpi.rank() != 0) {
            serve(execute);
            return 0;
        }
        try {
            const auto pending = batch.prepare();
            std::vector<std::size_t> by_rank;
            batch.run(
                pending,
                [&](const Execute& e, const Done& d) { by_rank = dispatch(mpi, pending, e, d); },
                options.quiet || options.json);
            if (!options.quiet && !options.json) {
                std::cout << "runs per MPI rank:";
                for (const std::size_t n : by_rank)
                    std::cout << ' ' << n;
                std::cout << "\n";
            }
            return report(batch.finish(), batch, options);
        } catch (const std::exception& e) {
            std::cerr << "khorgos: failure: " << e.what() << "\n";
            mpi.abort(dynamic_cast<const InputError*>(&e) ? 2 : 1);
        }
#else
        throw InputError("", 0, 0, "mpirun",
                         "this khorgos was built without MPI (configure with -DKHORGOS_MPI=ON "
                         "where OpenMPI is installed); run the batch without mpirun, with --jobs");
#endif
    }
    const auto pending = batch.prepare();
    batch.run(
        pending, [&](const Execute& e, const Done& d) { run_local(pending, options.jobs, e, d); },
        options.quiet || options.json);
    return report(batch.finish(), batch, options);
}

} // namespace khorgos::batch
