#include "cliutil.h"
#include "commands.h"

#include "formats/expvar.h"

#include <nlohmann/json.hpp>

namespace gotriage::cli {

int parseVarsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Parse a /debug/vars (expvar) payload."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("payload file, or - for standard input"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("print the result as one JSON object")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;

    const QString path = parser.positionalArguments().constFirst();
    const auto payload = readInput(path);
    if (!payload)
        return kExitUsage;

    const formats::ParsedExpvar vars = formats::parseExpvar(*payload, formats::ExpvarOptions::KeepMemstatsJson);
    using OrderedJson = nlohmann::ordered_json;
    OrderedJson out = OrderedJson::object();
    if (vars.memstats) {
        // Re-read our own compact copy: ordered_json keeps the served field
        // order and the integers exact.
        out["memstats"] = OrderedJson::parse(vars.memstatsJson);
        OrderedJson pauses = OrderedJson::array();
        for (const formats::GcPause &pause : formats::pausesSince(*vars.memstats, std::nullopt).pauses)
            pauses.push_back(OrderedJson{{"gc", pause.gc}, {"pause_ns", pause.pauseNs}, {"end_ns", pause.endNs}});
        out["gc_pauses"] = std::move(pauses);
    }
    if (vars.goroutines)
        out["goroutines"] = *vars.goroutines;

    if (parser.isSet(QStringLiteral("json"))) {
        if (vars.memstats || vars.goroutines)
            printOut(out.dump());
    } else if (vars.memstats) {
        const formats::MemStats &m = *vars.memstats;
        auto field = [](const std::optional<std::uint64_t> &v) { return v ? std::to_string(*v) : std::string("?"); };
        printOut(path.toStdString() + ": HeapInuse " + field(m.heapInuse) + " B, NextGC " + field(m.nextGC) + " B, Sys "
                 + field(m.sys) + " B, NumGC " + (m.numGC ? std::to_string(*m.numGC) : "?"));
    }
    return printProblems(path, vars.problems) ? kExitRejected : kExitOk;
}

} // namespace gotriage::cli
