#include "benchprofile.h"

#include "cliutil.h"

#include "diagnose/goroutinegroups.h"
#include "diagnose/toptable.h"
#include "formats/goroutinedump.h"
#include "formats/gzip.h"
#include "formats/profile.h"

#include <QElapsedTimer>

#include <cstdio>

namespace gotriage::cli {

int benchProfile(const QString &path, double seconds)
{
    const auto payload = readInput(path);
    if (!payload)
        return kExitUsage;
    // The protobuf alone, so that the figure is the decoder's, not zlib's.
    std::string wire = *payload;
    if (formats::looksGzipped(wire))
        wire = formats::gunzip(wire, formats::ProfileLimits{}.maxDecompressedBytes).data;
    const formats::ParsedProfile first = formats::parseProfile(wire);
    if (!first.profile) {
        printErr(QStringLiteral("%1: %2").arg(path, QString::fromStdString(first.error)));
        return kExitRejected;
    }
    QElapsedTimer timer;
    timer.start();
    std::size_t iterations = 0, checksum = 0;
    while (timer.nsecsElapsed() < static_cast<qint64>(seconds * 1e9)) {
        checksum += formats::parseProfile(wire).profile->samples.size();
        ++iterations;
    }
    const double decodeSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    // What opening it costs: gunzip, decode, aggregate.
    timer.restart();
    const formats::ParsedProfile opened = formats::parseProfile(*payload);
    const diagnose::TopTable top = diagnose::topTable(*opened.profile);
    const double openSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    std::printf("file: %s, %zu bytes (%zu uncompressed), %zu samples, %zu locations, %zu functions (checksum %zu)\n",
                path.toLocal8Bit().constData(), payload->size(), wire.size(), first.profile->samples.size(),
                first.profile->locations.size(), first.profile->functions.size(), checksum);
    std::printf("profile-decode: %.1f MB/s of uncompressed protobuf (%zu decodes in %.2f s)\n",
                static_cast<double>(wire.size()) * static_cast<double>(iterations) / decodeSeconds / 1e6, iterations,
                decodeSeconds);
    std::printf("profile-open: %.3f s to gunzip, decode and aggregate a top table of %zu rows\n", openSeconds,
                top.rows.size());
    return kExitOk;
}

int benchGoroutines(const QString &path, double seconds)
{
    const auto text = readInput(path);
    if (!text)
        return kExitUsage;
    QElapsedTimer timer;
    timer.start();
    std::size_t iterations = 0, goroutines = 0, groups = 0;
    do {
        const formats::ParsedGoroutineDump dump = formats::parseGoroutineDump(*text);
        goroutines = dump.goroutines.size();
        groups = diagnose::groupGoroutines(dump.goroutines).size();
        ++iterations;
    } while (timer.nsecsElapsed() < static_cast<qint64>(seconds * 1e9));
    const double each = static_cast<double>(timer.nsecsElapsed()) / 1e9 / static_cast<double>(iterations);
    std::printf("file: %s, %zu bytes, %zu goroutines in %zu groups\n", path.toLocal8Bit().constData(), text->size(),
                goroutines, groups);
    std::printf("goroutines: %.3f s to parse and group the dump (%.1f MB/s, %.0f goroutines/s; %zu runs)\n", each,
                static_cast<double>(text->size()) / each / 1e6, static_cast<double>(goroutines) / each, iterations);
    return kExitOk;
}

} // namespace gotriage::cli
