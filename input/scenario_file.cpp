#include "input/scenario_file.hpp"

#include "input/toml_reader.hpp"
#include "io/numbers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace khorgos {

namespace fs = std::filesystem;

namespace {

/// Merges `over` into `base`: tables key by key, anything else replaces.
/// Nodes are moved, so they keep their file and line for error messages.
void merge(toml::table& base, toml::table&& over) {
    for (auto&& [key, node] : over) {
        toml::node* existing = base.get(key);
        if (existing && existing->is_table() && node.is_table() && key.str() != "events")
            merge(*existing->as_table(), std::move(*node.as_table()));
        else
            base.insert_or_assign(key, std::move(node));
    }
}

/// Reads a file and its `extends` chain (from `files`) into one merged table.
toml::table load_merged(const std::string& path, const FileSource& files,
                        std::vector<std::string>& chain, std::string& text) {
    chain.push_back(files.identity(path));
    const std::optional<std::string> body = files.read(path);
    if (!body) throw InputError(path, 0, 0, "", "cannot open the file (missing or unreadable)");
    toml::table table = parse_toml_text(*body, path);
    text = "# ---- " + path + " ----\n" + *body + (text.empty() ? "" : "\n" + text);
    const toml::node* extends = table.get("extends");
    if (!extends) {
        if (table.contains("remove_events"))
            fail_at(*table.get("remove_events"), path, "remove_events",
                    "only a file that `extends` another can remove its events");
        return table;
    }
    if (!extends->is_string())
        fail_at(*extends, path, "extends", "expected a file name (a string)");
    const fs::path parent_path = fs::path(path).parent_path() / *extends->value<std::string>();
    if (!files.read(parent_path.string()))
        fail_at(*extends, path, "extends",
                "parent file '" + parent_path.string() + "' does not exist");
    // A cycle is reported at the `extends` that closes it, with its line.
    if (std::find(chain.begin(), chain.end(), files.identity(parent_path.string())) != chain.end())
        fail_at(*extends, path, "extends",
                "`extends` cycle: '" + parent_path.string() +
                    "' is this file or extends it (directly or through its parents)");
    toml::table parent = load_merged(parent_path.string(), files, chain, text);

    // Events: the parent's, minus `remove_events`, then this file's.
    for (const toml::table* t : {&parent, &table})
        if (const toml::node* e = t->get("events"); e && !e->is_array())
            fail_at(*e, t == &table ? path : parent_path.string(), "events",
                    "expected an array of tables ([[events]])");
    toml::array events;
    std::set<std::string> removed, used;
    if (const toml::node* r = table.get("remove_events")) {
        if (!r->is_array()) fail_at(*r, path, "remove_events", "expected an array of event ids");
        for (const auto& id : *r->as_array()) {
            if (!id.is_string() || id.value<std::string>()->empty())
                fail_at(id, path, "remove_events", "expected an event id (a non-empty string)");
            removed.insert(*id.value<std::string>());
        }
    }
    if (toml::node* pe = parent.get("events"); pe && pe->is_array())
        for (auto&& e : *pe->as_array()) {
            const toml::node* id = e.is_table() ? e.as_table()->get("id") : nullptr;
            const std::string name = id && id->is_string() ? *id->value<std::string>() : "";
            if (removed.count(name)) {
                used.insert(name);
                continue;
            }
            events.push_back(std::move(e));
        }
    for (const auto& name : removed)
        if (!used.count(name))
            fail_at(*table.get("remove_events"), path, "remove_events",
                    "no event with id '" + name + "' in the parent scenario");
    if (toml::node* ce = table.get("events"); ce && ce->is_array())
        for (auto&& e : *ce->as_array())
            events.push_back(std::move(e));
    table.erase("extends");
    table.erase("remove_events");
    table.erase("events");
    parent.erase("events");
    merge(parent, std::move(table));
    parent.insert_or_assign("events", std::move(events));
    return parent;
}

template <std::size_t N>
int vocabulary_index(const std::array<std::string_view, N>& names, const toml::node& node,
                     const std::string& file, const std::string& key, const std::string& what) {
    if (!node.is_string()) fail_at(node, file, key, "expected " + what + " name (a string)");
    const std::string name = *node.value<std::string>();
    if (const auto i = index_of(names, name)) return *i;
    std::string known;
    for (const auto& n : names)
        known += (known.empty() ? "" : ", ") + std::string(n);
    fail_at(node, file, key, "unknown " + what + " '" + name + "' (known: " + known + ")");
}

class ScenarioParser {
  public:
    ScenarioParser(const toml::table& root, std::string file)
        : root_(root, file, ""), file_(std::move(file)) {}

