// gotriage: the desktop dashboard. Parses the command line and wires the
// main window; everything else lives in gotriage_ui and gotriage_core.
#include "analysis/serviceanalyzer.h"
#include "appearance.h"
#include "common/clock.h"
#include "eventloopprobe.h"
#include "ingest/livesource.h"
#include "ingest/promsource.h"
#include "ingest/promtargets.h"
#include "mainwindow.h"
#include "measuredapplication.h"
#include "record/filekind.h"
#include "record/recordingsource.h"
#include "session/session.h"
#include "updatecadence.h"
#include "version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QThreadPool>
#include <QTimer>

#include <cstdio>
#include <optional>
#include <string_view>

namespace {

// Saves the window as PNG and quits: for docs, bug reports and the tests.
void saveScreenshotAndQuit(QWidget &window, const QString &path)
{
    const bool saved = window.grab().save(path, "PNG");
    if (!saved)
        std::fprintf(stderr, "gotriage: cannot write screenshot %s\n", path.toLocal8Bit().constData());
    QCoreApplication::exit(saved ? 0 : 2);
}

double secondsOption(const QCommandLineParser &parser, const QCommandLineOption &option, bool *ok)
{
    const double value = parser.value(option).toDouble(ok);
    *ok = *ok && value >= 0;
    return value;
}

// The command line, built the same way for the display-less path (--help,
// --version) and for the window.
struct CommandLine {
    QCommandLineParser parser;
    const QCommandLineOption configOption{QStringLiteral("config"), QStringLiteral("fleet file to watch"),
                                          QStringLiteral("FILE")};
    const QCommandLineOption demoOption{QStringLiteral("demo"),
                                        QStringLiteral("watch the built-in demo fleet (the default)")};
    const QCommandLineOption servicesOption{QStringLiteral("demo-services"),
                                            QStringLiteral("how many demo services (default 12)"), QStringLiteral("N"),
                                            QStringLiteral("12")};
    const QCommandLineOption screenshotOption{QStringLiteral("screenshot"),
                                              QStringLiteral("once data has arrived, save the window as PNG and exit"),
                                              QStringLiteral("FILE.png")};
    const QCommandLineOption afterOption{QStringLiteral("after"),
                                         QStringLiteral("with --screenshot: wait this much longer first"),
                                         QStringLiteral("SECONDS"), QStringLiteral("0")};
    const QCommandLineOption sizeOption{QStringLiteral("size"), QStringLiteral("window size, e.g. 1440x900"),
                                        QStringLiteral("WxH")};
    const QCommandLineOption measureOption{
        QStringLiteral("measure"),
        QStringLiteral("run this long, then print CPU use and GUI-thread stalls and exit (benchmarks)"),
        QStringLiteral("SECONDS")};
    const QCommandLineOption measureEveryOption{
        QStringLiteral("measure-every"),
        QStringLiteral(
            "with --measure: also print a \"soak:\" line (RSS, fds, threads, stalls) this often (soak tests)"),
        QStringLiteral("SECONDS")};
    const QCommandLineOption historyOption{
        QStringLiteral("history-mib"),
        QStringLiteral("memory for the fleet's history, in MiB (default 256; 384 holds "
                       "a day of 2 000 services at 1 s)"),
        QStringLiteral("MIB"), QStringLiteral("256")};
    const QCommandLineOption fastAnalysisOption{
        QStringLiteral("fast-analysis"),
        QStringLiteral("trend windows of seconds instead of minutes: findings show up fast (demos, not incidents)")};
    const QCommandLineOption selectOption{QStringLiteral("select"), QStringLiteral("show this service's charts first"),
                                          QStringLiteral("SERVICE")};
    const QCommandLineOption groupByOption{
        QStringLiteral("group-by"),
        QStringLiteral("group the fleet by this label (team, cluster, ...) or by tier; also in the toolbar"),
        QStringLiteral("KEY")};
    const QCommandLineOption recordOption{
        QStringLiteral("record"),
        QStringLiteral("record the session into FILE (default: a black box in the data folder's recordings/)"),
        QStringLiteral("FILE")};
    const QCommandLineOption noRecordOption{QStringLiteral("no-record"), QStringLiteral("do not record the session")};
    const QCommandLineOption retentionOption{
        QStringLiteral("record-retention-hours"),
        QStringLiteral("how much history the black box keeps, and how long old ones are kept (default 24)"),
        QStringLiteral("HOURS"), QStringLiteral("24")};
    const QCommandLineOption warRoomOption{QStringLiteral("war-room"),
                                           QStringLiteral("start in war-room mode: full screen, large type, "
                                                          "high contrast (F11 toggles it)")};
    const QCommandLineOption themeOption{QStringLiteral("theme"),
                                         QStringLiteral("dark or light, for this run (View → Theme remembers one)"),
                                         QStringLiteral("NAME")};
    const QCommandLineOption prometheusOption{
        QStringLiteral("prometheus"),
        QStringLiteral("watch the targets of this Prometheus-compatible server through it (its history first), "
                       "instead of scraping them"),
        QStringLiteral("URL")};
    const QCommandLineOption matchOption{
        QStringLiteral("match"),
        QStringLiteral("with --prometheus: only targets with these labels, e.g. job=~\"checkout.*\",env=\"prod\""),
        QStringLiteral("MATCHERS")};
    const QCommandLineOption backfillOption{
        QStringLiteral("backfill"),
        QStringLiteral("with --prometheus: how much history to read at start (default 2h; 0: none)"),
        QStringLiteral("DURATION"), QStringLiteral("2h")};
    const QCommandLineOption intervalOption{
        QStringLiteral("interval"), QStringLiteral("with --prometheus: how often to read the vitals (default 15s)"),
        QStringLiteral("DURATION"), QStringLiteral("15s")};
    const QCommandLineOption speedOption{QStringLiteral("speed"),
                                         QStringLiteral("replaying a recording: the speed to start at (1 to 1000)"),
                                         QStringLiteral("RATE"), QStringLiteral("1")};

    CommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "Incident dashboard for fleets of Go services. Without --config or FILE it watches a built-in demo "
            "fleet."));
        parser.addPositionalArgument(QStringLiteral("FILE"),
                                     QStringLiteral("a recording to replay, or a fleet file, profile or goroutine dump "
                                                    "to open (told by its content)"),
                                     QStringLiteral("[FILE]"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({configOption,       demoOption,       servicesOption,   historyOption,   fastAnalysisOption,
                           selectOption,       screenshotOption, afterOption,      sizeOption,      measureOption,
                           measureEveryOption, recordOption,     noRecordOption,   retentionOption, speedOption,
                           warRoomOption,      themeOption,      prometheusOption, matchOption,     backfillOption,
                           intervalOption,     groupByOption});
    }
};

// --prometheus and what goes with it, or nullopt with `error` saying which
// option is wrong.
std::optional<gotriage::ingest::PrometheusSource::Settings>
prometheusSettings(const QCommandLineParser &parser, const CommandLine &commandLine, QString *error)
{
    gotriage::ingest::PrometheusSource::Settings settings;
    settings.server = QUrl(parser.value(commandLine.prometheusOption), QUrl::StrictMode);
    if (!settings.server.isValid() || settings.server.host().isEmpty()
        || (settings.server.scheme() != QLatin1String("http") && settings.server.scheme() != QLatin1String("https"))) {
        *error = QStringLiteral("--prometheus takes the server's http(s) URL, e.g. http://127.0.0.1:9090");
        return std::nullopt;
    }
    settings.selector = parser.value(commandLine.matchOption);
    if (!gotriage::ingest::parseLabelMatchers(settings.selector, error)) {
        *error = QStringLiteral("--match: %1").arg(*error);
        return std::nullopt;
    }
    const QString backfill = parser.value(commandLine.backfillOption);
    const auto history
        = backfill == QLatin1String("0") ? std::chrono::milliseconds(0) : gotriage::ingest::parsePromDuration(backfill);
    const auto interval = gotriage::ingest::parsePromDuration(parser.value(commandLine.intervalOption));
    if (!history || *history > std::chrono::hours(24 * 7)) {
        *error = QStringLiteral("--backfill takes a duration such as 2h or 30m, at most a week, or 0");
        return std::nullopt;
    }
    if (!interval || *interval < std::chrono::seconds(1)) {
        *error = QStringLiteral("--interval takes a duration such as 15s, at least 1s");
        return std::nullopt;
    }
    settings.backfill = *history;
    settings.interval = *interval;
    return settings;
}

