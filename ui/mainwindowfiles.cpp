// MainWindow: opening files and replaying recordings.
#include "mainwindow.h"

#include "common/logging.h"
#include "diagnoseview.h"
#include "fileopener.h"
#include "importdialog.h"
#include "issues/issuesmodel.h"
#include "palette.h"
#include "playheadbar.h"
#include "record/recorder.h"
#include "record/recordingsource.h"
#include "record/report.h"
#include "reportcharts.h"
#include "servicedetailview.h"
#include "session/session.h"
#include "taskindicator.h"
#include "timechart.h"
#include "triage/triagesession.h"

#include <QDateTime>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QLabel>
#include <QMimeData>
#include <QPromise>
#include <QStatusBar>
#include <QTabWidget>
#include <QtConcurrent>
#include <QToolBar>

#include <cstdlib>

namespace gotriage::ui {

namespace {

const QString kFilesService = QStringLiteral("(files)");

QString userName()
{
    const QByteArray user = qgetenv("USER");
    return user.isEmpty() ? QStringLiteral("operator") : QString::fromLocal8Bit(user);
}

} // namespace

void MainWindow::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open"), {},
        tr("Everything gotriage opens (*.json *.yaml *.yml *.gotriage *.pb.gz *.pprof *.txt);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::openFile(const QString &path)
{
    m_statusLabel->setText(tr("Opening %1…").arg(path));
    auto *watcher = new QFutureWatcher<OpenedFile>(this);
    connect(watcher, &QFutureWatcher<OpenedFile>::finished, this, [this, watcher] {
        onFileRead(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([path] { return readFileForOpening(path); }));
}

void MainWindow::onFileRead(const OpenedFile &file)
{
    QString error = file.error;
    switch (file.kind) {
    case record::FileKind::Recording:
        openReplayWindow(file.path, 1.0);
        break;
    case record::FileKind::FleetFile:
        openFleetFile(file.path);
        break;
    case record::FileKind::Profile:
    case record::FileKind::GoroutineDump:
        m_diagnose->showExternalCapture(file.capture, tr("file"));
        m_detailTabs->setCurrentWidget(m_diagnose);
        break;
    case record::FileKind::UpdateLog:
        error = tr("%1: a `scrape --json` capture; replay it with gotriage-cli analyze --replay").arg(file.path);
        break;
    case record::FileKind::Unknown:
        break;
    }
    if (!error.isEmpty())
        m_issues->report(kFilesService, QStringLiteral("open"), error, issues::IssuesModel::Severity::Error,
                         m_session->clock().nowMs());
    else
        m_issues->resolve(kFilesService, QStringLiteral("open"));
    if (error.isEmpty() && file.kind != record::FileKind::Unknown)
        rememberRecentFile(file.path);
    updateStatus();
    emit fileOpened(file.path, error);
}

void MainWindow::saveIncident()
{
    if (!m_recorder) {
        m_statusLabel->setText(tr("Not recording (--no-record, or a replay): nothing to save."));
        return;
    }
    // The window to keep: the incident if one is open, or a stretch back from now.
    const qint64 now = m_session->clock().nowMs();
    const triage::Incident &incident = m_triage->incident();
    struct Choice {
        QString label;
        qint64 fromMs;
    };
    std::vector<Choice> choices;
    if (incident.openedMs() > 0) {
        // A few minutes before it opened: what led to it.
        choices.push_back({tr("The incident \"%1\", from 10 minutes before it opened").arg(incident.title()),
                           incident.openedMs() - 10 * 60'000});
    }
    choices.push_back({tr("The last 15 minutes"), now - 15 * 60'000});
    choices.push_back({tr("The last hour"), now - 3'600'000});
    choices.push_back({tr("Everything the black box holds"), 0});
    QStringList labels;
    for (const Choice &c : choices)
        labels << c.label;
    bool ok = false;
    const QString picked
        = QInputDialog::getItem(this, tr("Save incident"), tr("Keep for good:"), labels, 0, false, &ok);
    if (!ok)
        return;
    const qint64 from = choices[static_cast<std::size_t>(labels.indexOf(picked))].fromMs;
    const QString suggested = defaultDataDir() + QStringLiteral("/incidents/incident-")
        + QDateTime::fromMSecsSinceEpoch(now).toString(QStringLiteral("yyyyMMdd-HHmm")) + QStringLiteral(".gotriage");
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Save incident"), suggested, tr("gotriage recordings (*.gotriage)"));
    if (path.isEmpty())
        return;
    m_recorder->saveWindow(from, now, path, m_task->start(tr("Saving %1…").arg(QFileInfo(path).fileName())));
}

void MainWindow::showImportDialog()
{
    auto *dialog = new ImportDialog(defaultDataDir() + QStringLiteral("/imports"), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportDialog::imported, this, [](const QString &path) { openReplayWindow(path, 1.0); });
    dialog->show();
}

void MainWindow::chooseReportFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Write the report into"), defaultDataDir());
    if (!dir.isEmpty())
        writeReport(dir);
}

void MainWindow::writeReport(const QString &dir)
{
    const QString path = m_replay ? m_replay->path() : m_recorder ? m_recorder->path() : QString();
    if (path.isEmpty()) {
        emit reportWritten(dir, tr("nothing recorded to report on (--no-record)"));
        return;
    }
    const std::shared_ptr<std::atomic<bool>> cancel = m_task->start(tr("Writing the report…"));
    struct Built {
        record::Report report;
        QString error;
    };
    auto *building = new QFutureWatcher<Built>(this);
    connect(building, &QFutureWatcher<Built>::progressValueChanged, this,
            [this, building](int done) { m_task->setProgress(done, building->progressMaximum()); });
    connect(building, &QFutureWatcher<Built>::finished, this, [this, building, dir] {
        const Built built = building->result();
        building->deleteLater();
        if (!built.error.isEmpty() || built.report.cancelled) {
            m_task->finish();
            const QString error = built.report.cancelled ? tr("cancelled: no report was written") : built.error;
            m_statusLabel->setText(tr("Report: %1").arg(error));
            emit reportWritten(dir, error);
            return;
        }
        // Drawing needs widgets: here, a few charts' worth; saving goes back off the thread.
        auto charts = std::make_shared<std::vector<QImage>>(renderReportCharts(built.report));
        auto *saving = new QFutureWatcher<QString>(this);
        connect(saving, &QFutureWatcher<QString>::finished, this, [this, saving, dir] {
            const QString error = saving->result();
            saving->deleteLater();
            m_task->finish();
            m_statusLabel->setText(error.isEmpty() ? tr("Report written: %1/report.html").arg(dir) : error);
            emit reportWritten(dir, error);
        });
        saving->setFuture(QtConcurrent::run([report = built.report, charts, dir] {
            QString error;
            saveReport(report, *charts, dir, &error);
            return error;
        }));
    });
    // Progress goes through the promise to the watcher (it dies with the
    // window); Cancel is read between the report's steps.
    building->setFuture(QtConcurrent::run([path, cancel](QPromise<Built> &promise) {
        Built built;
        record::RecordingReader reader;
        if (reader.open(path, &built.error)) {
            built.report = record::buildReport(reader, [&promise, &cancel](int done, int total) {
                promise.setProgressRange(0, total);
                promise.setProgressValue(done);
                return !cancel->load();
            });
        }
        promise.addResult(built);
    }));
}

void MainWindow::watchChartExports()
{
    // A chart saved from its context menu: said in the status bar, or an
    // issue naming the file when it could not be written.
    for (int c = 0; c < ServiceDetailView::ChartCount; ++c) {
        connect(m_detail->chart(static_cast<ServiceDetailView::Chart>(c)), &TimeChart::exported, this,
                [this](const QString &path, const QString &error) {
                    if (!error.isEmpty()) {
                        m_issues->report(kFilesService, QStringLiteral("export"), error,
                                         issues::IssuesModel::Severity::Error, m_session->clock().nowMs());
                        return;
                    }
                    m_issues->resolve(kFilesService, QStringLiteral("export"));
                    statusBar()->showMessage(tr("Saved the chart to %1").arg(path), 5000);
                });
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (std::any_of(urls.begin(), urls.end(), [](const QUrl &url) { return url.isLocalFile(); }))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            openFile(url.toLocalFile());
    }
    event->acceptProposedAction();
}

MainWindow *MainWindow::openReplayWindow(const QString &path, double rate)
{
    auto source = std::make_unique<record::RecordingSource>(path, rate);
    record::RecordingSource *replay = source.get();
    auto session = std::make_unique<session::Session>(std::move(source));
    session->setAdoptUnknownServices(true);
    auto *window = new MainWindow(std::move(session), replay);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    return window;
}

void MainWindow::attachReplay(record::RecordingSource *source)
{
    m_replay = source;
    m_playhead = new PlayheadBar(source, this);
    auto *bar = new QToolBar(tr("Replay"), this);
    bar->setObjectName(QStringLiteral("replayToolbar"));
    bar->setMovable(false);
    bar->addWidget(m_playhead);
    addToolBar(Qt::BottomToolBarArea, bar);
    setWindowTitle(tr("gotriage — replay (opening…)"));
    connect(source, &record::RecordingSource::opened, this, &MainWindow::onRecordingOpened);
    connect(source, &record::RecordingSource::failed, this, [this](const QString &error) {
        m_issues->report(kFilesService, QStringLiteral("replay"), error, issues::IssuesModel::Severity::Error,
                         m_session->clock().nowMs());
        m_statusLabel->setText(error);
        emit recordingOpened(error);
    });
    connect(source, &record::RecordingSource::noteSaved, this,
            [this](const record::ReplayMarker &marker, const QString &error) {
                if (!error.isEmpty()) {
                    m_issues->report(kFilesService, QStringLiteral("note"), error, issues::IssuesModel::Severity::Error,
                                     m_session->clock().nowMs());
                    return;
                }
                m_playhead->addMarker(marker);
            });
    connect(m_playhead, &PlayheadBar::seeked, this, [this] { m_detailDirty = true; });
    connect(source, &record::RecordingSource::captureReached, m_diagnose, &DiagnoseView::addRecordedCapture);
}

void MainWindow::onRecordingOpened(const std::shared_ptr<const record::RecordingInfo> &info)
{
    setWindowTitle(tr("gotriage — replay of %1").arg(QFileInfo(info->path).fileName()));
    watchServices(info->services);
    m_playhead->setInfo(info);
    // Actions taken during the incident, on every chart, as they were live.
    std::vector<TimeChart::Marker> markers;
    for (const record::ReplayMarker &m : info->markers) {
        if (m.kind != record::ReplayMarker::Kind::Action)
            continue;
        // Labelled as the live window labels them: ▶ sent, ⟲ reverted.
        const bool reverted = m.text.startsWith(QLatin1String("reverted "));
        const QString action = reverted ? m.text.mid(9) : m.text;
        markers.push_back(
            {static_cast<double>(m.tsMs) / 1000.0,
             QStringLiteral("%1 %2 %3").arg(reverted ? QChar(u'⟲') : QChar(u'▶')).arg(action, m.service).trimmed(),
             reverted ? palette::colours().actionReverted : palette::colours().actionSent});
    }
    m_detail->setMarkers(markers);
    for (const QString &problem : info->problems)
        m_issues->report(kFilesService, QStringLiteral("replay"), problem, issues::IssuesModel::Severity::Warning,
                         m_session->clock().nowMs());
    qCDebug(lcUi) << "replaying" << info->path << info->services.size() << "services";
    emit recordingOpened(QString());
}

void MainWindow::addReplayNote()
{
    bool ok = false;
    const qint64 at = m_playhead->playhead();
    const QString text
        = QInputDialog::getText(this, tr("Add a note"), tr("A note at the playhead; it is saved in the recording:"),
                                QLineEdit::Normal, {}, &ok);
    if (ok && !text.trimmed().isEmpty())
        m_replay->addNote(at, text.trimmed(), userName());
}

} // namespace gotriage::ui
