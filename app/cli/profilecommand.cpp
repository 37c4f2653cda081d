#include "cliutil.h"
#include "commands.h"

#include "diagnose/toptable.h"
#include "formats/profile.h"

#include <nlohmann/json.hpp>

namespace gotriage::cli {

namespace {

int topCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A pprof profile's top table, as `go tool pprof -top` computes it, one JSON object per row."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("a pprof profile (.pb.gz or raw protobuf)"));
    parser.addOption({QStringLiteral("sample-index"),
                      QStringLiteral("the sample type to rank by (default: the profile's default)"),
                      QStringLiteral("NAME")});
    parser.addOption(
        {QStringLiteral("nodecount"), QStringLiteral("at most N rows (default: all)"), QStringLiteral("N")});
    parser.addOption({QStringLiteral("cum"), QStringLiteral("sort by cum rather than flat")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("one JSON object per row (the only output form)")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;
    diagnose::TopOptions options;
    options.sampleIndex = parser.value(QStringLiteral("sample-index")).toStdString();
    options.sortByCum = parser.isSet(QStringLiteral("cum"));
    if (parser.isSet(QStringLiteral("nodecount"))) {
        bool ok = false;
        options.nodeCount = parser.value(QStringLiteral("nodecount")).toInt(&ok);
        if (!ok || options.nodeCount < 1) {
            printErr(QStringLiteral("gotriage-cli: --nodecount takes a positive number"));
            return kExitUsage;
        }
    }
    const QString path = parser.positionalArguments().constFirst();
    const auto bytes = readInput(path);
    if (!bytes)
        return kExitUsage;
    const formats::ParsedProfile parsed = formats::parseProfile(*bytes);
    if (!parsed.profile) {
        printErr(QStringLiteral("%1: %2").arg(path, QString::fromStdString(parsed.error)));
        return kExitRejected;
    }
    const diagnose::TopTable table = diagnose::topTable(*parsed.profile, options);
    if (!table.error.empty()) {
        printErr(QStringLiteral("%1: %2").arg(path, QString::fromStdString(table.error)));
        return kExitUsage;
    }
    using Json = nlohmann::ordered_json;
    for (const diagnose::TopRow &row : table.rows) {
        Json line;
        line["name"] = row.name;
        line["flat"] = row.flat;
        line["flat_pct"] = row.flatPercent;
        line["sum_pct"] = row.sumPercent;
        line["cum"] = row.cum;
        line["cum_pct"] = row.cumPercent;
        printOut(line.dump(-1, ' ', false, Json::error_handler_t::replace));
    }
    return kExitOk;
}

} // namespace

int profileCommand(const QStringList &arguments)
{
    if (arguments.size() >= 2 && arguments.at(1) == QLatin1String("top"))
        return topCommand(arguments.mid(1));
    printErr(QStringLiteral("gotriage-cli: profile takes a subcommand: top FILE [--sample-index NAME] "
                            "[--nodecount N] [--cum] --json"));
    return kExitUsage;
}

} // namespace gotriage::cli
