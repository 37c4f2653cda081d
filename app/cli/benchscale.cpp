#include "benchscale.h"

#include "cliutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace gotriage::cli {

namespace {

// A demo process serves all its services from one thread: several smaller
// processes spread the fleet over whatever cores the watcher leaves.
constexpr int kServicesPerDemoProcess = 250;
// Through Prometheus: its default scrape interval, and gotriage's reading of it.
constexpr int kThroughPrometheusInterval = 15;

// The child processes of the benchmark, stopped (TERM, then KILL) however it ends.
class Children
{
public:
    ~Children()
    {
        for (auto &child : m_children)
            child->terminate();
        for (auto &child : m_children) {
            if (!child->waitForFinished(5000)) {
                child->kill();
                child->waitForFinished(2000);
            }
        }
    }
    enum class Priority { Normal, Lowest };
    QProcess *start(const QString &program, const QStringList &arguments, const QString &logFile,
                    Priority priority = Priority::Normal)
    {
        auto child = std::make_unique<QProcess>();
        if (priority == Priority::Lowest) {
            child->setChildProcessModifier([] {
                if (setpriority(PRIO_PROCESS, 0, 19) != 0)
                    _exit(127); // measured against a fleet that competes as an equal: better not at all
            });
        }
        child->setStandardErrorFile(logFile);
        child->setStandardOutputFile(logFile, QIODevice::Append);
        child->start(program, arguments);
        m_children.push_back(std::move(child));
        return m_children.back().get();
    }
    QProcess *last() const { return m_children.back().get(); }

private:
    std::vector<std::unique_ptr<QProcess>> m_children;
};

QString tail(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = file.readAll();
    return QString::fromLocal8Bit(all.right(600)).trimmed();
}

QString guiProgram(const QString &given)
{
    if (!given.isEmpty())
        return given;
    const QString here = QCoreApplication::applicationDirPath();
    for (const QString &candidate : {here + QStringLiteral("/gotriage"), here + QStringLiteral("/../gui/gotriage")}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("gotriage"));
}

// The demo fleet stands in for services on other machines: it runs at the
// lowest priority (nice 19), so that on this machine's cores it takes only
// what the watcher leaves, and the watcher's GUI thread is not kept waiting
// for a core by eight busy fleet processes. gotriage and Prometheus are
// measured against the same fleet, started the same way.
//
// Starts the demo fleet in processes of kServicesPerDemoProcess services and
// returns one fleet file for all of them, or nullopt (with `error`).
std::optional<QJsonObject> startDemoFleet(Children &children, int services, const QDir &dir, QString *error)
{
    struct Part {
        QProcess *process;
        QString fleetFile;
        QString log;
    };
    std::vector<Part> parts;
    for (int first = 0; first < services; first += kServicesPerDemoProcess) {
        const int count = std::min(kServicesPerDemoProcess, services - first);
        const QString fleetFile = dir.filePath(QStringLiteral("demo-%1.json").arg(first));
        const QString log = dir.filePath(QStringLiteral("demo-%1.log").arg(first));
        QProcess *process = children.start(QCoreApplication::applicationFilePath(),
                                           {QStringLiteral("demo-fleet"), QStringLiteral("--services"),
                                            QString::number(count), QStringLiteral("--first"), QString::number(first),
                                            QStringLiteral("--fleet-out"), fleetFile},
                                           log, Children::Priority::Lowest);
        parts.push_back({process, fleetFile, log});
    }
    QJsonArray all;
    QJsonValue actions;
    for (const Part &part : parts) {
        for (int waited = 0; !QFile::exists(part.fleetFile); waited += 100) {
            if (part.process->state() == QProcess::NotRunning || waited > 60000) {
                *error = QStringLiteral("the demo fleet did not start: %1").arg(tail(part.log));
                return std::nullopt;
            }
            QThread::msleep(100);
        }
        QFile file(part.fleetFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("%1: %2").arg(part.fleetFile, file.errorString());
            return std::nullopt;
        }
        const QJsonObject fleet = QJsonDocument::fromJson(file.readAll()).object();
        for (const QJsonValue &service : fleet.value(QStringLiteral("services")).toArray())
            all.append(service);
        actions = fleet.value(QStringLiteral("actions"));
    }
    return QJsonObject{{QStringLiteral("services"), all}, {QStringLiteral("actions"), actions}};
}

bool writeFile(const QString &path, const QByteArray &content, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

struct Measured {
    double cpuPercent = 0;
    double stallMaxMs = 0;
    double stallP99Ms = 0;
    double rssMiB = 0;
    QString store; // the GUI's "store:" line
    double startupMs = -1; // process start to every service's row with data
    QString stallMakeup; // its thread's work and run-queue wait per tick
    QString slowestEvents; // what the GUI thread was doing in its longest ticks
    QString longestTurn; // its dearest pass of the event loop
    QString startupGap; // which services kept the start-up moment from coming
    QString startupLast; // how many were down, and the service whose first report came last
    double workMaxMs = -1; // the GUI thread's own work in one tick, at most (-1: not measured)
    double floorMaxMs = -1; // a bare sleeper's lateness beside it, at most (-1: not measured)
    QString updates; // the GUI's "updates:" line: how often each service was updated
    int updatedServices = -1; // services heard from in the measured span (-1: not measured)
    double updateMedianS = -1; // the time between two of a service's updates, median
    double updateMaxS = -1; // and at most, counting one still open at the end
};

// The GUI's own measurement (--measure): CPU of its whole process over the
// measured span, GUI-thread stalls over all of it, and its RSS at the end.
std::optional<Measured> measureGui(const QString &gui, const QStringList &source, double seconds, const QDir &dir,
                                   QString *error)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!env.contains(QStringLiteral("QT_QPA_PLATFORM")))
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // Its recording and settings go to the benchmark's folder.
    for (const char *name : {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"})
        env.insert(QString::fromLatin1(name), dir.filePath(QStringLiteral("gui-home")));
    process.setProcessEnvironment(env);
    process.setStandardErrorFile(dir.filePath(QStringLiteral("gui.log")));
    process.start(gui, source + QStringList{QStringLiteral("--measure"), QString::number(seconds)});
    // Start-up (every service scraped twice, then 5 s) is not measured, but waited for.
    if (!process.waitForFinished(static_cast<int>((seconds + 180) * 1000))) {
        process.kill();
        process.waitForFinished(2000);
        *error = QStringLiteral("%1 did not finish: %2").arg(gui, tail(dir.filePath(QStringLiteral("gui.log"))));
        return std::nullopt;
    }
    const QString out = QString::fromLocal8Bit(process.readAllStandardOutput());
    static const QRegularExpression summary(
        QStringLiteral(R"(cpu: ([0-9.]+) % of one core.*gui stall: max ([0-9.]+) ms, p99 ([0-9.]+) ms.*resident )"
                       R"(([0-9.]+) MiB)"));
    const auto match = summary.match(out);
    if (process.exitCode() != 0 || !match.hasMatch()) {
        *error = QStringLiteral("%1 exited with %2 and no measurement: %3")
                     .arg(gui)
                     .arg(process.exitCode())
                     .arg(tail(dir.filePath(QStringLiteral("gui.log"))));
        return std::nullopt;
    }
    Measured measured;
    measured.cpuPercent = match.captured(1).toDouble();
    measured.stallMaxMs = match.captured(2).toDouble();
    measured.stallP99Ms = match.captured(3).toDouble();
    measured.rssMiB = match.captured(4).toDouble();
    for (const QString &line : out.split(u'\n')) {
        if (line.startsWith(QLatin1String("store:")))
            measured.store = line;
        if (const qsizetype at = line.indexOf(QLatin1String("gui work per tick")); at >= 0)
            measured.stallMakeup = line.mid(at);
        static const QRegularExpression work(QStringLiteral(R"(gui work per tick: max ([0-9.]+) ms)"));
        if (const auto m = work.match(line); m.hasMatch())
            measured.workMaxMs = m.captured(1).toDouble();
        static const QRegularExpression floor(
            QStringLiteral(R"(the machine's floor: .* woke up to ([0-9.]+) ms late)"));
        if (const auto m = floor.match(line); m.hasMatch())
            measured.floorMaxMs = m.captured(1).toDouble();
        static const QRegularExpression updates(QStringLiteral(
            R"(^updates: [0-9]+ of ([0-9]+) services; .* every ([0-9.]+) s \(median\), .*, ([0-9.]+) s at most$)"));
        if (const auto m = updates.match(line); m.hasMatch()) {
            measured.updates = line;
            measured.updatedServices = m.captured(1).toInt();
            measured.updateMedianS = m.captured(2).toDouble();
            measured.updateMaxS = m.captured(3).toDouble();
        }
        if (line.startsWith(QLatin1String("slowest events:")))
            measured.slowestEvents = line;
        if (line.startsWith(QLatin1String("longest turn:")))
            measured.longestTurn = line;
        if (line.startsWith(QLatin1String("startup: not populated: ")))
            measured.startupGap = line.mid(24);
        static const QRegularExpression startup(
            QStringLiteral(R"(^startup: every service has data, or is down, ([0-9]+) ms after start \((.*)\)$)"));
        if (const auto m = startup.match(line); m.hasMatch()) {
            measured.startupMs = m.captured(1).toDouble();
            measured.startupLast = m.captured(2);
        }
    }
    return measured;
}

QString verdict(bool met, const QString &figure)
{
    return (met ? QStringLiteral("met (") : QStringLiteral("NOT met (")) + figure + u')';
}

// The GUI's stall max against its target, with the machine's floor beside
// it: a stall no longer than the floor may not be gotriage's.
QString stallVerdict(const Measured &watcher)
{
    QString figure = QStringLiteral("%1 ms").arg(watcher.stallMaxMs, 0, 'f', 1);
    if (watcher.floorMaxMs >= 0)
        figure += QStringLiteral("; the machine's floor %1 ms").arg(watcher.floorMaxMs, 0, 'f', 1);
    return verdict(watcher.stallMaxMs < 16, figure);
}

// Whether every service was updated every `intervalS` (its vitals, or why
// it is down): each of the `services` updated in the measured span, the median time between two
// updates the interval (to a tenth), and none a whole round late (the
// longest under two intervals, one still open at the end included).
QString cadenceVerdict(const Measured &watcher, int services, double intervalS)
{
    if (watcher.updatedServices < 0)
        return QStringLiteral("not measured");
    const bool met = watcher.updatedServices == services && watcher.updateMedianS <= intervalS * 1.1
        && watcher.updateMaxS < 2 * intervalS;
    return verdict(met,
                   QStringLiteral("%1 of %2 services updated, every %3 s (median), %4 s at most")
                       .arg(watcher.updatedServices)
                       .arg(services)
                       .arg(watcher.updateMedianS, 0, 'f', 1)
                       .arg(watcher.updateMaxS, 0, 'f', 1));
}

// What the GUI thread spent its longest events and its dearest turn on.
void printLedger(const Measured &watcher)
{
    for (const QString *line : {&watcher.slowestEvents, &watcher.longestTurn}) {
        if (!line->isEmpty())
            std::printf("scale: %s\n", qPrintable(*line));
    }
}

// A service that is down all through the run (a demo service crashing as
// the one round through a server is read) keeps the moment from coming.
QString startupText(const Measured &measured)
{
    if (measured.startupMs >= 0)
        return QStringLiteral("%1 ms%2")
            .arg(measured.startupMs, 0, 'f', 0)
            .arg(measured.startupLast.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(measured.startupLast));
    return QStringLiteral("not reached within the run (%1)")
        .arg(measured.startupGap.isEmpty() ? QStringLiteral("a service without data") : measured.startupGap);
}

// One GET to a loopback port, for Prometheus' own API.
QByteArray localGet(quint16 port, const QString &pathAndQuery)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(2000))
        return {};
    socket.write(QStringLiteral("GET %1 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").arg(pathAndQuery).toLatin1());
    QByteArray response;
    while (socket.waitForReadyRead(5000))
        response += socket.readAll();
    response += socket.readAll();
    const qsizetype body = response.indexOf("\r\n\r\n");
    return body < 0 ? QByteArray() : response.mid(body + 4);
}

