#include "importdialog.h"

#include "common/clock.h"
#include "common/threadexit.h"
#include "record/promimport.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QThread>
#include <QVBoxLayout>

namespace gotriage::ui {

namespace {

const QString kServerKey = QStringLiteral("import/server");
const QString kWindowKey = QStringLiteral("import/window_minutes");
const QString kStepKey = QStringLiteral("import/step_seconds");
const QString kMatchersKey = QStringLiteral("import/matchers");

} // namespace

ImportDialog::ImportDialog(QString outputDir, QWidget *parent)
    : QDialog(parent)
    , m_outputDir(std::move(outputDir))
    , m_server(new QLineEdit(this))
    , m_window(new QComboBox(this))
    , m_step(new QComboBox(this))
    , m_matchers(new QLineEdit(this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Import from Prometheus"));
    QSettings settings;
    m_server->setText(settings.value(kServerKey, QStringLiteral("http://127.0.0.1:9090")).toString());
    m_server->setPlaceholderText(QStringLiteral("http://prometheus:9090"));
    for (const auto &[label, minutes] :
         {std::pair{tr("the last 15 minutes"), 15}, std::pair{tr("the last hour"), 60},
          std::pair{tr("the last 6 hours"), 360}, std::pair{tr("the last 24 hours"), 1440}})
        m_window->addItem(label, minutes);
    for (const auto &[label, seconds] :
         {std::pair{tr("1 s"), 1}, std::pair{tr("5 s"), 5}, std::pair{tr("15 s"), 15}, std::pair{tr("1 min"), 60}})
        m_step->addItem(label, seconds);
    setWindowMinutes(settings.value(kWindowKey, 60).toInt());
    setStepSeconds(settings.value(kStepKey, 15).toInt());
    m_matchers->setText(settings.value(kMatchersKey).toString());
    m_matchers->setPlaceholderText(QStringLiteral("job=~\"checkout.*\",env=\"prod\""));

    auto *intro = new QLabel(tr("A past window of the server's targets becomes a recording, analysed as gotriage "
                                "would have analysed it live, and opens for replay. Prometheus, Thanos, Mimir "
                                "and VictoriaMetrics answer the same queries."),
                             this);
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Server:"), m_server);
    form->addRow(tr("Window:"), m_window);
    form->addRow(tr("Resolution:"), m_step);
    form->addRow(tr("Targets (PromQL matchers):"), m_matchers);
    m_progress->setVisible(false);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPushButton *import = m_buttons->addButton(tr("Import"), QDialogButtonBox::AcceptRole);
    import->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ImportDialog::startImport);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ImportDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    setMinimumWidth(520);
}

ImportDialog::~ImportDialog()
{
    stopWorker();
}

void ImportDialog::reject()
{
    if (!m_import) {
        QDialog::reject();
        return;
    }
    m_status->setText(tr("Cancelling…"));
    QMetaObject::invokeMethod(m_import, &record::PrometheusImport::cancel, Qt::QueuedConnection);
}

void ImportDialog::setServer(const QString &url)
{
    m_server->setText(url);
}

void ImportDialog::setWindowMinutes(int minutes)
{
    const int index = m_window->findData(minutes);
    m_window->setCurrentIndex(index >= 0 ? index : 1);
}

void ImportDialog::setStepSeconds(int seconds)
{
    const int index = m_step->findData(seconds);
    m_step->setCurrentIndex(index >= 0 ? index : 2);
}

void ImportDialog::setMatchers(const QString &matchers)
{
    m_matchers->setText(matchers);
}

void ImportDialog::startImport()
{
    if (m_import)
        return;
    const QUrl server = QUrl::fromUserInput(m_server->text().trimmed());
    if (!server.isValid() || server.host().isEmpty()) {
        m_status->setText(tr("The server is a URL, like http://prometheus:9090."));
        return;
    }
    QSettings settings;
    settings.setValue(kServerKey, m_server->text().trimmed());
    settings.setValue(kWindowKey, m_window->currentData());
    settings.setValue(kStepKey, m_step->currentData());
    settings.setValue(kMatchersKey, m_matchers->text());

    const qint64 now = common::LiveClock().nowMs();
    record::PrometheusImport::Settings s;
    s.server = server;
    s.toMs = now;
    s.fromMs = now - qint64(m_window->currentData().toInt()) * 60'000;
    s.stepMs = qint64(m_step->currentData().toInt()) * 1000;
    // rate() needs four of the server's scrapes; a coarser step needs a longer range.
    s.rateWindow = QStringLiteral("%1s").arg(std::max<qint64>(60, 4 * s.stepMs / 1000));
    s.selector = m_matchers->text().trimmed();
    QDir().mkpath(m_outputDir);
    m_path = QDir(m_outputDir)
                 .filePath(QStringLiteral("import-%1-%2.gotriage")
                               .arg(server.host(),
                                    QDateTime::fromMSecsSinceEpoch(now).toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    s.outPath = m_path;

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("gotriage-import"));
    m_import = new record::PrometheusImport(s);
    m_import->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_import, &QObject::deleteLater);
    common::releaseTlsStateWhenFinished(*m_thread);
    connect(m_import, &record::PrometheusImport::progress, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_status->setText(tr("Asked %1 of %2 queries…").arg(done).arg(total));
    });
    // In the import's thread, as it ends: its summary is read before the
    // thread (and with it the import) goes, and the dialog hears of it
    // after, if it is still there.
    connect(
        m_import, &record::PrometheusImport::finished, m_import,
        [this, import = m_import, thread = m_thread](const QString &error) {
            const record::PrometheusImport::Summary summary = import->summary();
            QMetaObject::invokeMethod(
                this, [this, error, summary] { onFinished(error, summary); }, Qt::QueuedConnection);
            thread->quit();
        },
        Qt::DirectConnection);
    m_thread->start();
    QMetaObject::invokeMethod(m_import, &record::PrometheusImport::start, Qt::QueuedConnection);
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_status->setText(tr("Asking %1…").arg(server.toString(QUrl::RemoveUserInfo)));
    m_buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel import"));
    for (QAbstractButton *button : m_buttons->buttons()) {
        if (m_buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            button->setEnabled(false);
    }
}

void ImportDialog::onFinished(const QString &error, const record::PrometheusImport::Summary &summary)
{
    // Done: the import's thread has stopped (or is stopping) by itself.
    m_import = nullptr; // deleted as its thread ends
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_progress->setVisible(false);
    m_buttons->button(QDialogButtonBox::Cancel)->setText(tr("Close"));
    for (QAbstractButton *button : m_buttons->buttons())
        button->setEnabled(true);
    if (!error.isEmpty()) {
        m_status->setText(tr("Not imported: %1").arg(error));
        emit failed(error);
        return;
    }
    m_status->setText(tr("Imported %1 services, %2 samples, %3 finding changes into %4")
                          .arg(summary.services)
                          .arg(summary.samples)
                          .arg(summary.findingChanges)
                          .arg(m_path));
    emit imported(m_path);
}

void ImportDialog::stopWorker()
{
    if (!m_thread)
        return;
    // Closed while importing: the import cancels itself (removing its
    // partial file) and its thread ends on its own; nobody waits for it.
    QMetaObject::invokeMethod(m_import, &record::PrometheusImport::cancel, Qt::QueuedConnection);
    m_thread->setParent(nullptr);
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    m_import = nullptr;
    m_thread = nullptr;
}

} // namespace gotriage::ui
