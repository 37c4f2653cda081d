#include "vital.h"

namespace gotriage::vitals {

std::optional<Vital> vitalFromName(std::string_view name)
{
    for (const VitalInfo &info : kVitals) {
        if (info.name == name)
            return info.vital;
    }
    return std::nullopt;
}

} // namespace gotriage::vitals
