#include "profile.h"

#include "formats/gzip.h"

#include "formats/proto/profile.pb.h" // generated from formats/proto/profile.proto

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>

#include <algorithm>

#include <limits>

namespace gotriage::formats {

namespace {

// A string table index that points nowhere is an error, not a crash.
struct Strings {
    const google::protobuf::RepeatedPtrField<std::string> &table;
    std::string error;

    std::string at(std::int64_t index, const char *what)
    {
        if (index < 0 || index >= table.size()) {
            if (error.empty())
                error = std::string("string index ") + std::to_string(index) + " of " + what + " is outside the "
                    + std::to_string(table.size()) + "-entry string table";
            return {};
        }
        return table.Get(static_cast<int>(index));
    }
};

template<typename T>
bool buildIndex(const std::vector<T> &items, std::vector<std::int32_t> &index, const char *what, std::string &error)
{
    std::uint64_t maxId = 0;
    for (const T &item : items)
        maxId = std::max(maxId, item.id);
    // Sparse ids (a hand-made file) must not make the index huge.
    if (maxId > 4 * items.size() + 1024) {
        error = std::string(what) + " ids are too sparse (largest " + std::to_string(maxId) + " for "
            + std::to_string(items.size()) + " entries)";
        return false;
    }
    index.assign(static_cast<std::size_t>(maxId) + 1, -1);
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].id == 0) {
            error = std::string(what) + " with id 0";
            return false;
        }
        if (index[items[i].id] >= 0) {
            error = std::string("duplicate ") + what + " id " + std::to_string(items[i].id);
            return false;
        }
        index[items[i].id] = static_cast<std::int32_t>(i);
    }
    return true;
}

std::string tooMany(const char *what, std::size_t count, std::size_t limit)
{
    return std::string("too many ") + what + ": " + std::to_string(count) + " (the limit is " + std::to_string(limit)
        + ")";
}

} // namespace

std::optional<std::size_t> Profile::sampleIndex(std::string_view name) const
{
    if (sampleTypes.empty())
        return std::nullopt;
    const std::string_view wanted = name.empty() ? std::string_view(defaultSampleType) : name;
    if (wanted.empty())
        return sampleTypes.size() - 1;
    for (std::size_t i = 0; i < sampleTypes.size(); ++i) {
        if (sampleTypes[i].type == wanted)
            return i;
    }
    return std::nullopt;
}

const Profile::Location *Profile::location(std::uint64_t id) const
{
    if (id >= locationIndex.size() || locationIndex[id] < 0)
        return nullptr;
    return &locations[static_cast<std::size_t>(locationIndex[id])];
}

const Profile::Function *Profile::function(std::uint64_t id) const
{
    if (id >= functionIndex.size() || functionIndex[id] < 0)
        return nullptr;
    return &functions[static_cast<std::size_t>(functionIndex[id])];
}

