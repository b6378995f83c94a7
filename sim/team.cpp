#include "sim/team.hpp"

namespace khorgos {

Team::Team(int threads) {
    for (int i = 1; i < threads; ++i)
        workers_.emplace_back([this, i] { serve(static_cast<std::size_t>(i)); });
}

Team::~Team() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_)
        w.join();
}

void Team::for_each(std::size_t n, const std::function<void(std::size_t)>& work,
                    const std::function<std::size_t(std::size_t)>& owner) {
    if (workers_.empty() || n <= 1) {
        for (std::size_t i = 0; i < n; ++i)
            work(i);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        work_ = &work;
        owner_ = &owner;
        items_ = n;
        if (taken_.size() < n) taken_ = std::vector<std::atomic<bool>>(n);
        for (std::size_t i = 0; i < n; ++i)
            taken_[i].store(false, std::memory_order_relaxed);
        open_ = true;
        error_ = nullptr;
        ++round_;
    }
    wake_.notify_all();
    take_items(0);
    // Every item is taken: wait only for the workers that joined the round
    // and are still on an item. A worker that has not woken yet is not
    // waited for (it skips the round), so a late wake-up of a sleeping
    // thread, which on a loaded machine can take a time slice, never holds
    // up a step whose work the caller has already done.
    std::unique_lock<std::mutex> lock(mutex_);
    open_ = false;
    finished_.wait(lock, [this] { return active_ == 0; });
    work_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void Team::serve(std::size_t self) {
    std::uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || round_ != seen; });
            if (stop_) return;
            seen = round_;
            if (!open_) continue; // woke after the round's work was done
            ++active_;
        }
        take_items(self);
        std::lock_guard<std::mutex> lock(mutex_);
        if (--active_ == 0) finished_.notify_one();
    }
}

void Team::take_items(std::size_t self) {
    const auto run = [&](std::size_t i) {
        if (taken_[i].load(std::memory_order_relaxed) ||
            taken_[i].exchange(true, std::memory_order_acq_rel))
            return;
        try {
            (*work_)(i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
        }
    };
    const auto threads = static_cast<std::size_t>(size());
    for (std::size_t i = 0; i < items_; ++i) // this thread's own items first
        if ((*owner_)(i) % threads == self) run(i);
    for (std::size_t i = 0; i < items_; ++i) // then any left
        run(i);
}

} // namespace khorgos
