#include "parse_one.hpp"

#include "input/batch_spec.hpp"
#include "input/calibration_file.hpp"
#include "input/check_file.hpp"
#include "input/file_source.hpp"
#include "input/scenario_file.hpp"
#include "input/targets_file.hpp"
#include "input/toml_reader.hpp"
#include "sim/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace khorgos::fuzz {

namespace {
[[noreturn]] void bug(const char* what, const std::string& message) {
    std::fprintf(stderr, "parse_one: %s: %s\n", what, message.c_str());
    std::abort();
}

/// Splits the input at its "#@ NAME" lines into virtual files.
MemoryFiles split(const std::string& input) {
    MemoryFiles files;
    std::string name = kInputName, text;
    int count = 1;
    std::size_t at = 0;
    while (at < input.size()) {
        std::size_t end = input.find('\n', at);
        end = end == std::string::npos ? input.size() : end + 1;
        const std::string line = input.substr(at, end - at);
        at = end;
        if (count < kMaxFiles && line.rfind(kFileMarker, 0) == 0) {
            std::string next = line.substr(std::char_traits<char>::length(kFileMarker));
            while (!next.empty() && (next.back() == '\n' || next.back() == '\r'))
                next.pop_back();
            if (!next.empty()) {
                // A name given twice: the first file of that name stays.
                if (!files.read(name)) files.add(name, text);
                name = next;
                text.clear();
                ++count;
                continue;
            }
        }
        text += line;
    }
    if (!files.read(name)) files.add(name, text);
    return files;
}

/// An InputError must name a virtual file and a position inside it.
void check_error(const InputError& e, const MemoryFiles& files) {
    const std::string message = e.what();
    const std::optional<std::string> text = files.read(e.file());
    if (e.file().empty() || !text) bug("an InputError that does not name an input file", message);
    if (message.rfind(e.file(), 0) != 0)
        bug("an InputError that does not start with its file", message);
    const long lines = static_cast<long>(std::count(text->begin(), text->end(), '\n')) + 1;
    if (e.line() < 0 || e.line() > lines || e.column() < 0)
        bug("an InputError located outside its file", message);
}

/// What an accepted file must satisfy beyond not throwing.
void check_accepted(const MemoryFiles& files) {
    const toml::table root = parse_toml_file(kInputName, files);
    if (root.contains("calibration")) {
        const auto spec = calibration::load_calibration(kInputName, "", files);
        if (spec.priors.empty() || spec.fitted.size() != spec.targets.size() ||
            std::find(spec.fitted.begin(), spec.fitted.end(), true) == spec.fitted.end())
            bug("an accepted calibration", "no prior, or no fitted target");
        for (const auto& p : spec.priors)
            if (!(p.lower < p.upper)) bug("an accepted calibration", "a prior with lower >= upper");
        if (spec.replicates < 1 || spec.abc.particles < 2)
            bug("an accepted calibration", "no replicate or fewer than 2 particles");
    } else if (root.contains("batch")) {
        const auto spec = batch::load_spec(kInputName, files);
        if (spec.scenarios.empty() || spec.baseline >= spec.scenarios.size() ||
            spec.variations.empty() || spec.replicates < 1)
            bug("an accepted batch", "no scenario, a bad baseline, no variation or no replicate");
        for (const auto& row : spec.variations) {
            if (row.size() != spec.varied.size())
                bug("an accepted batch", "a variation row of the wrong length");
            for (double x : row)
                if (!std::isfinite(x)) bug("an accepted batch", "a non-finite varied value");
        }
        // Expanding is linear in the runs; a small batch is expanded and checked.
        if (spec.scenarios.size() * spec.variations.size() *
                static_cast<std::size_t>(spec.replicates) <=
            10000) {
            const auto runs = batch::expand(spec);
            for (std::size_t i = 0; i < runs.size(); ++i)
                if (runs[i].index != i || runs[i].path.empty())
                    bug("an accepted batch", "a run without its index or path");
        }
    } else if (root.contains("target")) {
        const auto targets =
            calibration::load_targets_text(files.read(kInputName).value_or(""), kInputName);
        for (const auto& t : targets)
            if (!(t.lower <= t.value && t.value <= t.upper))
                bug("accepted targets", "lower <= value <= upper fails");
    } else {
        const LoadedScenario loaded = load_scenario(kInputName, files);
        const Scenario& s = loaded.scenario;
        if (s.end_day <= s.start_day || s.origins.empty() || s.crossings.empty() ||
            s.regions.empty())
            bug("an accepted scenario", "an empty horizon or no origin, crossing or region");
        for (const auto& e : s.events)
            if (e.day < s.start_day || e.day > s.end_day)
                bug("an accepted scenario", "an event outside the horizon");
    }
}
} // namespace

Verdict parse_one(const std::string& input, std::string* message) {
    if (input.rfind("--set=", 0) == 0) {
        try {
            Scenario s;
            apply_override(s, input.substr(6));
            if (message) *message = "ok (--set)";
            return Verdict::accepted;
        } catch (const InputError& e) {
            if (std::string(e.what()).rfind("--set", 0) != 0)
                bug("an --set error that does not say --set", e.what());
            if (message) *message = e.what();
            return Verdict::rejected;
        } catch (const std::exception& e) {
            bug("an exception other than InputError", e.what());
        } catch (...) {
            bug("a non-standard exception", "(unknown)");
        }
    }
    const MemoryFiles files = split(input);
    try {
        const std::string summary = check_file(kInputName, files);
        check_accepted(files);
        if (message) *message = summary;
        return Verdict::accepted;
    } catch (const InputError& e) {
        check_error(e, files);
        if (message) *message = e.what();
        return Verdict::rejected;
    } catch (const std::exception& e) {
        bug("an exception other than InputError", e.what());
    } catch (...) {
        bug("a non-standard exception", "(unknown)");
    }
}

} // namespace khorgos::fuzz