    Scenario parse() {
        Scenario s;
        s.name = root_.string("name", "unnamed");
        s.description = root_.string("description", "");
        horizon(s);
        initial_policy(s);
        s.onward_destination = root_.string("onward_destination", "russia_europe");
        origins(s);
        crossings(s);
        regions(s);
        pools(s);
        drivers(s);
        if (root_.has("foreign_quota_workers"))
            s.foreign_quota_workers =
                series_table(root_.subtable("foreign_quota_workers"), "foreign_quota_workers.");
        partner_pools(s);
        parameters(s);
        events(s);
        root_.finish();
        return s;
    }

  private:
    void partner_pools(Scenario& s) {
        if (!root_.has("partner_pools")) return;
        TableReader p(root_.subtable("partner_pools"), file_, "partner_pools.");
        for (int e = 0; e < kEthnicities; ++e)
            s.partner_pool[e] = p.number(std::string(kEthnicityNames[e]), 0, 1e10, 0);
        p.string("source", "");
        p.string("note", "");
        p.finish();
    }

    void horizon(Scenario& s) {
        TableReader h(root_.subtable("horizon"), file_, "horizon.");
        const Date start = h.date("start");
        const Date end = h.date("end");
        s.start_day = day_number(start);
        s.end_day = day_number(end);
        if (s.end_day <= s.start_day)
            h.fail("end", "must be after horizon.start (" + to_string(start) + ")");
        s.step_days = static_cast<int>(h.integer("step_days", 1, 7, 1));
        if (s.step_days != 1 && s.step_days != 7) h.fail("step_days", "must be 1 or 7");
        h.finish();
    }

    void initial_policy(Scenario& s) {
        if (!root_.has("initial_policy")) return;
        TableReader p(root_.subtable("initial_policy"), file_, "initial_policy.");
        s.initial.visa_free = p.boolean("visa_free", s.initial.visa_free);
        s.initial.militarised = p.boolean("militarised", s.initial.militarised);
        s.initial.consulate = p.boolean("consulate", s.initial.consulate);
        s.initial.business_visas = p.boolean("business_visas", s.initial.business_visas);
        p.finish();
    }

    template <typename T>
    void check_unique(const std::vector<T>& items, TableReader& r, const std::string& id) {
        for (const auto& item : items)
            if (item.id == id) r.fail("id", "duplicate id '" + id + "'");
        if (id.empty() || id.size() > 64) r.fail("id", "must be 1 to 64 characters");
    }

    void origins(Scenario& s) {
        for_each_table(root_.array("origins"), file_, "origins", [&](TableReader& r) {
            Origin o{r.string("id"), r.string("name", "")};
            check_unique(s.origins, r, o.id);
            s.origins.push_back(o);
        });
        if (s.origins.empty()) root_.fail("origins", "needs at least one origin");
        if (s.origins.size() > 64) root_.fail("origins", "at most 64 origins");
    }

    int origin_index(const Scenario& s, const toml::node& node, const std::string& key) {
        if (!node.is_string()) fail_at(node, file_, key, "expected an origin id (a string)");
        const std::string id = *node.value<std::string>();
        for (std::size_t i = 0; i < s.origins.size(); ++i)
            if (s.origins[i].id == id) return static_cast<int>(i);
        fail_at(node, file_, key, "unknown origin '" + id + "'");
    }

    void crossings(Scenario& s) {
        for_each_table(root_.array("crossings"), file_, "crossings", [&](TableReader& r) {
            Crossing c;
            c.id = r.string("id");
            check_unique(s.crossings, r, c.id);
            c.name = r.string("name", "");
            c.open_at_start = r.boolean("open_at_start", false);
            c.capacity_per_day = r.number("capacity_per_day", 0, 1e7, 0);
            c.proximity.assign(s.origins.size(), 0);
            TableReader p(r.subtable("proximity"), file_, r.key("proximity."));
            for (const auto& [k, v] : p.table()) {
                const std::string origin(k.str());
                const bool known = std::any_of(s.origins.begin(), s.origins.end(),
                                               [&](const Origin& o) { return o.id == origin; });
                if (!known) fail_at(v, file_, p.key(origin), "unknown origin '" + origin + "'");
            }
            for (std::size_t o = 0; o < s.origins.size(); ++o)
                c.proximity[o] = p.number(s.origins[o].id, 0, 1e6, 0);
            p.finish();
            s.crossings.push_back(c);
        });
        if (s.crossings.empty()) root_.fail("crossings", "needs at least one crossing");
        if (s.crossings.size() > 100) root_.fail("crossings", "at most 100 crossings");
    }

