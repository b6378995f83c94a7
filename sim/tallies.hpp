#pragma once
// What a run counts, as named grids indexed by their dimensions (step x type x
// region and so on) instead of hand-written strides. The step loop only adds
// to tallies; observables.cpp and results.cpp turn them into the run's output.
#include "sim/types.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace khorgos {

/// A dense row-major array over `Rank` dimensions (the last one fastest).
template <typename T, std::size_t Rank> class Grid {
  public:
    Grid() = default;
    explicit Grid(const std::array<std::size_t, Rank>& extents) : extents_(extents) {
        std::size_t cells = 1;
        for (const std::size_t e : extents)
            cells *= e;
        values_.assign(cells, T{});
    }

    template <typename... I> T& operator()(I... i) { return values_[offset(i...)]; }
    template <typename... I> const T& operator()(I... i) const { return values_[offset(i...)]; }

    /// The cells whose first index is `first` (one step of a daily grid), contiguous.
    T* slice(std::size_t first) { return values_.data() + first * values_.size() / extents_[0]; }
    const T* slice(std::size_t first) const {
        return values_.data() + first * values_.size() / extents_[0];
    }
    std::size_t slice_size() const { return values_.size() / extents_[0]; }

    std::size_t extent(std::size_t dimension) const { return extents_[dimension]; }
    /// Hands the cells over (the grid is left empty): the run's output takes
    /// the daily series without a copy, which would double the peak memory.
    std::vector<T> take() { return std::move(values_); }
    const std::vector<T>& values() const { return values_; }

  private:
    template <typename... I> std::size_t offset(I... i) const {
        static_assert(sizeof...(I) == Rank, "one index per dimension");
        const std::size_t index[] = {static_cast<std::size_t>(i)...};
        std::size_t o = index[0];
        for (std::size_t d = 1; d < Rank; ++d)
            o = o * extents_[d] + index[d];
        return o;
    }

    std::array<std::size_t, Rank> extents_{};
    std::vector<T> values_;
};

/// Where a member of the pools is (the `population` series).
enum class Status : std::uint8_t { at_origin, in_kazakhstan, left_onward, naturalised };
constexpr int kStatuses = 4;
constexpr std::array<std::string_view, kStatuses> kStatusNames{"at_origin", "in_kazakhstan",
                                                               "left_onward", "naturalised"};

/// Counts of one calendar year, in persons (agents x scale).
struct YearTally {
    std::array<double, kAgentTypes> entries{};
    std::array<double, kPurposes> entries_by_purpose{};
    double labour_admitted = 0; ///< permits issued: quota entries and renewals
    double labour_entered = 0;  ///< quota workers who entered the country
    double labour_cap = 0;      ///< the largest cap in force during the year
    double repatriate_households_assisted = 0;
    double repatriate_household_cap = 0;
    std::array<double, kEthnicities> naturalisations{};
    std::array<double, kEthnicities> naturalisations_by_marriage{};      ///< the marriage route
    std::array<double, kEthnicities> naturalisations_by_reunification{}; ///< family reunification
    double marriages = 0;
    double status_grants = 0; ///< repatriates granted oralman/kandas status
    std::array<double, kEventKinds> events{};
    double visa_free_days = 0; ///< days of the year on which entry was visa-free
};

/// Everything the run counts. Stocks and the daily series are in agents; the
/// yearly tallies in persons.
struct Tallies {
    Tallies(std::size_t steps, std::size_t years, std::size_t regions, std::size_t crossings)
        : stock({kAgentTypes, regions}), stock_by_ethnicity({kEthnicities, regions}),
          settled({kEthnicities, regions}), daily_stock({steps, kAgentTypes, regions}),
          daily_stock_by_ethnicity({steps, kEthnicities, regions}),
          daily_flow({steps, kAgentTypes, crossings, kDirections}),
          daily_onward({steps, kAgentTypes}), daily_population({steps, kStatuses}),
          daily_pool({steps}), daily_status_grants({steps}), daily_permits_valid({steps}),
          yearly(years) {}

    // In Kazakhstan now.
    Grid<int, 2> stock;              ///< type x region
    Grid<int, 2> stock_by_ethnicity; ///< ethnicity x region
    Grid<int, 2> settled; ///< ethnicity x region: naturalised, living in Kazakhstan as citizens
    double left_onward = 0, naturalised = 0, pool_created = 0;
    int permits_valid = 0; ///< quota workers whose permit (contract) runs

    // By step.
    Grid<double, 3> daily_stock;              ///< step x type x region, at the step's end
    Grid<double, 3> daily_stock_by_ethnicity; ///< step x ethnicity x region
    Grid<double, 4> daily_flow;               ///< step x type x crossing x direction
    Grid<double, 2> daily_onward;             ///< step x type
    Grid<double, 2> daily_population;         ///< step x status
    Grid<double, 1> daily_pool;               ///< step
    Grid<double, 1> daily_status_grants;      ///< step: repatriates granted status
    Grid<double, 1> daily_permits_valid;      ///< step: work permits valid at the step's end

    std::vector<YearTally> yearly; ///< by calendar year of the horizon

    /// The cohort that entered without a visa while entry was visa-free in
    /// `cohort_year` (set by observables.hpp), and how many of it went home.
    int cohort_year = 0;
    double cohort_entered = 0, cohort_returned = 0;

    /// The census-style resident stock on the census day (observables.hpp),
    /// by ethnicity, in agents: present since a year before (12 months or
    /// more), and naturalised citizens.
    std::array<double, kEthnicities> census_present_year{}, census_settled{};
    bool census_taken = false;

    double person_days = 0;   ///< agent-days in Kazakhstan
    std::uint64_t events = 0; ///< agent events
};

} // namespace khorgos