// Black boxes older than their retention are removed, off the GUI thread.
void sweepOldBlackBoxes(const QString &dir, qint64 retentionMs)
{
    QThreadPool::globalInstance()->start([dir, retentionMs] {
        const QDateTime cutoff
            = QDateTime::fromMSecsSinceEpoch(gotriage::common::LiveClock::instance().nowMs() - retentionMs, Qt::UTC);
        for (const QFileInfo &file : QDir(dir).entryInfoList({QStringLiteral("session-*.gotriage*")}, QDir::Files)) {
            if (file.lastModified().toUTC() < cutoff)
                QFile::remove(file.absoluteFilePath());
        }
    });
}

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("gotriage"));
    QCoreApplication::setOrganizationName(QStringLiteral("gotriage"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(gotriage::kVersion));
}

// --help and --version need no window: answered before QApplication, which
// aborts without a display.
bool wantsOnlyText(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-?" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart; // --measure: start-up to a populated fleet view
    sinceStart.start();
    if (wantsOnlyText(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationNames();
        CommandLine commandLine;
        commandLine.parser.process(app); // prints and exits
        return 0;
    }

    gotriage::ui::MeasuredApplication app(argc, argv);
    setApplicationNames();
    // The installed .desktop entry and icon (packaging/): the desktop matches
    // the window to its entry, and the theme holds the icon once installed.
    QGuiApplication::setDesktopFileName(QStringLiteral("org.gotriage.Gotriage"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("org.gotriage.Gotriage")));
    CommandLine commandLine;
    QCommandLineParser &parser = commandLine.parser;
    const QCommandLineOption &configOption = commandLine.configOption;
    const QCommandLineOption &demoOption = commandLine.demoOption;
    const QCommandLineOption &recordOption = commandLine.recordOption;
    const QCommandLineOption &noRecordOption = commandLine.noRecordOption;
    const QCommandLineOption &retentionOption = commandLine.retentionOption;
    const QCommandLineOption &servicesOption = commandLine.servicesOption;
    const QCommandLineOption &screenshotOption = commandLine.screenshotOption;
    const QCommandLineOption &afterOption = commandLine.afterOption;
    const QCommandLineOption &sizeOption = commandLine.sizeOption;
    const QCommandLineOption &measureOption = commandLine.measureOption;
    const QCommandLineOption &measureEveryOption = commandLine.measureEveryOption;
    const QCommandLineOption &historyOption = commandLine.historyOption;
    const QCommandLineOption &fastAnalysisOption = commandLine.fastAnalysisOption;
    const QCommandLineOption &selectOption = commandLine.selectOption;
    const QCommandLineOption &groupByOption = commandLine.groupByOption;
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "gotriage: one FILE at most\n");
        return 2;
    }
    // What FILE is decides the session: a recording is replayed rather than
    // watched. Sniffing reads its first 4 KiB, before any window exists.
    const QString file = parser.positionalArguments().value(0);
    gotriage::record::FileKind fileKind = gotriage::record::FileKind::Unknown;
    if (!file.isEmpty()) {
        QString error;
        fileKind = gotriage::record::sniffFile(file, &error);
        if (fileKind == gotriage::record::FileKind::Unknown) {
            std::fprintf(stderr, "gotriage: %s\n", error.toLocal8Bit().constData());
            return 2;
        }
    }
    const bool replaying = fileKind == gotriage::record::FileKind::Recording;
    const bool fleetFile = fileKind == gotriage::record::FileKind::FleetFile;
    const bool captureFile = !file.isEmpty() && !replaying && !fleetFile;
    std::optional<gotriage::ingest::PrometheusSource::Settings> prometheus;
    if (parser.isSet(commandLine.prometheusOption)) {
        QString error;
        prometheus = prometheusSettings(parser, commandLine, &error);
        if (!prometheus) {
            std::fprintf(stderr, "gotriage: %s\n", error.toLocal8Bit().constData());
            return 2;
        }
        if (!file.isEmpty() || parser.isSet(configOption) || parser.isSet(demoOption)) {
            std::fprintf(stderr, "gotriage: --prometheus excludes --config, --demo and FILE\n");
            return 2;
        }
    }
    bool speedOk = false;
    const double speed = parser.value(commandLine.speedOption).toDouble(&speedOk);
    if (!speedOk || speed < 0.01 || speed > 1000) {
        std::fprintf(stderr, "gotriage: --speed takes a rate from 0.01 to 1000\n");
        return 2;
    }

    bool ok = false;
    const double afterSeconds = secondsOption(parser, afterOption, &ok);
    if (!ok) {
        std::fprintf(stderr, "gotriage: --after takes a number of seconds\n");
        return 2;
    }
    if ((parser.isSet(configOption) || !file.isEmpty()) && parser.isSet(demoOption)) {
        std::fprintf(stderr, "gotriage: --demo excludes --config and FILE\n");
        return 2;
    }
    if (parser.isSet(configOption) && !file.isEmpty()) {
        std::fprintf(stderr, "gotriage: --config and FILE exclude each other\n");
        return 2;
    }

    const int historyMib = parser.value(historyOption).toInt(&ok);
    if (!ok || historyMib < 1 || historyMib > 64 * 1024) {
        std::fprintf(stderr, "gotriage: --history-mib takes a number of MiB from 1 to 65536\n");
        return 2;
    }

    gotriage::ui::Appearance::instance().restore(); // the theme and clock chosen last time
    if (parser.isSet(commandLine.themeOption)) {
        const QString theme = parser.value(commandLine.themeOption);
        if (theme != QLatin1String("dark") && theme != QLatin1String("light")) {
            std::fprintf(stderr, "gotriage: --theme takes dark or light\n");
            return 2;
        }
        gotriage::ui::Appearance::instance().useScheme(theme == QLatin1String("light")
                                                           ? gotriage::ui::palette::Scheme::Light
                                                           : gotriage::ui::palette::Scheme::Dark);
    }
    // The session (a source and the hub it feeds) is made here and handed
    // to the window, which only subscribes to it.
    std::unique_ptr<gotriage::session::Session> session;
    gotriage::record::RecordingSource *replay = nullptr;
    if (replaying) {
        auto source = std::make_unique<gotriage::record::RecordingSource>(file, speed);
        replay = source.get();
        session = std::make_unique<gotriage::session::Session>(std::move(source));
        session->setAdoptUnknownServices(true);
    } else if (prometheus) {
        session = std::make_unique<gotriage::session::Session>(
            std::make_unique<gotriage::ingest::PrometheusSource>(*prometheus));
    } else {
        session = std::make_unique<gotriage::session::Session>(std::make_unique<gotriage::ingest::LiveSource>());
    }
    if (parser.isSet(fastAnalysisOption))
        session->setAnalysisSettings(gotriage::analysis::AnalysisSettings::fast());
    gotriage::session::Session *watched = session.get(); // owned by the window from here on
    gotriage::ui::MainWindow window(std::move(session), replay);
    window.setHistoryBudget(static_cast<std::size_t>(historyMib) * 1024 * 1024);
    if (parser.isSet(sizeOption)) {
        const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
        const int width = size.value(0).toInt(), height = size.value(1).toInt();
        if (size.size() != 2 || width < 400 || height < 300) {
            std::fprintf(stderr, "gotriage: --size takes WIDTHxHEIGHT, at least 400x300\n");
            return 2;
        }
        window.resize(width, height);
    } else if (!parser.isSet(screenshotOption) && !parser.isSet(measureOption)) {
        window.restoreLayout(); // screenshots and measurements stay reproducible
    }
    window.show();
    if (parser.isSet(commandLine.warRoomOption)) {
        const QSize requested = window.size();
        window.setWarRoom(true);
        if (parser.isSet(sizeOption)) { // a screenshot of the wall at a chosen size
            window.showNormal();
            window.resize(requested);
        }
    }
    if (!file.isEmpty() || parser.isSet(configOption))
        gotriage::ui::MainWindow::rememberRecentFile(file.isEmpty() ? parser.value(configOption) : file);

    if (parser.isSet(selectOption)) {
        const QString service = parser.value(selectOption);
        QObject::connect(&window, &gotriage::ui::MainWindow::fleetLoaded, &window,
                         [&window, service] { window.selectService(service); });
    }
    if (parser.isSet(groupByOption))
        window.setGroupKey(parser.value(groupByOption));
    const QString screenshotPath = parser.value(screenshotOption);
    if (!screenshotPath.isEmpty()) {
        QObject::connect(
            &window, &gotriage::ui::MainWindow::firstDataAvailable, &window, [&window, screenshotPath, afterSeconds] {
                QTimer::singleShot(static_cast<int>(afterSeconds * 1000), &window,
                                   [&window, screenshotPath] { saveScreenshotAndQuit(window, screenshotPath); });
            });
    }
    // --measure: steady state only. Measuring starts once every service has
    // been scraped twice, plus a settling delay, so start-up is not counted.
    gotriage::ui::EventLoopProbe probe;
    gotriage::ui::UpdateCadence cadence;
    if (parser.isSet(measureOption)) {
        const double seconds = secondsOption(parser, measureOption, &ok);
        if (!ok) {
            std::fprintf(stderr, "gotriage: --measure takes a number of seconds\n");
            return 2;
        }
        double everySeconds = 0;
        if (parser.isSet(measureEveryOption)) {
            everySeconds = secondsOption(parser, measureEveryOption, &ok);
            if (!ok || everySeconds < 1) {
                std::fprintf(stderr, "gotriage: --measure-every takes a number of seconds, at least 1\n");
                return 2;
            }
        }
        QObject::connect(&window, &gotriage::ui::MainWindow::fleetPopulated, &window, [&sinceStart, &window] {
            std::printf("startup: every service has data, or is down, %lld ms after start (%d down; the last: %s)\n",
                        static_cast<long long>(sinceStart.elapsed()), window.downAtFirstReport(),
                        qPrintable(window.lastToPopulate()));
            std::fflush(stdout);
        });
        QObject::connect(watched, &gotriage::session::Session::batchReady, &window,
                         [&cadence, &sinceStart](const gotriage::session::SessionBatchPtr &batch) {
                             cadence.note(*batch, sinceStart.elapsed());
                         });
        const auto finish = [&app, &probe, &cadence, &sinceStart, &window] {
            if (!window.fleetPopulatedSent())
                std::printf("startup: not populated: %s\n", window.startupGapSummary().toLocal8Bit().constData());
            std::printf("%s\n%s\n%s\nslowest events: %s\nlongest turn: %s\n", probe.summary().toLocal8Bit().constData(),
                        cadence.summary(sinceStart.elapsed()).toLocal8Bit().constData(),
                        window.storeSummary().toLocal8Bit().constData(), app.slowestEvents(8).toLocal8Bit().constData(),
                        app.longestTurn(6).toLocal8Bit().constData());
            std::fflush(stdout);
            QCoreApplication::quit();
        };
        const auto begin = [&app, &probe, &cadence, &sinceStart, &window, seconds, everySeconds, finish] {
            probe.start();
            cadence.start(sinceStart.elapsed());
            app.startTiming();
            if (everySeconds > 0) {
                auto *every = new QTimer(&window);
                QObject::connect(every, &QTimer::timeout, &window, [&probe] {
                    std::printf("%s\n", probe.windowLine().toLocal8Bit().constData());
                    std::fflush(stdout);
                });
                every->start(static_cast<int>(everySeconds * 1000));
            }
            QTimer::singleShot(static_cast<int>(seconds * 1000), &window, finish);
        };
        QObject::connect(&window, &gotriage::ui::MainWindow::firstDataAvailable, &window,
                         [&window, begin] { QTimer::singleShot(5000, &window, begin); });
    }

    if (replaying)
        return QApplication::exec(); // the recording is the fleet
    if (captureFile) {
        window.openFile(file); // a profile or dump to read, no fleet to watch
        return QApplication::exec();
    }

    // Every live session is recorded unless asked not to: nobody has to
    // remember to press "record" while production burns.
    if (!parser.isSet(noRecordOption)) {
        const double hours = parser.value(retentionOption).toDouble(&ok);
        if (!ok || hours <= 0 || hours > 24 * 366) {
            std::fprintf(stderr, "gotriage: --record-retention-hours takes a number of hours\n");
            return 2;
        }
        const qint64 retentionMs = static_cast<qint64>(hours * 3600 * 1000);
        if (parser.isSet(recordOption)) {
            window.startRecording(parser.value(recordOption), 0);
        } else {
            sweepOldBlackBoxes(QFileInfo(gotriage::ui::MainWindow::defaultRecordingPath()).absolutePath(), retentionMs);
            window.startRecording(gotriage::ui::MainWindow::defaultRecordingPath(), retentionMs);
        }
    }

    if (prometheus) {
        window.watchPrometheus(prometheus->server); // the server's targets are the fleet
    } else if (parser.isSet(configOption) || fleetFile) {
        window.openFleetFile(fleetFile ? file : parser.value(configOption));
    } else {
        QString error;
        const int services = parser.value(servicesOption).toInt(&ok);
        if (!ok || !window.startDemo(services, &error)) {
            std::fprintf(stderr, "gotriage: %s\n",
                         (ok ? error : QStringLiteral("--demo-services takes a number")).toLocal8Bit().constData());
            return 2;
        }
    }
    return QApplication::exec();
}
