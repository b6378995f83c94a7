#include "parse_one.hpp"

#include "calibration/targets.hpp"
#include "sim/errors.hpp"
#include "sim/scenario_file.hpp"
#include "sim/toml_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace khorgos::fuzz {

namespace {
[[noreturn]] void bug(const char* what, const char* message) {
    std::fprintf(stderr, "parse_one: %s: %s\n", what, message);
    std::abort();
}

/// An InputError must name the input and a position inside it.
void check_error(const InputError& e, const std::string& text) {
    const std::string message = e.what();
    if (message.rfind(kInputName, 0) != 0)
        bug("an InputError that does not name the file", e.what());
    const long lines = static_cast<long>(std::count(text.begin(), text.end(), '\n')) + 1;
    if (e.line() < 0 || e.line() > lines || e.column() < 0)
        bug("an InputError located outside the input", e.what());
}
} // namespace

Verdict parse_one(const std::string& text) {
    // Input starting with "--set=" is a command-line override instead.
    if (text.rfind("--set=", 0) == 0) {
        try {
            Scenario s;
            apply_override(s, text.substr(6));
            return Verdict::accepted;
        } catch (const InputError& e) {
            if (std::string(e.what()).rfind("--set", 0) != 0)
                bug("an --set error that does not say --set", e.what());
            return Verdict::rejected;
        } catch (const std::exception& e) {
            bug("an exception other than InputError", e.what());
        } catch (...) {
            bug("a non-standard exception", "(unknown)");
        }
    }
    try {
        bool is_targets = false;
        {
            const toml::table root = parse_toml_text(text, kInputName);
            is_targets = root.contains("target");
        }
        if (is_targets) {
            const auto targets = calibration::load_targets_text(text, kInputName);
            for (const auto& t : targets)
                if (!(t.lower <= t.value && t.value <= t.upper))
                    bug("accepted targets", "lower <= value <= upper fails");
        } else {
            const LoadedScenario loaded = load_scenario_text(text, kInputName);
            const Scenario& s = loaded.scenario;
            if (s.end_day <= s.start_day || s.origins.empty() || s.crossings.empty() ||
                s.regions.empty())
                bug("an accepted scenario", "an empty horizon or no origin, crossing or region");
            for (const auto& e : s.events)
                if (e.day < s.start_day || e.day > s.end_day)
                    bug("an accepted scenario", "an event outside the horizon");
        }
        return Verdict::accepted;
    } catch (const InputError& e) {
        check_error(e, text);
        return Verdict::rejected;
    } catch (const std::exception& e) {
        bug("an exception other than InputError", e.what());
    } catch (...) {
        bug("a non-standard exception", "(unknown)");
    }
}

} // namespace khorgos::fuzz
