#pragma once
// Next-event scheduling of the agents in Kazakhstan: each agent waits in the
// bucket of the step of its next event (the earliest of its plan and its
// competing exponential events), so a step touches only the agents due in it.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace khorgos {

class Schedule {
  public:
    Schedule(int start_day, int end_day, int step_days)
        : start_day_(start_day), end_day_(end_day), step_days_(step_days),
          buckets_(static_cast<std::size_t>((end_day - start_day) / step_days + 1)) {}

    /// Queues the agent for `day`, or for `not_before` if that is later (an
    /// event never fires in the step that scheduled it: one event per agent
    /// per step). Events past the horizon are dropped.
    void add(std::uint32_t agent, int day, int not_before) {
        day = std::max(day, not_before);
        if (day > end_day_) return;
        buckets_[static_cast<std::size_t>((day - start_day_) / step_days_)].push_back(agent);
    }

    /// The agents due in a step, in the order they were queued.
    const std::vector<std::uint32_t>& due(int step) const {
        return buckets_[static_cast<std::size_t>(step)];
    }

    /// Frees a spent bucket's memory.
    void release(int step) {
        std::vector<std::uint32_t>().swap(buckets_[static_cast<std::size_t>(step)]);
    }

  private:
    int start_day_, end_day_, step_days_;
    std::vector<std::vector<std::uint32_t>> buckets_;
};

} // namespace khorgos
