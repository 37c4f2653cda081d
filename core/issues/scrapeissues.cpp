#include "scrapeissues.h"

#include "ingest/sourceupdate.h"

namespace gotriage::issues {

QStringList applyScrapeReport(IssuesModel &issues, const ingest::SourceUpdate &report, qint64 nowMs)
{
    using Severity = IssuesModel::Severity;
    const scraping::ScrapeResult &scrape = *report.scrape;
    const QString &service = scrape.service;
    QStringList news;
    const auto raise = [&](const QString &category, const QString &what, Severity severity) {
        if (issues.report(service, category, what, severity, nowMs))
            news << service + QStringLiteral(": ") + what;
    };
    const auto raiseIf = [&](bool holds, const QString &category, const QString &what, Severity severity) {
        if (holds)
            raise(category, what, severity);
        else
            issues.resolve(service, category);
    };

    raiseIf(!scrape.up, QStringLiteral("scrape"), scrape.error, Severity::Error);
    raiseIf(!scrape.problems.isEmpty(), QStringLiteral("endpoint"), scrape.problems.join(QStringLiteral("; ")),
            Severity::Warning);
    for (const auto &[endpoint, note] : scrape.notes)
        raise(endpoint + QStringLiteral("-missing"), note, Severity::Info);
    if (scrape.vars)
        issues.resolve(service, QStringLiteral("vars-missing"));
    if (scrape.pprofGoroutines)
        issues.resolve(service, QStringLiteral("pprof-missing"));
    if (scrape.metrics) {
        raiseIf(!report.sources.problems.isEmpty(), QStringLiteral("signals"),
                report.sources.problems.join(QStringLiteral("; ")), Severity::Warning);
    }
    if (report.health.insecure)
        raise(QStringLiteral("tls"), QStringLiteral("TLS certificate verification is off"), Severity::Warning);
    // A scrape that needed no tick skipped means the service keeps up again:
    // a slow spell (a congested first round, say) does not stay listed as
    // active for the rest of the session.
    raiseIf(report.health.skippedSinceLast > 0, QStringLiteral("slow"),
            QStringLiteral("%1 scrapes skipped: the previous one was still running").arg(report.health.skipped),
            Severity::Warning);
    return news;
}

} // namespace gotriage::issues
