#include "sim/calendar.hpp"

#include <catch2/catch.hpp>

using namespace khorgos;

TEST_CASE("day numbers count from 1990-01-01", "[calendar]") {
    CHECK(day_number({1990, 1, 1}) == 0);
    CHECK(day_number({1990, 12, 31}) == 364);
    CHECK(day_number({1992, 3, 1}) == 365 + 365 + 31 + 29); // 1992 is a leap year
    CHECK(day_number({2021, 12, 31}) == 11687);
    CHECK(day_number({1989, 12, 31}) == -1);
}

TEST_CASE("date_of inverts day_number", "[calendar]") {
    for (int d = -1000; d < 20000; d += 7)
        CHECK(day_number(date_of(d)) == d);
    CHECK(date_of(day_number({2000, 2, 29})) == Date{2000, 2, 29});
}

TEST_CASE("invalid dates are recognised", "[calendar]") {
    CHECK(is_valid_date({2000, 2, 29}));
    CHECK_FALSE(is_valid_date({1900, 2, 29}));
    CHECK_FALSE(is_valid_date({2001, 13, 1}));
    CHECK_FALSE(is_valid_date({2001, 4, 31}));
    CHECK(to_string({1992, 2, 1}) == "1992-02-01");
}
