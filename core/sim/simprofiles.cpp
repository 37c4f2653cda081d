#include "simprofiles.h"

#include "formats/profilewriter.h"
#include "sim/simservice.h"

#include <cmath>
#include <random>
#include <vector>

namespace gotriage::sim {

namespace {

using Frame = formats::ProfileBuilder::Frame;
using Stack = std::vector<Frame>; // leaf first

// The demo services' program: a shop's API on net/http, with the faults'
// code paths. Files are module paths, as -trimpath builds print them.
const Stack kServe = {{"net/http.(*conn).serve", "net/http/server.go", 1995},
                      {"net/http.(*Server).Serve.func3", "net/http/server.go", 3086}};
const Stack kHandler = {{"shop/api.(*Handler).ServeHTTP", "shop/api/handler.go", 64},
                        {"net/http.serverHandler.ServeHTTP", "net/http/server.go", 2938}};

Stack concat(std::initializer_list<Stack> parts)
{
    Stack out;
    for (const Stack &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Stack request(std::initializer_list<Frame> leaf)
{
    return concat({Stack(leaf), kHandler, kServe});
}

struct Weighted {
    Stack stack;
    double weight;
};

// Where the CPU goes, by scenario; weights are shares of the total.
std::vector<Weighted> cpuStacks(Scenario scenario)
{
    std::vector<Weighted> out = {
        {request({{"encoding/json.(*encodeState).marshal", "encoding/json/encode.go", 295},
                  {"encoding/json.Marshal", "encoding/json/encode.go", 161},
                  {"shop/api.writeJSON", "shop/api/json.go", 22}}),
         0.25},
        {request(
             {{"runtime.mallocgc", "runtime/malloc.go", 1111}, {"shop/cart.(*Cart).Items", "shop/cart/cart.go", 88}}),
         0.10},
        {request({{"syscall.Syscall", "syscall/syscall_linux.go", 69},
                  {"internal/poll.(*FD).Write", "internal/poll/fd_unix.go", 380},
                  {"net.(*conn).Write", "net/net.go", 195}}),
         0.15},
        {{{"runtime.scanobject", "runtime/mgcmark.go", 1270},
          {"runtime.gcDrain", "runtime/mgcmark.go", 1066},
          {"runtime.gcBgMarkWorker.func2", "runtime/mgc.go", 1295}},
         0.10},
        {{{"runtime.futex", "runtime/sys_linux_amd64.s", 557},
          {"runtime.notesleep", "runtime/lock_futex.go", 160},
          {"runtime.findrunnable", "runtime/proc.go", 2903},
          {"runtime.schedule", "runtime/proc.go", 3361}},
         0.05},
    };
    if (scenario == Scenario::CpuContention) {
        out.push_back({request({{"runtime.procyield", "runtime/asm_amd64.s", 757},
                                {"sync.(*Mutex).lockSlow", "sync/mutex.go", 142},
                                {"sync.(*Mutex).Lock", "sync/mutex.go", 90},
                                {"shop/pricing.(*Engine).Quote", "shop/pricing/engine.go", 117}}),
                       1.6});
        out.push_back({request({{"shop/pricing.(*Engine).recompute", "shop/pricing/engine.go", 203},
                                {"shop/pricing.(*Engine).Quote", "shop/pricing/engine.go", 121}}),
                       0.6});
    }
    if (scenario == Scenario::GcFrenzy) {
        out.push_back({{{"runtime.scanobject", "runtime/mgcmark.go", 1270},
                        {"runtime.gcDrain", "runtime/mgcmark.go", 1066},
                        {"runtime.gcBgMarkWorker.func2", "runtime/mgc.go", 1295}},
                       0.9});
        out.push_back({request({{"runtime.memclrNoHeapPointers", "runtime/memclr_amd64.s", 93},
                                {"runtime.mallocgc", "runtime/malloc.go", 1111},
                                {"image.NewRGBA", "image/image.go", 97},
                                {"shop/images.Resize", "shop/images/resize.go", 41}}),
                       0.7});
    }
    return out;
}

const Stack kCacheAdd = request({{"shop/search.(*Index).cacheResult", "shop/search/cache.go", 73},
                                 {"shop/search.(*Index).Query", "shop/search/index.go", 140}});
const Stack kResize
    = request({{"image.NewRGBA", "image/image.go", 97}, {"shop/images.Resize", "shop/images/resize.go", 41}});
const Stack kDecode = request({{"encoding/json.(*decodeState).object", "encoding/json/decode.go", 782},
                               {"encoding/json.Unmarshal", "encoding/json/decode.go", 107},
                               {"shop/api.readJSON", "shop/api/json.go", 40}});
const Stack kBuffers = concat({{{"bufio.NewReaderSize", "bufio/bufio.go", 57}}, kServe});
const Stack kLeakStart = {{"shop/cart.(*Cart).watchInventory", "shop/cart/inventory.go", 52},
                          {"shop/cart.(*Cart).Add", "shop/cart/cart.go", 61}};

// A goroutine group of the dump: its wait, stack and creator.
struct Group {
    QString state;
    Stack stack;
    Frame createdBy;
    int count = 0;
    double oldestMinutes = 0; // the first of the group waited this long; the last, none
};

std::vector<Group> goroutineGroups(const SimService &s)
{
    const double uptimeMinutes = s.uptimeSeconds() / 60;
    std::vector<Group> groups = {
        {QStringLiteral("select"), {{"main.main", "shop/cmd/api/main.go", 88}}, {}, 1, uptimeMinutes},
        {QStringLiteral("IO wait"),
         {{"internal/poll.runtime_pollWait", "runtime/netpoll.go", 343},
          {"internal/poll.(*FD).Accept", "internal/poll/fd_unix.go", 611},
          {"net.(*TCPListener).Accept", "net/tcpsock.go", 315},
          {"net/http.(*Server).Serve", "net/http/server.go", 3056}},
         {"main.main", "shop/cmd/api/main.go", 80},
         1,
         uptimeMinutes},
        {QStringLiteral("select"),
         {{"shop/worker.(*Pool).run", "shop/worker/pool.go", 45}},
         {"shop/worker.(*Pool).Start", "shop/worker/pool.go", 30},
         4,
         uptimeMinutes},
        {QStringLiteral("IO wait"),
         concat({{{"internal/poll.runtime_pollWait", "runtime/netpoll.go", 343},
                  {"net.(*conn).Read", "net/net.go", 183},
                  {"net/http.(*connReader).Read", "net/http/server.go", 782}},
                 kServe}),
         {"net/http.(*Server).Serve", "net/http/server.go", 3086},
         std::max(1, static_cast<int>(std::lround(s.inFlight()))) + 1,
         0},
    };
    if (s.leakedGoroutines() >= 1) {
        groups.push_back({QStringLiteral("chan receive"),
                          {{"shop/cart.(*Cart).watchInventory.func1", "shop/cart/inventory.go", 57}},
                          kLeakStart.front(),
                          static_cast<int>(s.leakedGoroutines()),
                          uptimeMinutes});
    }
    if (s.spinningGoroutines() >= 1) {
        groups.push_back({QStringLiteral("semacquire"),
                          request({{"sync.runtime_SemacquireMutex", "runtime/sema.go", 77},
                                   {"sync.(*Mutex).lockSlow", "sync/mutex.go", 171},
                                   {"sync.(*Mutex).Lock", "sync/mutex.go", 90},
                                   {"shop/pricing.(*Engine).Quote", "shop/pricing/engine.go", 117}}),
                          {"net/http.(*Server).Serve", "net/http/server.go", 3086},
                          static_cast<int>(s.spinningGoroutines()),
                          0});
    }
    // The goroutine writing the dump.
    groups.push_back({QStringLiteral("running"),
                      concat({{{"runtime/pprof.writeGoroutineStacks", "runtime/pprof/pprof.go", 703},
                               {"net/http/pprof.handler.ServeHTTP", "net/http/pprof/pprof.go", 259}},
                              kServe}),
                      {"net/http.(*Server).Serve", "net/http/server.go", 3086},
                      1,
                      0});
    return groups;
}

QByteArray frameText(const Frame &f)
{
    return QByteArray::fromStdString(f.function) + "(...)\n\t" + QByteArray::fromStdString(f.file) + ':'
        + QByteArray::number(f.line) + " +0x" + QByteArray::number(0x20 + f.line % 0x1c0, 16) + '\n';
}

std::int64_t nanos(double seconds)
{
    return static_cast<std::int64_t>(seconds * 1e9);
}

} // namespace

QByteArray simGoroutineDump(const SimService &service)
{
    QByteArray out;
    int id = 1;
    for (const Group &g : goroutineGroups(service)) {
        for (int i = 0; i < g.count; ++i, ++id) {
            // The runtime prints minutes only from the first full one.
            const int minutes = static_cast<int>(g.oldestMinutes * (g.count - i) / g.count);
            out += "goroutine " + QByteArray::number(id) + " [" + g.state.toUtf8();
            if (minutes >= 1)
                out += ", " + QByteArray::number(minutes) + (minutes == 1 ? " minute" : " minutes");
            out += "]:\n";
            for (const Frame &f : g.stack)
                out += frameText(f);
            if (!g.createdBy.function.empty()) {
                out += "created by " + QByteArray::fromStdString(g.createdBy.function) + " in goroutine "
                    + QByteArray::number(std::max(1, id / 2)) + "\n\t" + QByteArray::fromStdString(g.createdBy.file)
                    + ':' + QByteArray::number(g.createdBy.line) + " +0x1c5\n";
            }
            out += '\n';
        }
    }
    return out;
}

std::optional<QByteArray> simProfile(const SimService &service, const QString &name, double seconds, double cpuSeconds)
{
    const Scenario scenario = service.scenario();
    std::mt19937 random(static_cast<std::uint32_t>(std::fmod(service.now() * 10, 4294967296.0)));
    std::uniform_real_distribution<double> jitter(0.85, 1.15);
    const auto nowNanos = nanos(service.now());
    if (name == QLatin1String("profile")) {
        formats::ProfileBuilder b({{"samples", "count"}, {"cpu", "nanoseconds"}}, {"cpu", "nanoseconds"}, 10'000'000);
        b.setTime(nowNanos - nanos(seconds), nanos(seconds));
        const std::vector<Weighted> stacks = cpuStacks(scenario);
        double total = 0;
        for (const Weighted &w : stacks)
            total += w.weight;
        for (const Weighted &w : stacks) {
            // Whole 10 ms samples, as the profiler takes them.
            const auto samples = static_cast<std::int64_t>(cpuSeconds * 100 * w.weight / total * jitter(random));
            if (samples > 0)
                b.add(w.stack, {samples, samples * 10'000'000});
        }
        return QByteArray::fromStdString(formats::encodeProfile(b.take()));
    }
    if (name == QLatin1String("heap") || name == QLatin1String("allocs")) {
        formats::ProfileBuilder b({{"alloc_objects", "count"},
                                   {"alloc_space", "bytes"},
                                   {"inuse_objects", "count"},
                                   {"inuse_space", "bytes"}},
                                  {"space", "bytes"}, 512 * 1024);
        b.setTime(nowNanos, seconds > 0 ? nanos(seconds) : 0);
        if (name == QLatin1String("allocs"))
            b.setDefaultSampleType("alloc_space");
        // A delta profile (?seconds=N) counts only what was allocated in it.
        const double share = seconds > 0 ? std::min(1.0, seconds / std::max(1.0, service.uptimeSeconds())) : 1.0;
        const double allocated = service.allocBytesTotal() * share;
        const double retained = service.retainedBytes();
        const double inuse = std::max(0.0, service.heapAlloc() - retained);
        const auto add = [&](const Stack &stack, double allocBytes, double inuseBytes, double objectSize) {
            const auto bytes = static_cast<std::int64_t>(allocBytes * jitter(random));
            const auto held = static_cast<std::int64_t>(inuseBytes);
            b.add(stack,
                  {static_cast<std::int64_t>(static_cast<double>(bytes) / objectSize), bytes,
                   static_cast<std::int64_t>(static_cast<double>(held) / objectSize), held});
        };
        if (scenario == Scenario::GcFrenzy) {
            add(kResize, allocated * 0.9, inuse * 0.5, 1 << 20);
            add(kDecode, allocated * 0.1, inuse * 0.3, 512);
        } else {
            add(kDecode, allocated * 0.7, inuse * 0.4, 512);
            add(request({{"shop/cart.(*Cart).Items", "shop/cart/cart.go", 88}}), allocated * 0.3, inuse * 0.3, 256);
        }
        add(kBuffers, 0, 4096 * 16, 4096);
        if (retained > 0)
            add(kCacheAdd, retained * share, retained, 4096);
        if (service.leakedGoroutines() >= 1)
            add(concat({{{"runtime.malg", "runtime/proc.go", 4255}, {"runtime.newproc1", "runtime/proc.go", 4306}},
                        kLeakStart}),
                service.leakedGoroutines() * 8192 * share, service.leakedGoroutines() * 8192, 8192);
        return QByteArray::fromStdString(formats::encodeProfile(b.take()));
    }
    if (name == QLatin1String("goroutine")) {
        formats::ProfileBuilder b({{"goroutine", "count"}}, {"goroutine", "count"}, 1);
        b.setTime(nowNanos, 0);
        for (const Group &g : goroutineGroups(service)) {
            Stack stack = g.stack;
            if (!g.createdBy.function.empty())
                stack.push_back(g.createdBy);
            b.add(stack, {g.count});
        }
        return QByteArray::fromStdString(formats::encodeProfile(b.take()));
    }
    if (name == QLatin1String("block") || name == QLatin1String("mutex")) {
        formats::ProfileBuilder b({{"contentions", "count"}, {"delay", "nanoseconds"}}, {"contentions", "count"}, 1);
        b.setTime(nowNanos, seconds > 0 ? nanos(seconds) : 0);
        const double scale = (seconds > 0 ? seconds : service.uptimeSeconds()) * jitter(random);
        const bool contended = scenario == Scenario::CpuContention;
        const Stack lock = request({{"sync.(*Mutex).Unlock", "sync/mutex.go", 223},
                                    {"shop/pricing.(*Engine).Quote", "shop/pricing/engine.go", 124}});
        const Stack channel = concat({{{"runtime.chanrecv1", "runtime/chan.go", 442}}, {kLeakStart.front()}});
        const auto contentions = static_cast<std::int64_t>(scale * (contended ? 400 : 2));
        b.add(name == QLatin1String("mutex") ? lock : channel,
              {contentions, contentions * (contended ? 2'000'000 : 50'000)});
        return QByteArray::fromStdString(formats::encodeProfile(b.take()));
    }
    if (name == QLatin1String("threadcreate")) {
        formats::ProfileBuilder b({{"threadcreate", "count"}}, {"threadcreate", "count"}, 1);
        b.setTime(nowNanos, 0);
        b.add({{"runtime.newm", "runtime/proc.go", 2106},
               {"runtime.startm", "runtime/proc.go", 2575},
               {"runtime.wakep", "runtime/proc.go", 2810}},
              {8});
        b.add({{"runtime.newm", "runtime/proc.go", 2106}, {"runtime.main.func1", "runtime/proc.go", 168}}, {1});
        return QByteArray::fromStdString(formats::encodeProfile(b.take()));
    }
    return std::nullopt;
}

} // namespace gotriage::sim
