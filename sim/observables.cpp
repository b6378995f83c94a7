#include "sim/observables.hpp"

#include "sim/calendar.hpp"

#include <numeric>
#include <string>

namespace khorgos {

namespace {

/// Reads tallies by calendar day and year, inside the horizon and up to a day.
class Horizon {
  public:
    Horizon(const Scenario& s, const Tallies& t, int last_day)
        : sc_(s), t_(t), first_year_(year_of(s.start_day)), last_day_(last_day) {}

    bool covers(int first_day, int last_day) const {
        return first_day >= sc_.start_day && last_day <= sc_.end_day && last_day <= last_day_;
    }
    bool ended() const { return last_day_ >= sc_.end_day; }
    bool covers(Date first, Date last) const { return covers(day_number(first), day_number(last)); }
    /// The year's tallies if the whole year lies inside the horizon.
    const YearTally* year(int y) const {
        if (!covers(Date{y, 1, 1}, Date{y, 12, 31})) return nullptr;
        return &t_.yearly[static_cast<std::size_t>(y - first_year_)];
    }
    /// Sum of per_step(step) over the steps whose start day lies in [first, last].
    template <typename F> double sum_steps(Date first, Date last, F per_step) const {
        const int a = day_number(first), b = day_number(last);
        double total = 0;
        const auto steps = t_.daily_pool.extent(0);
        for (std::size_t s = 0; s < steps; ++s) {
            const int d = sc_.start_day + static_cast<int>(s) * sc_.step_days;
            if (d >= a && d <= b) total += per_step(s);
        }
        return total;
    }
    std::size_t step_of(Date d) const {
        return static_cast<std::size_t>((day_number(d) - sc_.start_day) / sc_.step_days);
    }

