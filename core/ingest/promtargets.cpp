#include "promtargets.h"

#include "ingest/promapi.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace gotriage::ingest {

using promapi::text;

QUrl targetsUrl(const QUrl &server)
{
    QUrl url = promapi::endpointUrl(server, QStringLiteral("targets"));
    url.setQuery(QStringLiteral("state=active"));
    return url;
}

std::optional<std::vector<PromTarget>> parseTargets(const QByteArray &body, QString *error, int *skipped)
{
    const auto fail = [error](const QString &why) -> std::optional<std::vector<PromTarget>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (skipped)
        *skipped = 0;
    const nlohmann::json json = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    QString why;
    const nlohmann::json *data = promapi::dataOf(json, body, &why);
    if (!data)
        return fail(why);
    const auto active = data->find("activeTargets");
    if (active == data->end() || !active->is_array())
        return fail(QStringLiteral("the answer has no list of active targets"));
    std::vector<PromTarget> targets;
    targets.reserve(active->size());
    for (const nlohmann::json &entry : *active) {
        const auto labels = entry.is_object() ? entry.find("labels") : entry.end();
        const QUrl scrapeUrl(entry.is_object() ? text(entry, "scrapeUrl") : QString(), QUrl::StrictMode);
        if (!entry.is_object() || labels == entry.end() || !labels->is_object() || !scrapeUrl.isValid()
            || scrapeUrl.host().isEmpty()
            || (scrapeUrl.scheme() != QLatin1String("http") && scrapeUrl.scheme() != QLatin1String("https"))) {
            if (skipped)
                ++*skipped;
            continue;
        }
        PromTarget target;
        target.scrapeUrl = scrapeUrl;
        for (const auto &[key, value] : labels->items()) {
            if (value.is_string())
                target.labels.emplace_back(QString::fromStdString(key),
                                           QString::fromStdString(value.get<std::string>()));
        }
        std::sort(target.labels.begin(), target.labels.end());
        for (const auto &[key, value] : target.labels) {
            if (key == QLatin1String("job"))
                target.job = value;
            else if (key == QLatin1String("instance"))
                target.instance = value;
        }
        if (target.instance.isEmpty())
            target.instance = scrapeUrl.authority();
        target.health = text(entry, "health");
        target.lastError = text(entry, "lastError");
        target.scrapeInterval = parsePromDuration(text(entry, "scrapeInterval")).value_or(std::chrono::milliseconds(0));
        targets.push_back(std::move(target));
    }
    return targets;
}

