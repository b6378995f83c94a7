// Google Benchmark of the hot kernels: random numbers, hazard sampling by
// geometric skips, a whole small run (the step loop and observables),
// writing a run file, and what the machine charges for handing a cache line
// from one core to another (the price of sharing data between threads). Run
// through scripts/bench; speed is never asserted in tests.
#include "input/scenario_file.hpp"
#include "output/run_file.hpp"
#include "sim/engine.hpp"
#include "sim/rng.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <thread>
#include <unistd.h>

using namespace khorgos;

namespace {

std::string source(const std::string& relative) {
    return std::string(KHORGOS_SOURCE_DIR) + "/" + relative;
}

void uniform(benchmark::State& state) {
    RandomStream rng(1, 0, 0, Stream::outcome);
    for (auto _ : state)
        benchmark::DoNotOptimize(rng.uniform());
}
BENCHMARK(uniform);

void lognormal(benchmark::State& state) {
    RandomStream rng(1, 0, 0, Stream::arrival);
    for (auto _ : state)
        benchmark::DoNotOptimize(rng.lognormal(12, 0.6));
}
BENCHMARK(lognormal);

/// Who of a million pool members sets out on one day (hazard 1e-4): the
/// departure sampling of one group and step.
void hazard_sampling(benchmark::State& state) {
    std::uint32_t step = 0;
    std::uint64_t chosen = 0;
    ExposureClock clock;
    for (auto _ : state) {
        RandomStream rng(1, 7, step++, Stream::departure);
        chosen +=
            clock.select(1000000, 1e-4, rng, [](std::uint64_t i) { benchmark::DoNotOptimize(i); });
    }
    state.counters["per_draw_ns"] = benchmark::Counter(
        static_cast<double>(chosen), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(hazard_sampling);

/// The random draws of one trader's trip (two events) where, as in most
/// steps at scale 10, a group that sets out sends one person: four streams
/// (who sets out, the crossing, the arrival, the end of the stay), a Philox
/// block each, and the draws the engine takes from them. What the draws
/// alone cost an event, under the engine's whole cost (docs/performance.md).
void trip_draws(benchmark::State& state) {
    std::uint32_t trip = 0;
    for (auto _ : state) {
        ++trip;
        RandomStream pick(1, 7, trip, Stream::departure);
        RandomStream crossing(1, 7, trip, Stream::crossing);
        RandomStream arrival(1, trip, trip, Stream::arrival);
        RandomStream outcome(1, trip, trip + 5, Stream::outcome);
        double sum = pick.exponential(1) + crossing.uniform(); // sets out; which crossing
        sum += arrival.uniform() + std::round(arrival.lognormal(5, 0.6)) + // region; stay
               arrival.exponential(1e-5);                                  // marriage
        sum +=
            outcome.uniform() + outcome.uniform() + outcome.uniform(); // overstay; crossing; quit
        benchmark::DoNotOptimize(sum);
    }
    state.counters["per_event_ns"] =
        benchmark::Counter(2.0 * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(trip_draws);

/// One year of the busy test world: steps, events and observables.
void simulate_busy_quarter(benchmark::State& state) {
    const Scenario s = load_scenario(source("tests/data/busy.toml")).scenario;
    std::uint64_t events = 0;
    for (auto _ : state) {
        RunOptions o;
        o.seed = 1;
        o.threads = static_cast<int>(state.range(0));
        events += simulate(s, o).counters.events;
    }
    state.counters["events_per_s"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(simulate_busy_quarter)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

/// Writing the run file of a historical run at scale 10 (series, observables, provenance).
void write_run_file(benchmark::State& state) {
    const Scenario s = load_scenario(source("scenarios/historical.toml")).scenario;
    RunOptions o;
    o.scale = 10;
    const RunResult result = simulate(s, o);
    output::Provenance provenance;
    const std::string path = std::filesystem::temp_directory_path() /
                             ("khorgos-bench-" + std::to_string(getpid()) + ".h5");
    for (auto _ : state) {
        output::RunFileWriter writer(path, true, false);
        writer.write(result, provenance);
        writer.commit();
    }
    std::filesystem::remove(path);
}
BENCHMARK(write_run_file)->Unit(benchmark::kMillisecond);

/// Two threads pass a flag back and forth: one iteration is a round trip of
/// a cache line between two cores (the scheduler picks which), about what a
/// thread pays, twice, for a line of data that another thread wrote last.
void cache_line_round_trip(benchmark::State& state) {
    alignas(64) std::atomic<int> turn{0};
    std::atomic<bool> stop{false};
    std::thread partner([&] {
        while (!stop.load(std::memory_order_relaxed))
            if (turn.load(std::memory_order_acquire) == 1) turn.store(0, std::memory_order_release);
    });
    for (auto _ : state) {
        turn.store(1, std::memory_order_release);
        while (turn.load(std::memory_order_acquire) != 0) {
        }
    }
    stop = true;
    partner.join();
}
BENCHMARK(cache_line_round_trip)->Unit(benchmark::kNanosecond);

} // namespace

BENCHMARK_MAIN();
