#pragma once
// Numbers as text, one way for every layer: `exact` where the text is read
// back (overrides, CSV files, scenario fragments, targets files, messages
// that quote a value), `figure` where people read it (fit tables, reports),
// `duration` for wall times (progress lines).
#include <string>

namespace khorgos {

/// The shortest text that reads back (strtod) as exactly `x`.
std::string exact(double x);

/// Three significant digits below 10 or from 1e7 on, else a whole number;
/// "n/a" for NaN (e.g. 0.298, 1.14, 52566, 1.23e+07).
std::string figure(double x);

/// A wall time rounded to the second: "42s", "3m05s", "2h07m".
std::string duration(double seconds);

} // namespace khorgos
