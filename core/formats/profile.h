#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gotriage::formats {

// A pprof profile (CPU, heap, allocs, goroutine, block, mutex,
// threadcreate), decoded: strings resolved, ids kept. Immutable once made.
struct Profile {
    struct ValueType {
        std::string type; // "cpu", "inuse_space", "contentions" ...
        std::string unit; // "nanoseconds", "bytes", "count"
    };
    struct Line {
        std::uint64_t functionId = 0;
        std::int64_t line = 0;
    };
    struct Location {
        std::uint64_t id = 0;
        std::uint64_t address = 0;
        std::vector<Line> lines; // [0] the innermost inlined frame, the last its caller
    };
    struct Function {
        std::uint64_t id = 0;
        std::string name; // "main.(*server).handle"
        std::string systemName;
        std::string filename;
        std::int64_t startLine = 0;
    };
    struct Label {
        std::string key;
        std::string str; // empty for a numeric label
        std::int64_t num = 0;
        std::string numUnit;
    };
    // A sample's location ids and values live in two pools shared by all
    // samples (two allocations for a profile, not two per sample).
    struct Sample {
        std::uint32_t firstLocation = 0; // into sampleLocations
        std::uint32_t locationCount = 0;
        std::vector<Label> labels;
    };

    std::vector<ValueType> sampleTypes;
    std::string defaultSampleType; // empty: the last sample type is the default
    ValueType periodType;
    std::int64_t period = 0;
    std::int64_t timeNanos = 0;
    std::int64_t durationNanos = 0;
    std::vector<std::string> comments;
    std::vector<Sample> samples;
    std::vector<std::uint64_t> sampleLocations; // every sample's location ids, leaf first, back to back
    std::vector<std::int64_t> sampleValues; // sampleTypes.size() per sample, in sample order
    std::vector<Location> locations;
    std::vector<Function> functions;

    // The index into sampleTypes (and each sample's values) of `name`, or of
    // the default when `name` is empty, as pprof picks it; nullopt when
    // there is no such sample type.
    std::optional<std::size_t> sampleIndex(std::string_view name = {}) const;
    const Location *location(std::uint64_t id) const; // null when unknown
    std::span<const std::uint64_t> locationIds(const Sample &s) const
    {
        return {sampleLocations.data() + s.firstLocation, s.locationCount};
    }
    // `s` must be one of `samples`.
    std::int64_t value(const Sample &s, std::size_t typeIndex) const
    {
        return sampleValues[static_cast<std::size_t>(&s - samples.data()) * sampleTypes.size() + typeIndex];
    }
    const Function *function(std::uint64_t id) const;

    // Ids are dense in practice (Go numbers them 1..N); these map id to index.
    std::vector<std::int32_t> locationIndex;
    std::vector<std::int32_t> functionIndex;
};

// Bounds on what one profile may cost; each has its own error.
struct ProfileLimits {
    std::size_t maxDecompressedBytes = 512U * 1024U * 1024U;
    std::size_t maxSamples = 20'000'000;
    std::size_t maxLocations = 10'000'000;
    std::size_t maxFunctions = 5'000'000;
    std::size_t maxStrings = 10'000'000;
    std::size_t maxFramesPerSample = 100'000;
};

struct ParsedProfile {
    std::optional<Profile> profile;
    std::string error; // why there is none: "gzip: …", "protobuf: …", "too many samples: …"
    std::size_t decodedBytes = 0; // the protobuf, after gunzip
};

// Decodes a profile as served by /debug/pprof/* (gzip) or as raw protobuf.
// Never throws; a bad payload gets an error and no profile.
ParsedProfile parseProfile(std::string_view bytes, const ProfileLimits &limits = {});

} // namespace gotriage::formats