std::optional<std::chrono::milliseconds> parsePromDuration(const QString &text)
{
    // [0-9]+ followed by a unit, repeated from the largest unit down.
    static const std::pair<const char *, qint64> kUnits[] = {{"y", 365LL * 86'400'000},
                                                             {"w", 7LL * 86'400'000},
                                                             {"d", 86'400'000},
                                                             {"h", 3'600'000},
                                                             {"m", 60'000},
                                                             {"s", 1'000},
                                                             {"ms", 1}};
    if (text.isEmpty() || text.size() > 64)
        return std::nullopt;
    qint64 total = 0;
    qsizetype at = 0;
    std::size_t lastUnit = 0;
    bool any = false;
    while (at < text.size()) {
        const qsizetype digits = at;
        while (at < text.size() && text.at(at).isDigit())
            ++at;
        if (at == digits || at - digits > 12)
            return std::nullopt;
        const qint64 number = QStringView(text).mid(digits, at - digits).toLongLong();
        // "ms" before "m": the longest unit that matches.
        const bool milli = text.mid(at, 2) == QLatin1String("ms");
        const QString unit = milli ? QStringLiteral("ms") : text.mid(at, 1);
        const auto found = std::find_if(std::begin(kUnits), std::end(kUnits),
                                        [&](const auto &u) { return unit == QLatin1String(u.first); });
        const auto index = static_cast<std::size_t>(found - std::begin(kUnits));
        if (found == std::end(kUnits) || (any && index <= lastUnit))
            return std::nullopt;
        if (number > (std::numeric_limits<qint64>::max() - total) / found->second)
            return std::nullopt; // past 292 million years
        total += number * found->second;
        lastUnit = index;
        any = true;
        at += unit.size();
    }
    return std::chrono::milliseconds(total);
}

bool LabelMatcher::matches(const QString &labelValue) const
{
    switch (op) {
    case Op::Equal:
        return labelValue == value;
    case Op::NotEqual:
        return labelValue != value;
    case Op::Match:
        return regex.match(labelValue).hasMatch();
    case Op::NotMatch:
        return !regex.match(labelValue).hasMatch();
    }
    return false;
}

std::optional<std::vector<LabelMatcher>> parseLabelMatchers(const QString &text, QString *error)
{
    const auto fail = [error](qsizetype column, const QString &why) -> std::optional<std::vector<LabelMatcher>> {
        if (error)
            *error = QStringLiteral("column %1: %2").arg(column + 1).arg(why);
        return std::nullopt;
    };
    std::vector<LabelMatcher> matchers;
    qsizetype at = 0;
    const auto skipSpace = [&] {
        while (at < text.size() && text.at(at).isSpace())
            ++at;
    };
    skipSpace();
    while (at < text.size()) {
        LabelMatcher m;
        const qsizetype nameStart = at;
        while (at < text.size() && (text.at(at).isLetterOrNumber() || text.at(at) == u'_')
               && text.at(at).unicode() < 128)
            ++at;
        m.name = text.mid(nameStart, at - nameStart);
        if (m.name.isEmpty() || m.name.at(0).isDigit())
            return fail(nameStart, QStringLiteral("a label name was expected"));
        skipSpace();
        const QStringView rest = QStringView(text).mid(at);
        if (rest.startsWith(u"=~"))
            m.op = LabelMatcher::Op::Match;
        else if (rest.startsWith(u"!~"))
            m.op = LabelMatcher::Op::NotMatch;
        else if (rest.startsWith(u"!="))
            m.op = LabelMatcher::Op::NotEqual;
        else if (rest.startsWith(u'='))
            m.op = LabelMatcher::Op::Equal;
        else
            return fail(at, QStringLiteral("=, !=, =~ or !~ was expected after \"%1\"").arg(m.name));
        at += m.op == LabelMatcher::Op::Equal ? 1 : 2;
        skipSpace();
        if (at >= text.size() || (text.at(at) != u'"' && text.at(at) != u'\''))
            return fail(at, QStringLiteral("a quoted value was expected"));
        const QChar quote = text.at(at++);
        QString value;
        bool closed = false;
        while (at < text.size()) {
            const QChar c = text.at(at++);
            if (c == quote) {
                closed = true;
                break;
            }
            if (c == u'\\' && at < text.size()) {
                const QChar escaped = text.at(at++);
                value += escaped == u'n' ? QChar(u'\n') : escaped == u't' ? QChar(u'\t') : escaped;
            } else {
                value += c;
            }
        }
        if (!closed)
            return fail(text.size(), QStringLiteral("the value of \"%1\" is not closed").arg(m.name));
        m.value = value;
        if (m.op == LabelMatcher::Op::Match || m.op == LabelMatcher::Op::NotMatch) {
            m.regex = QRegularExpression(QRegularExpression::anchoredPattern(value));
            if (!m.regex.isValid())
                return fail(nameStart,
                            QStringLiteral("the regular expression of \"%1\" is invalid: %2")
                                .arg(m.name, m.regex.errorString()));
        }
        matchers.push_back(std::move(m));
        skipSpace();
        if (at < text.size()) {
            if (text.at(at) != u',')
                return fail(at, QStringLiteral("a comma was expected between matchers"));
            ++at;
            skipSpace();
        }
    }
    return matchers;
}

bool matchesAll(const std::vector<LabelMatcher> &matchers, const PromTarget &target)
{
    return std::all_of(matchers.begin(), matchers.end(), [&target](const LabelMatcher &m) {
        const auto label = std::find_if(target.labels.begin(), target.labels.end(),
                                        [&m](const auto &entry) { return entry.first == m.name; });
        return m.matches(label != target.labels.end() ? label->second : QString());
    });
}

std::vector<config::ServiceConfig> servicesFromTargets(const std::vector<PromTarget> &targets)
{
    std::map<QString, int> perJob;
    for (const PromTarget &target : targets)
        ++perJob[target.job];
    std::map<QString, int> named;
    std::vector<config::ServiceConfig> services;
    services.reserve(targets.size());
    for (const PromTarget &target : targets) {
        config::ServiceConfig service;
        service.name = target.job.isEmpty() ? target.instance
            : perJob[target.job] > 1        ? target.job + u'/' + target.instance
                                            : target.job;
        // The same target in two scrape pools: still two names.
        if (const int seen = named[service.name]++; seen > 0)
            service.name += QStringLiteral(" #%1").arg(seen + 1);
        // Scheme, host and port only: a user-info the server shows is never
        // carried to the target's pprof.
        QUrl base;
        base.setScheme(target.scrapeUrl.scheme());
        base.setHost(target.scrapeUrl.host());
        base.setPort(target.scrapeUrl.port());
        service.baseUrl = base;
        if (!target.scrapeUrl.path().isEmpty())
            service.paths.metrics = target.scrapeUrl.path();
        service.labels = target.labels;
        for (const auto &[key, value] : target.labels) {
            if (key == QLatin1String("tier") && value == QLatin1String("core"))
                service.tier = config::Tier::Core;
        }
        if (target.scrapeInterval.count() > 0)
            service.interval = std::max(target.scrapeInterval, std::chrono::milliseconds(1000));
        services.push_back(std::move(service));
    }
    return services;
}

} // namespace gotriage::ingest
