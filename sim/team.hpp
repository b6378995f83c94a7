#pragma once
// The threads of one run. Between pieces of parallel work the workers sleep
// on a condition variable instead of spinning: with OpenMP's default
// spin-waiting, a 2-thread run of the busy test scenario took 8 times as long
// as on 1 thread while other work shared the cores (4.3 s against 0.55 s at a
// load of 11 on 2 cores), where sleeping workers cost nothing.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace khorgos {

class Team {
  public:
    /// A team of `threads` threads: the caller's and threads - 1 workers.
    explicit Team(int threads);
    ~Team();
    Team(const Team&) = delete;
    Team& operator=(const Team&) = delete;

    int size() const { return static_cast<int>(workers_.size()) + 1; }

    /// Whether this is the thread that made the team: the one that calls
    /// for_each (thread 0), which may do work of its own between items.
    bool on_caller() const { return std::this_thread::get_id() == caller_; }

    /// Calls work(i) once for each i in [0, n), spread over the team, and
    /// returns when every call is done. Item i is offered first to thread
    /// owner(i) % size() (0 is the caller), so that work which fills a
    /// thread's buffers step after step stays on one core: a cache line
    /// that the other core wrote last costs a transfer of hundreds of
    /// nanoseconds, more than an event's work. A thread done with its own
    /// items takes the others not yet taken, so which thread runs which i is
    /// still left to chance and work(i) must not depend on it. Rethrows the
    /// first exception.
    void for_each(std::size_t n, const std::function<void(std::size_t)>& work,
                  const std::function<std::size_t(std::size_t)>& owner);

  private:
    void serve(std::size_t self);
    void take_items(std::size_t self);

    std::mutex mutex_;
    std::condition_variable wake_, finished_;
    const std::function<void(std::size_t)>* work_ = nullptr;
    const std::function<std::size_t(std::size_t)>* owner_ = nullptr;
    std::size_t items_ = 0;
    std::vector<std::atomic<bool>> taken_; ///< by item: a thread has it
    std::uint64_t round_ = 0;              ///< numbers the calls of for_each
    bool open_ = false;                    ///< workers may still join this round
    int active_ = 0;                       ///< workers that joined this round and are not done
    bool stop_ = false;
    std::exception_ptr error_;
    std::vector<std::thread> workers_;
    const std::thread::id caller_ = std::this_thread::get_id(); ///< the thread that made the team
};

} // namespace khorgos
