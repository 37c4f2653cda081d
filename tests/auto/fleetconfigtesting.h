#pragma once

#include "config/fleetconfig.h"

// The problem a fleet file's parse reported at `jsonPath`, or null.
inline const gotriage::config::ConfigProblem *findProblem(const gotriage::config::FleetConfig &fleet,
                                                          const QString &jsonPath)
{
    for (const gotriage::config::ConfigProblem &p : fleet.problems) {
        if (p.jsonPath == jsonPath)
            return &p;
    }
    return nullptr;
}