    /// A number (constant) or a table { year = value, ... }.
    Series series(const toml::node& node, const std::string& key, bool log_linear = false) {
        Series out;
        out.log_linear = log_linear;
        if (node.is_number()) {
            out.years = {0};
            out.values = {number_at(node, file_, key, 0, 1e12)};
            return out;
        }
        if (!node.is_table())
            fail_at(node, file_, key, "expected a number or a table { year = value }");
        std::map<int, double> points;
        for (const auto& [k, v] : *node.as_table()) {
            const std::string year = std::string(k.str());
            char* end = nullptr;
            const long y = std::strtol(year.c_str(), &end, 10);
            if (year.empty() || *end != '\0' || y < 1900 || y > 2200)
                fail_at(v, file_, key + "." + year, "series keys must be years (1900-2200)");
            points[static_cast<int>(y)] = number_at(v, file_, key + "." + year, 0, 1e12);
        }
        if (points.empty()) fail_at(node, file_, key, "series is empty");
        for (const auto& [y, v] : points) {
            out.years.push_back(y);
            out.values.push_back(v);
        }
        return out;
    }

    Series series_table(const toml::table& table, const std::string& prefix) {
        TableReader r(table, file_, prefix);
        const std::string interpolation = r.string("interpolation", "linear");
        if (interpolation != "linear" && interpolation != "log-linear")
            r.fail("interpolation", "must be \"linear\" or \"log-linear\"");
        Series out = series(r.node("values"), r.key("values"), interpolation == "log-linear");
        r.string("source", "");
        r.string("note", "");
        r.finish();
        return out;
    }

    void regions(Scenario& s) {
        for_each_table(root_.array("regions"), file_, "regions", [&](TableReader& r) {
            Region g;
            g.id = r.string("id");
            check_unique(s.regions, r, g.id);
            g.name = r.string("name", "");
            g.urban_share = r.number("urban_share", 0, 1);
            TableReader a(r.subtable("attractiveness"), file_, r.key("attractiveness."));
            for (int t = 0; t < kAgentTypes; ++t) {
                const std::string type(kAgentTypeNames[t]);
                g.attractiveness[t] =
                    a.has(type) ? series(a.node(type), a.key(type)) : Series{{0}, {0}, false};
            }
            a.finish();
            if (r.has("diaspora")) {
                TableReader d(r.subtable("diaspora"), file_, r.key("diaspora."));
                for (int e = 0; e < kEthnicities; ++e)
                    g.diaspora[e] = d.number(std::string(kEthnicityNames[e]), 0, 1e9, 0);
                d.finish();
            }
            r.string("source", "");
            s.regions.push_back(g);
        });
        if (s.regions.empty()) root_.fail("regions", "needs at least one region");
        if (s.regions.size() > 200) root_.fail("regions", "at most 200 regions");
        for (int t = 0; t < kAgentTypes; ++t) {
            bool any = false;
            for (const auto& g : s.regions)
                for (double v : g.attractiveness[t].values)
                    any = any || v > 0;
            if (!any)
                root_.fail("regions", "no region attracts agent type '" +
                                          std::string(kAgentTypeNames[t]) +
                                          "' (every attractiveness is 0)");
        }
    }

