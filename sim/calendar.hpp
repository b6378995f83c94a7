#pragma once
// Civil dates and day numbers. Days are counted from 1990-01-01 (day 0), the
// epoch of every time axis in khorgos ("days since 1990-01-01").
#include <cstdint>
#include <string>

namespace khorgos {

struct Date {
    int year = 1990;
    int month = 1;
    int day = 1;
    friend bool operator==(const Date& a, const Date& b) {
        return a.year == b.year && a.month == b.month && a.day == b.day;
    }
};

constexpr Date kEpoch{1990, 1, 1};

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Day number relative to 1990-01-01.
constexpr int day_number(const Date& date) {
    return static_cast<int>(days_from_civil(date.year, date.month, date.day) -
                            days_from_civil(kEpoch.year, kEpoch.month, kEpoch.day));
}

/// The date of a day number relative to 1990-01-01.
Date date_of(int day_number);

/// Calendar year of a day number.
inline int year_of(int day) {
    return date_of(day).year;
}

bool is_valid_date(const Date& date);
std::string to_string(const Date& date);

} // namespace khorgos