ParsedProfile parseProfile(std::string_view bytes, const ProfileLimits &limits)
{
    ParsedProfile out;
    std::string inflated;
    std::string_view wire = bytes;
    if (looksGzipped(bytes)) {
        InflateResult result = gunzip(bytes, limits.maxDecompressedBytes);
        if (!result.error.empty()) {
            out.error = result.limitExceeded ? "the profile is larger than "
                    + std::to_string(limits.maxDecompressedBytes / (1024 * 1024)) + " MiB decompressed"
                                             : "gzip: " + result.error;
            return out;
        }
        inflated = std::move(result.data);
        wire = inflated;
    } else if (bytes.size() > limits.maxDecompressedBytes) {
        out.error
            = "the profile is larger than " + std::to_string(limits.maxDecompressedBytes / (1024 * 1024)) + " MiB";
        return out;
    }
    out.decodedBytes = wire.size();
    if (wire.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        out.error = "the profile is too large for the protobuf decoder";
        return out;
    }

    // An arena: a large profile is millions of small messages, and freeing
    // them one by one cost more than decoding them.
    // Its blocks must be a multiple of 8 bytes: protobuf 3.21 puts its
    // cleanup list at a block's end, and an odd size misaligned it (UBSan,
    // found by fuzz_profile). Whole pages, then.
    google::protobuf::ArenaOptions arenaOptions;
    constexpr std::size_t kPage = 4096;
    const std::size_t wanted = std::clamp<std::size_t>(wire.size() * 2, 64 * 1024, 64 * 1024 * 1024);
    arenaOptions.start_block_size = (wanted + kPage - 1) / kPage * kPage;
    arenaOptions.max_block_size = 64 * 1024 * 1024;
    google::protobuf::Arena arena(arenaOptions);
    pprof::Profile &message = *google::protobuf::Arena::CreateMessage<pprof::Profile>(&arena);
    google::protobuf::io::CodedInputStream stream(reinterpret_cast<const std::uint8_t *>(wire.data()),
                                                  static_cast<int>(wire.size()));
    stream.SetRecursionLimit(16); // the schema nests three deep
    if (!message.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
        out.error
            = bytes.empty() ? "protobuf: empty payload" : "protobuf: not a pprof profile (it does not decode as one)";
        return out;
    }
    if (static_cast<std::size_t>(message.sample_size()) > limits.maxSamples) {
        out.error = tooMany("samples", static_cast<std::size_t>(message.sample_size()), limits.maxSamples);
        return out;
    }
    if (static_cast<std::size_t>(message.location_size()) > limits.maxLocations) {
        out.error = tooMany("locations", static_cast<std::size_t>(message.location_size()), limits.maxLocations);
        return out;
    }
    if (static_cast<std::size_t>(message.function_size()) > limits.maxFunctions) {
        out.error = tooMany("functions", static_cast<std::size_t>(message.function_size()), limits.maxFunctions);
        return out;
    }
    if (static_cast<std::size_t>(message.string_table_size()) > limits.maxStrings) {
        out.error = tooMany("strings", static_cast<std::size_t>(message.string_table_size()), limits.maxStrings);
        return out;
    }
    if (message.string_table_size() == 0 || !message.string_table(0).empty()) {
        out.error = "the string table must begin with an empty string";
        return out;
    }

    Strings strings{message.string_table(), {}};
    Profile p;
    p.sampleTypes.reserve(static_cast<std::size_t>(message.sample_type_size()));
    for (const pprof::ValueType &t : message.sample_type())
        p.sampleTypes.push_back({strings.at(t.type(), "a sample type"), strings.at(t.unit(), "a sample unit")});
    p.defaultSampleType = strings.at(message.default_sample_type(), "the default sample type");
    p.periodType = {strings.at(message.period_type().type(), "the period type"),
                    strings.at(message.period_type().unit(), "the period unit")};
    p.period = message.period();
    p.timeNanos = message.time_nanos();
    p.durationNanos = message.duration_nanos();
    for (std::int64_t comment : message.comment())
        p.comments.push_back(strings.at(comment, "a comment"));

    p.functions.reserve(static_cast<std::size_t>(message.function_size()));
    for (const pprof::Function &f : message.function()) {
        p.functions.push_back({f.id(), strings.at(f.name(), "a function name"),
                               strings.at(f.system_name(), "a function's system name"),
                               strings.at(f.filename(), "a file name"), f.start_line()});
    }
    p.locations.reserve(static_cast<std::size_t>(message.location_size()));
    for (const pprof::Location &l : message.location()) {
        Profile::Location location{l.id(), l.address(), {}};
        location.lines.reserve(static_cast<std::size_t>(l.line_size()));
        for (const pprof::Line &line : l.line())
            location.lines.push_back({line.function_id(), line.line()});
        p.locations.push_back(std::move(location));
    }
    const std::size_t valueCount = p.sampleTypes.size();
    std::size_t frames = 0;
    for (const pprof::Sample &s : message.sample())
        frames += static_cast<std::size_t>(s.location_id_size());
    if (frames > std::numeric_limits<std::uint32_t>::max()) {
        out.error = tooMany("frames in all samples", frames, std::numeric_limits<std::uint32_t>::max());
        return out;
    }
    p.samples.resize(static_cast<std::size_t>(message.sample_size()));
    p.sampleLocations.reserve(frames);
    p.sampleValues.reserve(p.samples.size() * valueCount);
    std::size_t index = 0;
    for (const pprof::Sample &s : message.sample()) {
        if (static_cast<std::size_t>(s.value_size()) != valueCount) {
            out.error = "a sample has " + std::to_string(s.value_size()) + " values for " + std::to_string(valueCount)
                + " sample types";
            return out;
        }
        if (static_cast<std::size_t>(s.location_id_size()) > limits.maxFramesPerSample) {
            out.error = tooMany("frames in one sample", static_cast<std::size_t>(s.location_id_size()),
                                limits.maxFramesPerSample);
            return out;
        }
        Profile::Sample &sample = p.samples[index++];
        sample.firstLocation = static_cast<std::uint32_t>(p.sampleLocations.size());
        sample.locationCount = static_cast<std::uint32_t>(s.location_id_size());
        p.sampleLocations.insert(p.sampleLocations.end(), s.location_id().begin(), s.location_id().end());
        p.sampleValues.insert(p.sampleValues.end(), s.value().begin(), s.value().end());
        for (const pprof::Label &label : s.label()) {
            sample.labels.push_back({strings.at(label.key(), "a label key"), strings.at(label.str(), "a label value"),
                                     label.num(), strings.at(label.num_unit(), "a label unit")});
        }
    }
    if (!strings.error.empty()) {
        out.error = strings.error;
        return out;
    }
    if (!buildIndex(p.locations, p.locationIndex, "location", out.error)
        || !buildIndex(p.functions, p.functionIndex, "function", out.error))
        return out;
    // Every reference must resolve: a sample's locations, a line's function.
    for (std::uint64_t id : p.sampleLocations) {
        if (!p.location(id)) {
            out.error = "a sample refers to location " + std::to_string(id) + ", which is not in the profile";
            return out;
        }
    }
    for (const Profile::Location &l : p.locations) {
        for (const Profile::Line &line : l.lines) {
            if (!p.function(line.functionId)) {
                out.error = "location " + std::to_string(l.id) + " refers to function "
                    + std::to_string(line.functionId) + ", which is not in the profile";
                return out;
            }
        }
    }
    out.profile = std::move(p);
    return out;
}

} // namespace gotriage::formats