    void pools(Scenario& s) {
        for_each_table(root_.array("pools"), file_, "pools", [&](TableReader& r) {
            Pool p;
            p.type = static_cast<AgentType>(vocabulary_index(kAgentTypeNames, r.node("type"), file_,
                                                             r.key("type"), "agent type"));
            p.origin = origin_index(s, r.node("origin"), r.key("origin"));
            p.size = series(r.node("size"), r.key("size"));
            for (double v : p.size.values)
                if (v > 1e9) r.fail("size", "a pool of more than 1e9 persons is not plausible");
            TableReader e(r.subtable("ethnicity"), file_, r.key("ethnicity."));
            double total = 0;
            for (int k = 0; k < kEthnicities; ++k)
                total += p.ethnicity[k] = e.number(std::string(kEthnicityNames[k]), 0, 1, 0);
            e.finish();
            if (std::abs(total - 1) > 1e-6) {
                std::ostringstream sum;
                sum << total;
                r.fail("ethnicity", "shares must sum to 1, they sum to " + sum.str());
            }
            for (const auto& q : s.pools)
                if (q.type == p.type && q.origin == p.origin)
                    r.fail("origin", "a pool of this type at this origin is already defined");
            r.string("source", "");
            s.pools.push_back(p);
        });
        if (s.pools.size() * kEthnicities > 60000) root_.fail("pools", "too many pools");
    }

    void drivers(Scenario& s) {
        if (root_.has("drivers")) {
            TableReader d(root_.subtable("drivers"), file_, "drivers.");
            for (const auto& [k, v] : d.table()) {
                const std::string id(k.str());
                d.has(id);
                if (!v.is_table()) fail_at(v, file_, d.key(id), "expected a table with `values`");
                s.drivers.push_back(Driver{id, series_table(*v.as_table(), d.key(id) + ".")});
            }
            d.finish();
        }
        if (root_.has("labour_quota_china")) {
            TableReader q(root_.subtable("labour_quota_china"), file_, "labour_quota_china.");
            s.labour_quota_china = driver_index(s, q, "driver");
            q.string("note", "");
            q.finish();
        }
        if (!root_.has("type_drivers")) return;
        TableReader t(root_.subtable("type_drivers"), file_, "type_drivers.");
        for (int k = 0; k < kAgentTypes; ++k) {
            const std::string type(kAgentTypeNames[k]);
            if (!t.has(type)) continue;
            s.driver_of_type[k] = driver_index(s, t, type);
        }
        t.finish();
    }

    /// The index in s.drivers of the driver that `key` of `table` names.
    int driver_index(const Scenario& s, TableReader& table, const std::string& key) {
        const std::string id = table.string(key);
        for (std::size_t i = 0; i < s.drivers.size(); ++i)
            if (s.drivers[i].id == id) return static_cast<int>(i);
        table.fail(key, "unknown driver '" + id + "'");
    }

    void parameters(Scenario& s) {
        if (!root_.has("parameters")) return;
        walk_parameters(root_.subtable("parameters"), "", s);
    }

    void walk_parameters(const toml::table& table, const std::string& prefix, Scenario& s) {
        for (const auto& [k, v] : table) {
            const std::string name = prefix + std::string(k.str());
            if (v.is_table()) {
                walk_parameters(*v.as_table(), name + ".", s);
                continue;
            }
            const auto p = find_parameter(name);
            if (!p)
                fail_at(v, file_, "parameters." + name, "unknown parameter" + replaced_by(name));
            // `a.b = 1` and `"a.b" = 2` name the same parameter: which would win is unclear.
            if (!parameters_seen_.insert(*p).second)
                fail_at(v, file_, "parameters." + name, "is given twice (dotted and quoted keys)");
            const ParamSpec& spec = parameter_specs()[static_cast<int>(*p)];
            s.parameters[*p] = number_at(v, file_, "parameters." + name, spec.lower, spec.upper);
        }
    }

    int crossing_index(const Scenario& s, TableReader& r) {
        const std::string id = r.string("crossing");
        if (id == "all") return -1;
        for (std::size_t i = 0; i < s.crossings.size(); ++i)
            if (s.crossings[i].id == id) return static_cast<int>(i);
        r.fail("crossing", "unknown crossing '" + id + "'");
    }

