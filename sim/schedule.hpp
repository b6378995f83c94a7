#pragma once
// Next-event scheduling of the agents in Kazakhstan: each agent's record
// waits in the bucket of the step of its next event (the earliest of its plan
// and its competing exponential events), so a step reads only the records due
// in it, one after the other. The applicants waiting for a status review wait
// the same way, in buckets of their own (settlement.cpp).
#include <algorithm>
#include <cstdint>
#include <vector>

namespace khorgos {

/// Items queued for the step in which their day falls.
template <typename Item> class StepBuckets {
  public:
    StepBuckets(int start_day, int end_day, int step_days)
        : start_day_(start_day), end_day_(end_day), step_days_(step_days),
          buckets_(static_cast<std::size_t>((end_day - start_day) / step_days + 1)) {}

    /// Queues the item for `day`, or for `not_before` if that is later (an
    /// event never fires in the step that scheduled it: one event per agent
    /// per step). Items past the horizon wait beyond it: never due, but
    /// still there (the census counts them).
    void add(const Item& item, int day, int not_before) { bucket(day, not_before).push_back(item); }

    /// The bucket that add(item, day, not_before) appends to.
    std::vector<Item>& bucket(int day, int not_before) {
        day = std::max(day, not_before);
        if (day > end_day_) return beyond_;
        return buckets_[static_cast<std::size_t>((day - start_day_) / step_days_)];
    }

    /// The items due in a step, in the order they were queued.
    std::vector<Item>& due(int step) { return buckets_[static_cast<std::size_t>(step)]; }

    /// Frees a spent bucket's memory.
    void release(int step) { std::vector<Item>().swap(buckets_[static_cast<std::size_t>(step)]); }

    /// Calls f(item) for every item waiting in the buckets of `first_step`
    /// and later, and beyond the horizon.
    template <typename F> void for_each_waiting(int first_step, F f) {
        for (auto b = buckets_.begin() + first_step; b != buckets_.end(); ++b)
            for (Item& item : *b)
                f(item);
        for (Item& item : beyond_)
            f(item);
    }

  private:
    int start_day_, end_day_, step_days_;
    std::vector<std::vector<Item>> buckets_;
    std::vector<Item> beyond_; ///< items whose day is past the horizon
};

} // namespace khorgos