// How many of Prometheus' targets `sumQuery` counts; -1 when Prometheus did
// not answer (busy: asked three times).
int countTargets(quint16 port, const QString &sumQuery)
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        const QByteArray body = localGet(
            port, QStringLiteral("/api/v1/query?query=") + QString::fromLatin1(QUrl::toPercentEncoding(sumQuery)));
        const QJsonObject answer = QJsonDocument::fromJson(body).object();
        if (answer.value(QStringLiteral("status")).toString() != QLatin1String("success"))
            continue;
        const QJsonArray result
            = answer.value(QStringLiteral("data")).toObject().value(QStringLiteral("result")).toArray();
        if (result.isEmpty())
            return 0; // no target has been scraped yet
        return result.at(0).toObject().value(QStringLiteral("value")).toArray().at(1).toString().toInt();
    }
    return -1;
}

// How many of Prometheus' targets were up at their last scrape.
int targetsUp(quint16 port)
{
    return countTargets(port, QStringLiteral("sum(up)"));
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// Prometheus scraping the demo fleet's targets every `interval` seconds,
// started in `children` and waited for until every target is up; its port,
// or nullopt (with `error`).
std::optional<quint16> startPrometheus(Children &children, const QString &prometheus, const QJsonObject &fleet,
                                       int interval, Children::Priority priority, const QDir &dir, QString *error)
{
    QString targets;
    for (const QJsonValue &service : fleet.value(QStringLiteral("services")).toArray()) {
        const QUrl url(service.toObject().value(QStringLiteral("url")).toString());
        targets += QStringLiteral("'%1:%2',").arg(url.host()).arg(url.port());
    }
    targets.chop(1);
    const QString config = dir.filePath(QStringLiteral("prometheus.yml"));
    const QByteArray yaml = QStringLiteral("global:\n  scrape_interval: %1s\n  scrape_timeout: 1s\n"
                                           "scrape_configs:\n  - job_name: demo\n    static_configs:\n"
                                           "      - targets: [%2]\n")
                                .arg(interval)
                                .arg(targets)
                                .toUtf8();
    if (!writeFile(config, yaml, error))
        return std::nullopt;
    const quint16 port = freePort();
    QProcess *process
        = children.start(prometheus,
                         {QStringLiteral("--config.file=") + config,
                          QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("prometheus-data")),
                          QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)},
                         dir.filePath(QStringLiteral("prometheus.log")), priority);
    const int services = static_cast<int>(fleet.value(QStringLiteral("services")).toArray().size());
    int up = 0;
    for (int waited = 0; up < services; waited += 500) {
        if (process->state() == QProcess::NotRunning || waited > 120000 + interval * 2000) {
            *error = QStringLiteral("prometheus did not scrape every target (%1 of %2 up): %3")
                         .arg(up)
                         .arg(services)
                         .arg(tail(dir.filePath(QStringLiteral("prometheus.log"))));
            return std::nullopt;
        }
        QThread::msleep(500);
        up = std::max(0, targetsUp(port));
    }
    return port;
}

