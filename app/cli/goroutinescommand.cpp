#include "cliutil.h"
#include "commands.h"

#include "diagnose/goroutinegroups.h"
#include "formats/goroutinedump.h"

#include <nlohmann/json.hpp>

namespace gotriage::cli {

namespace {

using Json = nlohmann::ordered_json;

Json frameJson(const formats::GoroutineFrame &frame)
{
    return Json{{"function", frame.function}, {"file", frame.file}, {"line", frame.line}};
}

// Reads and groups one dump; problems go to stderr as FILE:LINE:COL.
std::optional<std::vector<diagnose::GoroutineGroup>> load(const QString &path, bool &rejected)
{
    const auto text = readInput(path);
    if (!text)
        return std::nullopt;
    const formats::ParsedGoroutineDump dump = formats::parseGoroutineDump(*text);
    rejected = printProblems(path, dump.problems) || rejected;
    return diagnose::groupGoroutines(dump.goroutines);
}

} // namespace

int goroutinesCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Group a goroutine dump (debug=2) by wait state and stack; with --diff, rank groups by growth."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("a /debug/pprof/goroutine?debug=2 dump"));
    parser.addOption({QStringLiteral("diff"), QStringLiteral("an older dump of the same service: growth first"),
                      QStringLiteral("OLDER_FILE")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("one JSON object per group (the only output form)")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;
    bool rejected = false;
    auto groups = load(parser.positionalArguments().constFirst(), rejected);
    if (!groups)
        return kExitUsage;
    if (parser.isSet(QStringLiteral("diff"))) {
        const auto older = load(parser.value(QStringLiteral("diff")), rejected);
        if (!older)
            return kExitUsage;
        groups = diagnose::diffGoroutineGroups(*older, *groups);
    }
    for (const diagnose::GoroutineGroup &g : *groups) {
        Json line;
        line["state"] = g.state;
        line["count"] = g.count;
        line["growth"] = g.growth;
        line["max_wait_minutes"] = g.maxWaitMinutes ? Json(*g.maxWaitMinutes) : Json(nullptr);
        line["leak_state"] = g.leakState;
        line["locked_to_thread"] = g.lockedToThread;
        Json frames = Json::array();
        for (const formats::GoroutineFrame &f : g.frames)
            frames.push_back(frameJson(f));
        line["frames"] = std::move(frames);
        line["created_by"] = g.createdBy ? frameJson(*g.createdBy) : Json(nullptr);
        printOut(line.dump(-1, ' ', false, Json::error_handler_t::replace));
    }
    return rejected ? kExitRejected : kExitOk;
}

} // namespace gotriage::cli
