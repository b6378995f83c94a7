#include "sim/calendar.hpp"

#include <cstdio>

namespace khorgos {

Date date_of(int day) {
    // Inverse of days_from_civil (H. Hinnant), shifted to the 1990 epoch.
    std::int64_t z = day + days_from_civil(kEpoch.year, kEpoch.month, kEpoch.day) + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const int y = static_cast<int>(yoe + era * 400) + (m <= 2);
    return Date{y, static_cast<int>(m), static_cast<int>(d)};
}

bool is_valid_date(const Date& date) {
    if (date.month < 1 || date.month > 12 || date.day < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
    const int last = kDays[date.month - 1] + (date.month == 2 && leap ? 1 : 0);
    return date.day <= last;
}

std::string to_string(const Date& date) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year, date.month, date.day);
    return buffer;
}

} // namespace khorgos