    void events(Scenario& s) {
        if (!root_.has("events")) return;
        std::map<std::string, int> last_day_of_file;
        std::set<std::string> ids;
        for_each_table(root_.array("events"), file_, "events", [&](TableReader& r) {
            PolicyEvent e;
            e.id = r.string("id", "");
            if (!e.id.empty() && !ids.insert(e.id).second)
                r.fail("id", "duplicate event id '" + e.id + "'");
            e.kind = static_cast<PolicyKind>(vocabulary_index(kPolicyKindNames, r.node("kind"),
                                                              file_, r.key("kind"), "event kind"));
            const Date date = r.date("date");
            e.day = day_number(date);
            if (e.day < s.start_day || e.day > s.end_day)
                r.fail("date", to_string(date) + " is outside the horizon");
            // Dates must be in order within each file (a counterfactual's own events may
            // fall between its parent's).
            const auto& src = r.node("date").source();
            const std::string origin_file = src.path ? *src.path : file_;
            auto [it, fresh] = last_day_of_file.emplace(origin_file, e.day);
            if (!fresh) {
                if (e.day < it->second)
                    r.fail("date", to_string(date) + " is before the previous event's date");
                it->second = e.day;
            }
            switch (e.kind) {
            case PolicyKind::labour_quota:
                e.value = r.number("quota", 0, 1e8);
                break;
            case PolicyKind::repatriation:
                e.value = r.number("quota_families", 0, 1e7);
                e.assistance = r.number("assistance", 0, 100);
                break;
            case PolicyKind::crossing_open:
            case PolicyKind::crossing_close:
                e.crossing = crossing_index(s, r);
                break;
            case PolicyKind::crossing_capacity:
                e.crossing = crossing_index(s, r);
                e.value = r.number("capacity_per_day", 0, 1e7);
                break;
            case PolicyKind::crossing_weight:
                e.crossing = crossing_index(s, r);
                e.value = r.number("factor", 0, 1e6);
                break;
            case PolicyKind::exit_regime: {
                const std::string who = r.string("ethnicity");
                if (who != "all")
                    e.ethnicity = vocabulary_index(kEthnicityNames, r.node("ethnicity"), file_,
                                                   r.key("ethnicity"), "ethnicity");
                e.value = r.number("level", 0, 1);
                break;
            }
            default:
                break;
            }
            r.string("source", "");
            r.string("note", "");
            s.events.push_back(e);
        });
        std::stable_sort(s.events.begin(), s.events.end(),
                         [](const PolicyEvent& a, const PolicyEvent& b) { return a.day < b.day; });
    }

    TableReader root_;
    std::string file_;
    std::set<Param> parameters_seen_;
};

} // namespace

LoadedScenario load_scenario(const std::string& path, const FileSource& files) {
    LoadedScenario out;
    out.path = path;
    toml::table merged = load_merged(path, files, out.files, out.text);
    std::reverse(out.files.begin(), out.files.end());
    out.scenario = ScenarioParser(merged, path).parse();
    return out;
}

LoadedScenario load_scenario_text(const std::string& text, const std::string& name) {
    toml::table table = parse_toml_text(text, name);
    if (const toml::node* extends = table.get("extends"))
        fail_at(*extends, name, "extends",
                "not allowed in a scenario given as text (it reads no file)");
    if (const toml::node* removed = table.get("remove_events"))
        fail_at(*removed, name, "remove_events",
                "only a file that `extends` another can remove its events");
    LoadedScenario out;
    out.path = name;
    out.text = text;
    out.files = {name};
    out.scenario = ScenarioParser(table, name).parse();
    return out;
}

Override parse_override(const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos)
        throw InputError("--set", 0, 0, assignment,
                         "expected name=value, e.g. visitor.entries_per_year=6000");
    const std::string name = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    const auto p = find_parameter(name);
    if (!p) throw InputError("--set", 0, 0, name, "unknown parameter" + replaced_by(name));
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(value))
        throw InputError("--set", 0, 0, name, "expected a finite number, got '" + text + "'");
    return {*p, value};
}

std::vector<Override> parse_overrides(const std::vector<std::string>& assignments) {
    std::vector<Override> out;
    for (const auto& a : assignments)
        out.push_back(parse_override(a));
    return out;
}

std::string describe(const Override& o) {
    return std::string(parameter_specs()[static_cast<int>(o.parameter)].name) + "=" +
           exact(o.value);
}

void apply_override(Scenario& scenario, const std::string& assignment) {
    apply_override(scenario, parse_override(assignment));
}

void apply_override(Scenario& scenario, const Override& o) {
    const ParamSpec& spec = parameter_specs()[static_cast<int>(o.parameter)];
    if (!(o.value >= spec.lower && o.value <= spec.upper))
        throw InputError("--set", 0, 0, std::string(spec.name),
                         "must be between " + exact(spec.lower) + " and " + exact(spec.upper) +
                             ", got " + exact(o.value));
    scenario.parameters[o.parameter] = o.value;
}

} // namespace khorgos
