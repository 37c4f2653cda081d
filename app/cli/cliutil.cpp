#include "cliutil.h"

#include <QFile>

#include <cstdio>

namespace gotriage::cli {

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, int minPositional,
                                    int maxPositional)
{
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        printErr(QStringLiteral("gotriage-cli: ") + parser.errorText());
        return kExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText().toStdString());
        return kExitOk;
    }
    const auto count = parser.positionalArguments().size();
    if (count < minPositional || count > maxPositional) {
        printErr(parser.helpText());
        return kExitUsage;
    }
    return std::nullopt;
}

std::optional<std::string> readInput(const QString &path)
{
    QFile file(path);
    const bool opened
        = path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly) : file.open(QIODevice::ReadOnly);
    if (!opened) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    return bytes.toStdString();
}

bool printProblems(const QString &source, const formats::ProblemList &problems)
{
    const std::string name = source.toStdString();
    for (const formats::ParseProblem &problem : problems.items())
        std::fprintf(stderr, "%s\n", formats::formatProblem(name, problem).c_str());
    if (problems.dropped() > 0)
        std::fprintf(stderr, "%s: %zu more problems not shown\n", name.c_str(), problems.dropped());
    return problems.hasErrors();
}

void printOut(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

void printErr(const QString &line)
{
    std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
}

} // namespace gotriage::cli
