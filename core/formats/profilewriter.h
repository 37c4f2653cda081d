#pragma once

#include "formats/profile.h"

#include <map>
#include <string>
#include <vector>

namespace gotriage::formats {

// Encodes a profile as /debug/pprof/* serves it: protobuf, gzipped (or raw).
// What parseProfile() reads back, field for field.
std::string encodeProfile(const Profile &profile, bool gzipped = true);

// Makes a Profile from stacks: functions and locations are interned (one
// location per function and line), ids numbered from 1. For the demo
// fleet's profiles and for tests.
class ProfileBuilder
{
public:
    struct Frame {
        std::string function;
        std::string file;
        std::int64_t line = 0;
    };

    ProfileBuilder(std::vector<Profile::ValueType> sampleTypes, Profile::ValueType periodType, std::int64_t period);

    void setDefaultSampleType(std::string type) { m_profile.defaultSampleType = std::move(type); }
    void setTime(std::int64_t timeNanos, std::int64_t durationNanos);
    // `stack` leaf first; one value per sample type.
    void add(const std::vector<Frame> &stack, const std::vector<std::int64_t> &values);
    Profile take();

private:
    std::uint64_t location(const Frame &frame);

    Profile m_profile;
    std::map<std::string, std::uint64_t> m_functions;
    std::map<std::pair<std::uint64_t, std::int64_t>, std::uint64_t> m_locations;
};

} // namespace gotriage::formats