  private:
    const Scenario& sc_;
    const Tallies& t_;
    const int first_year_, last_day_;
};

} // namespace

std::vector<Observable> observables(const Scenario& sc, const Tallies& t, double k, int last_day) {
    std::vector<Observable> out;
    const Horizon h(sc, t, last_day);
    auto add = [&](const std::string& id, const std::string& period, double value,
                   const std::string& units, const std::string& definition) {
        out.push_back({id, period, value, units, definition});
    };
    for (int year : {2000, 2005, 2006, 2010, 2014})
        if (const auto* y = h.year(year))
            add("nsc_visitors_cn", std::to_string(year),
                std::accumulate(y->entries.begin(), y->entries.end(), 0.0), "1",
                "entries of Chinese citizens (all purposes) recorded in the year");
    // "559 workers from China entered the country according to ... quota" (1993):
    // entries. "This grew to 1,457 by 2004, 5,008 by 2006 and 10,104 by 2010":
    // the year's count of the same statistic, read as permits issued in the
    // year (entries and renewals); permits valid on a date are reported apart
    // (labour_permits_valid_cn), the alternative reading.
    if (const auto* y = h.year(1993))
        add("labour_quota_cn", "1993", y->labour_entered, "1",
            "Chinese workers who entered under the quota in the year");
    for (int year : {2004, 2006, 2010, 2012, 2015})
        if (const auto* y = h.year(year))
            add("labour_quota_cn", std::to_string(year), y->labour_admitted, "1",
                "work permits issued to Chinese quota workers in the year (entries and renewals)");
    if (const auto* y = h.year(2010))
        if (!sc.foreign_quota_workers.empty())
            add("labour_share_cn", "2010", y->labour_admitted / sc.foreign_quota_workers.at(2010.5),
                "1",
                "permits issued to Chinese quota workers / all foreign workers admitted under the "
                "quota (scenario series) in the year");
    for (const Date d : {Date{2005, 1, 1}, Date{2007, 1, 1}, Date{2011, 1, 1}, Date{2015, 1, 1}})
        if (h.covers(Date{d.year - 1, 12, 31}, d))
            add("labour_permits_valid_cn", to_string(d),
                t.daily_permits_valid(h.step_of(Date{d.year - 1, 12, 31})) * k, "1",
                "work permits of Chinese quota workers valid at the start of the day");
    // Final only at the end of the run: the cohort may go home in any later year.
    if (const auto* y = h.year(kVisaFreeCohortYear); y && y->visa_free_days > 0 && h.ended())
        add("nonreturn_per_day_1992", "1992",
            (t.cohort_entered - t.cohort_returned) * k / y->visa_free_days, "d-1",
            "entrants of 1992 under the visa-free regime who never went back to China, per "
            "visa-free day");
    // "73,713 were Kazakh repatriates; 13 - Han Chinese, and 73 - other
    // ethnicities": the first category is a route (repatriation), so an ethnic
    // Kazakh naturalised by marriage or family reunification counts among the others.
    if (h.covers(Date{1995, 1, 1}, Date{2014, 12, 31})) {
        std::array<double, kEthnicities> by{}, other_route{};
        for (int year = 1995; year <= 2014; ++year)
            for (int e = 0; e < kEthnicities; ++e) {
                by[e] += h.year(year)->naturalisations[e];
                other_route[e] += h.year(year)->naturalisations_by_marriage[e] +
                                  h.year(year)->naturalisations_by_reunification[e];
            }
        const std::string period = "1995-01-01/2014-12-31";
        const double total = std::accumulate(by.begin(), by.end(), 0.0);
        const double repatriates =
            by[index(Ethnicity::kazakh)] - other_route[index(Ethnicity::kazakh)];
        add("citizenship_cn", period, total, "1", "naturalisations of people from China");
        add("citizenship_cn_kazakh", period, repatriates, "1",
            "naturalisations of Kazakh repatriates from China (the repatriation route)");
        add("citizenship_cn_han", period, by[index(Ethnicity::han)], "1",
            "naturalisations of Han Chinese from China");
        add("citizenship_cn_other", period, total - repatriates - by[index(Ethnicity::han)], "1",
            "naturalisations of people from China of other ethnicities, and of ethnic Kazakhs "
            "who were not repatriates (by marriage or family reunification)");
    }
    // Oralman/kandas status granted (once per person), by the day of the decision.
    if (h.covers(Date{1991, 1, 1}, Date{2019, 9, 30})) {
        const double grants = h.sum_steps(Date{1991, 1, 1}, Date{2019, 9, 30},
                                          [&](std::size_t s) { return t.daily_status_grants(s); });
        add("repatriates_cn", "1991-01-01/2019-09-30", grants * k, "1",
            "ethnic Kazakhs from China granted oralman/kandas status (a person once)");
    }
    if (const auto* y = h.year(2016))
        add("repatriates_cn", "2016", y->status_grants, "1",
            "ethnic Kazakhs from China granted oralman/kandas status in the year");
    if (h.covers(Date{2020, 1, 1}, Date{2020, 11, 30}))
        add("repatriates_cn", "2020-01-01/2020-11-30",
            h.sum_steps(Date{2020, 1, 1}, Date{2020, 11, 30},
                        [&](std::size_t s) { return t.daily_status_grants(s); }) *
                k,
            "1", "ethnic Kazakhs from China granted kandas status in the period");
    // "Most are concentrated around Almaty and East Kazakhstan Province."
    const Date counted{2019, 9, 30};
    if (h.covers(counted, counted)) {
        const std::size_t s = h.step_of(counted);
        double all = 0, there = 0;
        for (std::size_t r = 0; r < sc.regions.size(); ++r) {
            const double n = t.daily_stock(s, index(AgentType::repatriate), r);
            all += n;
            const std::string& id = sc.regions[r].id;
            if (id == "almaty_city" || id == "almaty_region" || id == "east_kazakhstan") there += n;
        }
        if (all > 0)
            add("repatriates_almaty_east", to_string(counted), there / all, "1",
                "share of repatriates from China present (not yet citizens) who live in Almaty "
                "city, Almaty region or East Kazakhstan");
    }
    // Passengers at Khorgos (all nationalities, both directions): the model's
    // Chinese citizens are a part of them.
    for (std::size_t c = 0; c < sc.crossings.size(); ++c)
        if (sc.crossings[c].id == "khorgos" && h.year(2002)) {
            const double n = h.sum_steps(Date{2002, 1, 1}, Date{2002, 12, 31}, [&](std::size_t s) {
                double x = 0;
                for (int type = 0; type < kAgentTypes; ++type)
                    for (int d = 0; d < kDirections; ++d)
                        x += t.daily_flow(s, type, c, d);
                return x;
            });
            add("khorgos_passengers_cn", "2002", n * k, "1",
                "crossings of Chinese citizens from China at Khorgos in the year, both directions");
        }
    if (h.covers(Date{1991, 1, 1}, Date{2007, 12, 31})) {
        double n = 0;
        for (int year = 1991; year <= 2007; ++year)
            n += h.year(year)->marriages;
        add("marriages_cn", "1991-01-01/2007-12-31", n, "1",
            "marriages of Chinese citizens with citizens of Kazakhstan");
    }
    // The 2009 census counts the Han Chinese living in Kazakhstan: the
    // scenario's diaspora (older migrations), and the run's migrants present
    // 12 months or more or naturalised. The diaspora input is that census
    // figure itself, so the comparison is circular: validation only.
    // The whole year before the census must lie inside the horizon.
    const Date year_before{kCensusDay.year - 1, kCensusDay.month, kCensusDay.day};
    if (t.census_taken && h.covers(year_before, kCensusDay)) {
        const int han = index(Ethnicity::han);
        double diaspora = 0;
        for (const auto& region : sc.regions)
            diaspora += region.diaspora[han];
        add("census_han", to_string(kCensusDay),
            diaspora + (t.census_present_year[han] + t.census_settled[han]) * k, "1",
            "Han Chinese living in Kazakhstan on the census day: the scenario's diaspora, and "
            "the run's Han from China present for 12 months or more or naturalised");
    }
    // Context figures (not fitted by default).
    for (const Date d : {Date{2000, 12, 31}, Date{2009, 12, 31}})
        if (h.covers(d, d)) {
            const double* cells = t.daily_stock.slice(h.step_of(d));
            const double n = std::accumulate(cells, cells + t.daily_stock.slice_size(), 0.0);
            add("cn_present_stock", to_string(d), n * k, "1",
                "Chinese citizens from China present in Kazakhstan on the day");
        }
    const Date end{2021, 12, 31};
    if (h.covers(end, end)) {
        const std::size_t s = h.step_of(end);
        double han = 0, urban = 0;
        for (std::size_t r = 0; r < sc.regions.size(); ++r) {
            const double n = t.daily_stock_by_ethnicity(s, index(Ethnicity::han), r);
            han += n;
            urban += n * sc.regions[r].urban_share;
        }
        add("han_stock", to_string(end), han * k, "1",
            "Han Chinese from China present in Kazakhstan on the day");
        if (han > 0)
            add("han_urban_share", to_string(end), urban / han, "1",
                "share of Han Chinese present who live in cities (regions' urban shares)");
    }
    return out;
}

} // namespace khorgos