// Prometheus scraping the same targets at the same interval, measured once
// every target has been scraped and 5 s more, like the GUI.
std::optional<Measured> measurePrometheus(const QString &prometheus, const QJsonObject &fleet, double seconds,
                                          const QDir &dir, QString *error)
{
    Children children;
    // Measured alone, after gotriage, at the priority gotriage had.
    const auto port = startPrometheus(children, prometheus, fleet, 1, Children::Priority::Normal, dir, error);
    if (!port)
        return std::nullopt;
    const int services = static_cast<int>(fleet.value(QStringLiteral("services")).toArray().size());
    QProcess *process = children.last();
    QThread::msleep(5000);
    const auto before = cpuAndRss(process->processId());
    QThread::msleep(static_cast<unsigned long>(seconds * 1000));
    const auto after = cpuAndRss(process->processId());
    // A 1 s scrape times out now and then on a loaded machine, and demo
    // services crash and come back: what shows that Prometheus did the work
    // measured is how many targets it scraped in the window, not the last
    // scrape alone.
    const int scraped
        = countTargets(*port, QStringLiteral("sum(max_over_time(up[%1s]))").arg(static_cast<int>(std::ceil(seconds))));
    const int up = targetsUp(*port);
    if (!before || !after) {
        *error = QStringLiteral("prometheus ended while it was measured: %1")
                     .arg(tail(dir.filePath(QStringLiteral("prometheus.log"))));
        return std::nullopt;
    }
    std::printf("prometheus: %d of %d targets scraped in the measured %.0f s, %d up at the end\n", scraped, services,
                seconds, up);
    Measured measured;
    measured.cpuPercent = (after->first - before->first) / seconds * 100;
    measured.rssMiB = after->second;
    return measured;
}

