#pragma once
// Next-event scheduling of the agents in Kazakhstan: each agent waits in the
// bucket of the step of its next event (the earliest of its plan and its
// competing exponential events), so a step touches only the agents due in it.
// The applicants waiting for a status review wait the same way, in buckets of
// their own (settlement.cpp).
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
    /// per step). Items past the horizon are dropped.
    void add(const Item& item, int day, int not_before) {
        if (auto* b = bucket(day, not_before)) b->push_back(item);
    }

    /// The bucket that add(item, day, not_before) appends to; null past the horizon.
    std::vector<Item>* bucket(int day, int not_before) {
        day = std::max(day, not_before);
        if (day > end_day_) return nullptr;
        return &buckets_[static_cast<std::size_t>((day - start_day_) / step_days_)];
    }

    /// The items due in a step, in the order they were queued.
    const std::vector<Item>& due(int step) const {
        return buckets_[static_cast<std::size_t>(step)];
    }

    /// Frees a spent bucket's memory.
    void release(int step) { std::vector<Item>().swap(buckets_[static_cast<std::size_t>(step)]); }

  private:
    int start_day_, end_day_, step_days_;
    std::vector<std::vector<Item>> buckets_;
};

/// The agents in Kazakhstan (slots) by the step of their next event.
using Schedule = StepBuckets<std::uint32_t>;

} // namespace khorgos
