#include "cliutil.h"
#include "commands.h"

#include "config/actioncatalog.h"
#include "ingest/requestexecutor.h"
#include "ingest/requestsettings.h"
#include "triage/actionrunner.h"
#include "triage/auditlog.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

namespace gotriage::cli {

namespace {

void printJson(const QJsonObject &object)
{
    printOut(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString());
}

// The audit log: --audit FILE, else the user's data folder.
QString auditPath(const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("audit")))
        return parser.value(QStringLiteral("audit"));
    const QString dir
        = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/gotriage");
    QDir().mkpath(dir);
    return dir + QStringLiteral("/audit.log");
}

const config::ServiceConfig *findService(const std::vector<config::ServiceConfig> &services, const QString &name)
{
    for (const config::ServiceConfig &s : services) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

QJsonObject actionJson(const config::ActionSpec &a, const std::vector<config::ServiceConfig> &services)
{
    QJsonObject variables;
    for (const config::ActionVariable &v : a.variables) {
        QJsonObject spec{{QStringLiteral("default"), v.defaultValue}};
        if (v.min)
            spec.insert(QStringLiteral("min"), *v.min);
        if (v.max)
            spec.insert(QStringLiteral("max"), *v.max);
        variables.insert(v.name, spec);
    }
    QJsonArray targets;
    for (const config::ServiceConfig &s : services) {
        if (a.kind != config::ActionKind::Webhook && a.appliesTo.matches(s))
            targets.append(s.name);
    }
    return {{QStringLiteral("name"), a.name},
            {QStringLiteral("kind"), config::actionKindName(a.kind)},
            {QStringLiteral("description"), a.description},
            {QStringLiteral("variables"), variables},
            {QStringLiteral("targets"), targets},
            {QStringLiteral("revert"),
             a.revert == config::ActionSpec::Revert::Restore        ? QStringLiteral("restore")
                 : a.revert == config::ActionSpec::Revert::Explicit ? QStringLiteral("explicit")
                                                                    : QStringLiteral("none")},
            {QStringLiteral("ttl_s"), a.ttl ? QJsonValue(static_cast<qint64>(a.ttl->count())) : QJsonValue()}};
}

} // namespace

int actionCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("List, run and revert the fleet file's actions (throttle, circuit-break, degrade, "
                       "hot-config). Every run and revert is written to the audit log."));
    parser.addPositionalArgument(QStringLiteral("list|run|revert"), QStringLiteral("what to do"));
    parser.addPositionalArgument(QStringLiteral("NAME|ID"), QStringLiteral("the action to run, or the run to revert"));
    parser.addOption(
        {QStringLiteral("config"), QStringLiteral("the fleet file with the actions"), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("target"), QStringLiteral("the service to act on"), QStringLiteral("SERVICE")});
    parser.addOption({QStringLiteral("set"), QStringLiteral("a variable's value (repeatable)"), QStringLiteral("k=v")});
    parser.addOption({QStringLiteral("dry-run"), QStringLiteral("render and read, change nothing")});
    parser.addOption({QStringLiteral("confirm"),
                      QStringLiteral("the target's name again: needed for core-tier services"),
                      QStringLiteral("SERVICE")});
    parser.addOption({QStringLiteral("audit"), QStringLiteral("the audit log (default: the user's data folder)"),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON output (the only output)")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 2))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    const QString verb = positional.at(0);
    if (!parser.isSet(QStringLiteral("config"))) {
        printErr(QStringLiteral("gotriage-cli: action needs --config FILE (the fleet file with the actions)"));
        return kExitUsage;
    }
    const QString configPath = parser.value(QStringLiteral("config"));
    const config::FleetConfig fleet = config::loadFleetConfig(configPath);
    const config::ActionCatalog &catalog = *fleet.actions;
    for (const config::ConfigProblem &p : fleet.problems)
        printErr(p.toString());
    for (const config::ConfigProblem &p : catalog.problems)
        printErr(p.toString());
    const int configExit = catalog.problems.empty() ? kExitOk : kExitRejected;

    if (verb == QLatin1String("list")) {
        for (const config::ActionSpec &a : catalog.actions)
            printJson(actionJson(a, fleet.services));
        return configExit;
    }
    if ((verb != QLatin1String("run") && verb != QLatin1String("revert")) || positional.size() != 2) {
        printErr(QStringLiteral("gotriage-cli: action list | run NAME --target SERVICE | revert ID"));
        return kExitUsage;
    }

    ingest::RequestExecutor executor;
    for (const config::ServiceConfig &s : fleet.services)
        executor.setServiceSettings(s.name,
                                    std::make_shared<const ingest::RequestSettings>(ingest::resolveRequestSettings(s)));
    triage::AuditLog audit(auditPath(parser));
    triage::ActionRunner runner(&executor, &audit);
    triage::ActionRunPtr result;
    const auto quitWith = [&](const triage::ActionRunPtr &r) {
        result = r;
        QCoreApplication::quit();
    };
    QObject::connect(&runner, &triage::ActionRunner::finished, &runner, quitWith);
    QObject::connect(&runner, &triage::ActionRunner::reverted, &runner, quitWith);

    if (verb == QLatin1String("run")) {
        const config::ActionSpec *action = catalog.find(positional.at(1));
        if (!action) {
            printErr(QStringLiteral("gotriage-cli: %1: no action named \"%2\"").arg(configPath, positional.at(1)));
            return kExitUsage;
        }
        const config::ServiceConfig *target = findService(fleet.services, parser.value(QStringLiteral("target")));
        if (!target) {
            printErr(QStringLiteral("gotriage-cli: --target names no service of %1").arg(configPath));
            return kExitUsage;
        }
        if (!action->appliesTo.matches(*target)) {
            printErr(
                QStringLiteral("gotriage-cli: %1 does not apply to %2 (applies_to)").arg(action->name, target->name));
            return kExitUsage;
        }
        // A core service is changed only when its name is typed again.
        if (target->tier == config::Tier::Core && !parser.isSet(QStringLiteral("dry-run"))
            && parser.value(QStringLiteral("confirm")) != target->name) {
            printErr(QStringLiteral("gotriage-cli: %1 is a core service: confirm with --confirm %1").arg(target->name));
            return kExitUsage;
        }
        QMap<QString, QString> overrides;
        for (const QString &set : parser.values(QStringLiteral("set"))) {
            const qsizetype eq = set.indexOf(u'=');
            if (eq <= 0) {
                printErr(QStringLiteral("gotriage-cli: --set takes k=v, got \"%1\"").arg(set));
                return kExitUsage;
            }
            overrides.insert(set.left(eq), set.mid(eq + 1));
        }
        QString error;
        const auto values = triage::resolveVariables(*action, overrides, &error);
        if (!values) {
            printErr(QStringLiteral("gotriage-cli: ") + error);
            return kExitUsage;
        }
        runner.run(*action, *target, *values, parser.isSet(QStringLiteral("dry-run")));
    } else {
        const std::optional<triage::ActionRun> run = triage::findRunInAudit(audit, positional.at(1));
        if (!run) {
            printErr(
                QStringLiteral("gotriage-cli: %1: no run %2 in the audit log").arg(audit.path(), positional.at(1)));
            return kExitUsage;
        }
        if (run->reverted) {
            printErr(QStringLiteral("gotriage-cli: %1 was already reverted").arg(run->id));
            return kExitRejected;
        }
        const config::ActionSpec *action = catalog.find(run->action);
        const config::ServiceConfig *target = findService(fleet.services, run->service);
        if (!action || !target) {
            printErr(QStringLiteral("gotriage-cli: %1 names an action or service that %2 no longer has")
                         .arg(run->id, configPath));
            return kExitUsage;
        }
        runner.revert(*action, *target, *run);
    }
    QCoreApplication::exec();
    if (!result)
        return kExitUsage;
    printJson(triage::maskSecrets(result->toJson()));
    if (!result->ok()) {
        printErr(QStringLiteral("gotriage-cli: %1 on %2: %3").arg(result->action, result->service, result->error));
        return kExitRejected;
    }
    return configExit;
}

} // namespace gotriage::cli