// What every scale run begins with: its folder, and the demo fleet started
// in `children`; nullopt (said on stderr) when either could not be made.
std::optional<QJsonObject> prepare(const QTemporaryDir &dir, Children &children, int services)
{
    if (!dir.isValid()) {
        printErr(QStringLiteral("gotriage-cli: bench scale: no temporary folder: %1").arg(dir.errorString()));
        return std::nullopt;
    }
    QString error;
    auto fleet = startDemoFleet(children, services, QDir(dir.path()), &error);
    if (!fleet)
        printErr(QStringLiteral("gotriage-cli: bench scale: ") + error);
    return fleet;
}

} // namespace

// CPU seconds (user + system) and RSS of a running process, from /proc.
std::optional<std::pair<double, double>> cpuAndRss(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray line = stat.readAll();
    // Fields after the command name, which is in parentheses and may hold spaces.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 22)
        return std::nullopt;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double cpu = (fields.at(11).toDouble() + fields.at(12).toDouble()) / ticks;
    const double rssMiB = fields.at(21).toDouble() * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
    return std::pair{cpu, rssMiB};
}

int benchScaleThroughPrometheus(int services, double seconds, const QString &guiGiven)
{
    const QString gui = guiProgram(guiGiven);
    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    if (gui.isEmpty() || prometheus.isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: bench scale: --through-prometheus needs gotriage (the GUI, beside "
                                "gotriage-cli, in PATH or named with --gui) and prometheus"));
        return kExitUsage;
    }
    QTemporaryDir dir;
    Children children;
    const auto fleet = prepare(dir, children, services);
    if (!fleet)
        return kExitRejected;
    const QDir work(dir.path());
    QString error;
    // The server stands in for one on other machines, as the fleet does: at
    // the lowest priority, it takes the cores gotriage leaves, and its 90 %
    // of a core at 10 000 targets does not keep the GUI thread from its own.
    const auto port = startPrometheus(children, prometheus, *fleet, kThroughPrometheusInterval,
                                      Children::Priority::Lowest, work, &error);
    if (!port) {
        printErr(QStringLiteral("gotriage-cli: bench scale: ") + error);
        return kExitRejected;
    }
    QProcess *server = children.last();
    std::printf("scale: %d demo services scraped by prometheus every %d s, read through it every %d s, %.0f s "
                "measured; %d cores\n",
                services, kThroughPrometheusInterval, kThroughPrometheusInterval, seconds, QThread::idealThreadCount());
    std::fflush(stdout);
    const auto serverBefore = cpuAndRss(server->processId());
    QElapsedTimer span;
    span.start();
    const QString interval = QStringLiteral("%1s").arg(kThroughPrometheusInterval);
    const auto watcher = measureGui(gui,
                                    {QStringLiteral("--prometheus"), QStringLiteral("http://127.0.0.1:%1").arg(*port),
                                     QStringLiteral("--interval"), interval},
                                    seconds, work, &error);
    const auto serverAfter = cpuAndRss(server->processId());
    if (!watcher) {
        printErr(QStringLiteral("gotriage-cli: bench scale: ") + error);
        return kExitRejected;
    }
    std::printf("scale: start-up to every target listed, with its vitals or down: %s\n",
                qPrintable(startupText(*watcher)));
    std::printf("scale: gotriage RSS %.1f MiB, %.1f KiB per service; %s\n", watcher->rssMiB,
                watcher->rssMiB * 1024 / services, qPrintable(watcher->store));
    if (!watcher->stallMakeup.isEmpty())
        std::printf("scale: %s\n", qPrintable(watcher->stallMakeup));
    if (!watcher->updates.isEmpty())
        std::printf("scale: %s\n", qPrintable(watcher->updates));
    printLedger(*watcher);
    if (serverBefore && serverAfter) {
        std::printf("prometheus: %.1f %% of a core while gotriage ran (its scraping and gotriage's queries), "
                    "RSS %.1f MiB\n",
                    (serverAfter->first - serverBefore->first) / (double(span.elapsed()) / 1000) * 100,
                    serverAfter->second);
    }
    // The issue's frame target: the GUI thread's own work per tick, and
    // its stalls, which the machine's own lateness may make longer.
    if (watcher->workMaxMs >= 0) {
        std::printf(
            "scale: targets: gui work per tick under 16 ms: %s; stall max under 16 ms: %s; live vitals every %d s: "
            "%s\n",
            qPrintable(verdict(watcher->workMaxMs < 16, QStringLiteral("%1 ms").arg(watcher->workMaxMs, 0, 'f', 1))),
            qPrintable(stallVerdict(*watcher)), kThroughPrometheusInterval,
            qPrintable(cadenceVerdict(*watcher, services, kThroughPrometheusInterval)));
    }
    std::printf("scale: %d services through prometheus, %.1f %% of a core, stall max %.1f ms, p99 %.2f ms\n", services,
                watcher->cpuPercent, watcher->stallMaxMs, watcher->stallP99Ms);
    return kExitOk;
}

