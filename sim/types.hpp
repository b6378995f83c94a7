#pragma once
// The fixed vocabularies of the model: agent types, ethnicities, statuses,
// visa kinds, visit purposes, agent event kinds and flow directions. Places
// (origins, crossings, regions) are scenario data, not enums.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace khorgos {

enum class AgentType : std::uint8_t { trader, visitor, labourer, repatriate, transit };
constexpr int kAgentTypes = 5;
constexpr std::array<std::string_view, kAgentTypes> kAgentTypeNames{"trader", "visitor", "labourer",
                                                                    "repatriate", "transit"};

enum class Ethnicity : std::uint8_t { han, kazakh, uyghur, dungan, other };
constexpr int kEthnicities = 5;
constexpr std::array<std::string_view, kEthnicities> kEthnicityNames{"han", "kazakh", "uyghur",
                                                                     "dungan", "other"};

/// Purpose of a visitor's trip, as the entry statistics record it.
enum class Purpose : std::uint8_t { business, private_visit, tourism, transit_through };
constexpr int kPurposes = 4;
constexpr std::array<std::string_view, kPurposes> kPurposeNames{"business", "private", "tourism",
                                                                "transit_through"};

/// What happens to an agent on a day: the rows of the event log.
enum class EventKind : std::uint8_t {
    entry,          ///< crossed from China into Kazakhstan
    return_home,    ///< crossed back to China at the end of a stay
    onward_exit,    ///< left Kazakhstan for Russia/Europe
    overstay,       ///< a trader or visitor stayed on as an irregular labourer
    renewal,        ///< a labourer's contract was renewed under the year's quota
    naturalisation, ///< became a citizen of Kazakhstan
    marriage,       ///< married a citizen of Kazakhstan
    regret_return,  ///< a repatriate went back to China before naturalising
    status_grant,   ///< a repatriate was granted oralman/kandas status (once per person)
};
constexpr int kEventKinds = 9;
constexpr std::array<std::string_view, kEventKinds> kEventKindNames{
    "entry",          "return",   "onward_exit",   "overstay",    "renewal",
    "naturalisation", "marriage", "regret_return", "status_grant"};

enum class Direction : std::uint8_t { entry, exit };
constexpr int kDirections = 2;
constexpr std::array<std::string_view, kDirections> kDirectionNames{"entry", "exit"};

/// Index of `name` in a vocabulary, if present.
template <std::size_t N>
std::optional<int> index_of(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

constexpr int index(AgentType t) {
    return static_cast<int>(t);
}
constexpr int index(Ethnicity e) {
    return static_cast<int>(e);
}

} // namespace khorgos
