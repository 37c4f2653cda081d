#include "profilewriter.h"

#include "formats/gzip.h"

#include "formats/proto/profile.pb.h" // generated from formats/proto/profile.proto

#include <unordered_map>

namespace gotriage::formats {

namespace {

class StringTable
{
public:
    explicit StringTable(pprof::Profile &message) : m_message(message) { index({}); }

    std::int64_t index(const std::string &s)
    {
        const auto [it, added] = m_indexes.try_emplace(s, m_message.string_table_size());
        if (added)
            m_message.add_string_table(s);
        return it->second;
    }

private:
    pprof::Profile &m_message;
    std::unordered_map<std::string, std::int64_t> m_indexes;
};

} // namespace

std::string encodeProfile(const Profile &profile, bool gzipped)
{
    pprof::Profile m;
    StringTable strings(m);
    for (const Profile::ValueType &t : profile.sampleTypes) {
        pprof::ValueType *type = m.add_sample_type();
        type->set_type(strings.index(t.type));
        type->set_unit(strings.index(t.unit));
    }
    for (const Profile::Sample &s : profile.samples) {
        pprof::Sample *sample = m.add_sample();
        for (std::uint64_t id : profile.locationIds(s))
            sample->add_location_id(id);
        for (std::size_t i = 0; i < profile.sampleTypes.size(); ++i)
            sample->add_value(profile.value(s, i));
        for (const Profile::Label &l : s.labels) {
            pprof::Label *label = sample->add_label();
            label->set_key(strings.index(l.key));
            if (!l.str.empty())
                label->set_str(strings.index(l.str));
            label->set_num(l.num);
            if (!l.numUnit.empty())
                label->set_num_unit(strings.index(l.numUnit));
        }
    }
    for (const Profile::Location &l : profile.locations) {
        pprof::Location *location = m.add_location();
        location->set_id(l.id);
        location->set_address(l.address);
        for (const Profile::Line &line : l.lines) {
            pprof::Line *out = location->add_line();
            out->set_function_id(line.functionId);
            out->set_line(line.line);
        }
    }
    for (const Profile::Function &f : profile.functions) {
        pprof::Function *function = m.add_function();
        function->set_id(f.id);
        function->set_name(strings.index(f.name));
        function->set_system_name(strings.index(f.systemName));
        function->set_filename(strings.index(f.filename));
        function->set_start_line(f.startLine);
    }
    m.set_time_nanos(profile.timeNanos);
    m.set_duration_nanos(profile.durationNanos);
    m.mutable_period_type()->set_type(strings.index(profile.periodType.type));
    m.mutable_period_type()->set_unit(strings.index(profile.periodType.unit));
    m.set_period(profile.period);
    for (const std::string &comment : profile.comments)
        m.add_comment(strings.index(comment));
    if (!profile.defaultSampleType.empty())
        m.set_default_sample_type(strings.index(profile.defaultSampleType));
    const std::string wire = m.SerializeAsString();
    return gzipped ? gzip(wire) : wire;
}

ProfileBuilder::ProfileBuilder(std::vector<Profile::ValueType> sampleTypes, Profile::ValueType periodType,
                               std::int64_t period)
{
    m_profile.sampleTypes = std::move(sampleTypes);
    m_profile.periodType = std::move(periodType);
    m_profile.period = period;
}

void ProfileBuilder::setTime(std::int64_t timeNanos, std::int64_t durationNanos)
{
    m_profile.timeNanos = timeNanos;
    m_profile.durationNanos = durationNanos;
}

std::uint64_t ProfileBuilder::location(const Frame &frame)
{
    auto [function, addedFunction] = m_functions.try_emplace(frame.function, m_profile.functions.size() + 1);
    if (addedFunction)
        m_profile.functions.push_back({function->second, frame.function, frame.function, frame.file, 0});
    auto [location, added] = m_locations.try_emplace({function->second, frame.line}, m_profile.locations.size() + 1);
    if (added) {
        // A made-up address per location, as a real binary has one.
        m_profile.locations.push_back(
            {location->second, 0x401000 + 0x40 * location->second, {{function->second, frame.line}}});
    }
    return location->second;
}

void ProfileBuilder::add(const std::vector<Frame> &stack, const std::vector<std::int64_t> &values)
{
    Profile::Sample sample;
    sample.firstLocation = static_cast<std::uint32_t>(m_profile.sampleLocations.size());
    sample.locationCount = static_cast<std::uint32_t>(stack.size());
    for (const Frame &frame : stack)
        m_profile.sampleLocations.push_back(location(frame));
    for (std::size_t i = 0; i < m_profile.sampleTypes.size(); ++i)
        m_profile.sampleValues.push_back(i < values.size() ? values[i] : 0);
    m_profile.samples.push_back(std::move(sample));
}

Profile ProfileBuilder::take()
{
    // Dense ids 1..N: the index is the id's position.
    m_profile.locationIndex.assign(m_profile.locations.size() + 1, -1);
    for (std::size_t i = 0; i < m_profile.locations.size(); ++i)
        m_profile.locationIndex[m_profile.locations[i].id] = static_cast<std::int32_t>(i);
    m_profile.functionIndex.assign(m_profile.functions.size() + 1, -1);
    for (std::size_t i = 0; i < m_profile.functions.size(); ++i)
        m_profile.functionIndex[m_profile.functions[i].id] = static_cast<std::int32_t>(i);
    return std::move(m_profile);
}

} // namespace gotriage::formats