int benchScale(int services, double seconds, const QString &guiGiven)
{
    const QString gui = guiProgram(guiGiven);
    if (gui.isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: bench scale: gotriage (the GUI) was not found beside gotriage-cli or "
                                "in PATH; name it with --gui"));
        return kExitUsage;
    }
    QTemporaryDir dir;
    Children demo;
    const auto fleet = prepare(dir, demo, services);
    if (!fleet)
        return kExitRejected;
    const QDir work(dir.path());
    QString error;
    const QString fleetFile = work.filePath(QStringLiteral("fleet.json"));
    if (!writeFile(fleetFile, QJsonDocument(*fleet).toJson(), &error)) {
        printErr(QStringLiteral("gotriage-cli: bench scale: ") + error);
        return kExitRejected;
    }
    const int processes = (services + kServicesPerDemoProcess - 1) / kServicesPerDemoProcess;
    std::printf("scale: %d demo services in %d process%s of their own, 1 s interval, %.0f s measured; %d cores\n",
                services, processes, processes == 1 ? "" : "es", seconds, QThread::idealThreadCount());
    std::fflush(stdout);

    const auto watcher = measureGui(gui, {QStringLiteral("--config"), fleetFile}, seconds, work, &error);
    if (!watcher) {
        printErr(QStringLiteral("gotriage-cli: bench scale: ") + error);
        return kExitRejected;
    }
    std::printf("scale: start-up to every service shown: %s\n", qPrintable(startupText(*watcher)));
    std::printf("scale: gotriage RSS %.1f MiB, %.1f KiB per service; %s\n", watcher->rssMiB,
                watcher->rssMiB * 1024 / services, qPrintable(watcher->store));
    if (!watcher->stallMakeup.isEmpty())
        std::printf("scale: %s\n", qPrintable(watcher->stallMakeup));
    if (!watcher->updates.isEmpty())
        std::printf("scale: %s\n", qPrintable(watcher->updates));
    printLedger(*watcher);

    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    QString againstPrometheus = QStringLiteral("not compared");
    if (prometheus.isEmpty()) {
        std::printf("prometheus: not installed, not compared\n");
    } else if (const auto peer = measurePrometheus(prometheus, *fleet, seconds, work, &error)) {
        std::printf("prometheus: %d services, %.1f %% of a core, RSS %.1f MiB, %.1f KiB per service\n", services,
                    peer->cpuPercent, peer->rssMiB, peer->rssMiB * 1024 / services);
        againstPrometheus = verdict(
            watcher->cpuPercent < peer->cpuPercent,
            QStringLiteral("%1 against %2 %").arg(watcher->cpuPercent, 0, 'f', 1).arg(peer->cpuPercent, 0, 'f', 1));
    } else {
        printErr(QStringLiteral("gotriage-cli: bench scale: ") + error);
    }
    // The issue's targets, each with its figure, as one line to read first.
    std::printf(
        "scale: targets: under 1 core: %s; under Prometheus: %s; stall max under 16 ms: %s; p99 under 8 ms: "
        "%s; start-up under 2 s: %s\n",
        qPrintable(verdict(watcher->cpuPercent < 100, QStringLiteral("%1 %").arg(watcher->cpuPercent, 0, 'f', 1))),
        qPrintable(againstPrometheus), qPrintable(stallVerdict(*watcher)),
        qPrintable(verdict(watcher->stallP99Ms < 8, QStringLiteral("%1 ms").arg(watcher->stallP99Ms, 0, 'f', 2))),
        qPrintable(verdict(watcher->startupMs >= 0 && watcher->startupMs < 2000,
                           watcher->startupMs >= 0 ? QStringLiteral("%1 ms").arg(watcher->startupMs, 0, 'f', 0)
                                                   : QStringLiteral("not reached"))));
    std::printf("scale: %d services, %.1f %% of a core, stall max %.1f ms, p99 %.2f ms\n", services,
                watcher->cpuPercent, watcher->stallMaxMs, watcher->stallP99Ms);
    return kExitOk;
}

} // namespace gotriage::cli
