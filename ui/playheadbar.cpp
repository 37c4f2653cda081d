#include "playheadbar.h"

#include "appearance.h"
#include "commandpalette.h"
#include "replaytimeline.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace gotriage::ui {

namespace {

QString clock(qint64 ms)
{
    return Appearance::instance().clockText(ms);
}

QString elapsed(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms / 1000);
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600, 2, 10, QLatin1Char('0'))
        .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

QToolButton *button(const QString &text, const QString &tip, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

PlayheadBar::PlayheadBar(record::RecordingSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_timeline(new ReplayTimeline(this))
    , m_play(button(tr("Pause"), tr("Play or pause (Space)"), this))
    , m_speed(new QComboBox(this))
    , m_loop(button(tr("Loop"), tr("Loop between the A and B marks (L)"), this))
    , m_time(new QLabel(this))
{
    setObjectName(QStringLiteral("playheadBar"));
    m_play->setObjectName(QStringLiteral("playButton"));
    m_play->setMinimumWidth(64);
    for (double speed : kSpeeds)
        m_speed->addItem(QStringLiteral("%1×").arg(speed), speed);
    m_speed->setToolTip(tr("Playback speed"));
    auto *previous = button(tr("◀ Event"), tr("Previous finding, action or note (Alt+Left)"), this);
    auto *next = button(tr("Event ▶"), tr("Next finding, action or note (Alt+Right)"), this);
    auto *markA = button(tr("A"), tr("Loop from the playhead (A)"), this);
    auto *markB = button(tr("B"), tr("Loop up to the playhead (B)"), this);
    m_loop->setCheckable(true);
    m_time->setObjectName(QStringLiteral("playheadTime"));
    m_time->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_play);
    layout->addWidget(m_speed);
    layout->addWidget(previous);
    layout->addWidget(m_timeline, 1);
    layout->addWidget(next);
    layout->addWidget(markA);
    layout->addWidget(markB);
    layout->addWidget(m_loop);
    layout->addWidget(m_time);

    connect(m_play, &QToolButton::clicked, this, &PlayheadBar::togglePlay);
    connect(m_speed, &QComboBox::activated, this,
            [this](int index) { m_source->setRate(m_speed->itemData(index).toDouble()); });
    connect(previous, &QToolButton::clicked, this, [this] { jumpToMarker(-1); });
    connect(next, &QToolButton::clicked, this, [this] { jumpToMarker(+1); });
    connect(markA, &QToolButton::clicked, this, &PlayheadBar::markLoopStart);
    connect(markB, &QToolButton::clicked, this, &PlayheadBar::markLoopEnd);
    connect(m_loop, &QToolButton::toggled, this, [this] { applyLoop(); });
    connect(m_timeline, &ReplayTimeline::seekRequested, this, &PlayheadBar::seek);
    // Window-wide keys: the bar is the replay window's transport. Actions of
    // the window, so that the command palette and the shortcut sheet list them.
    const auto shortcut = [this](const QString &text, const QKeySequence &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        action->setProperty(kCommandPlaceProperty, tr("Replay"));
        connect(action, &QAction::triggered, this, slot);
        window()->addAction(action);
    };
    shortcut(tr("Play or pause"), QKeySequence(Qt::Key_Space), [this] { togglePlay(); });
    shortcut(tr("Previous marker"), QKeySequence(Qt::ALT | Qt::Key_Left), [this] { jumpToMarker(-1); });
    shortcut(tr("Next marker"), QKeySequence(Qt::ALT | Qt::Key_Right), [this] { jumpToMarker(+1); });
    shortcut(tr("Mark the loop's start"), QKeySequence(Qt::Key_A), [this] { markLoopStart(); });
    shortcut(tr("Mark the loop's end"), QKeySequence(Qt::Key_B), [this] { markLoopEnd(); });
    shortcut(tr("Loop on or off"), QKeySequence(Qt::Key_L), [this] { m_loop->toggle(); });

    m_refresh.setInterval(kRefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &PlayheadBar::refresh);
    m_refresh.start();
    setSpeed(source->replayClock().rate());
    refresh();
}

void PlayheadBar::setInfo(const record::RecordingInfoPtr &info)
{
    m_info = info;
    m_markers = info->markers;
    m_loopFromMs = info->firstMs;
    m_loopToMs = info->lastMs;
    m_timeline->setRange(info->firstMs, info->lastMs);
    m_timeline->setMarkers(m_markers);
    refresh();
}

void PlayheadBar::addMarker(const record::ReplayMarker &marker)
{
    const auto at = std::upper_bound(m_markers.begin(), m_markers.end(), marker.tsMs,
                                     [](qint64 t, const record::ReplayMarker &m) { return t < m.tsMs; });
    m_markers.insert(at, marker);
    m_timeline->setMarkers(m_markers);
}

qint64 PlayheadBar::playhead() const
{
    return m_source->replayClock().nowMs();
}

bool PlayheadBar::playing() const
{
    return m_source->replayClock().playing();
}

double PlayheadBar::speed() const
{
    return m_speed->currentData().toDouble();
}

void PlayheadBar::togglePlay()
{
    if (playing())
        m_source->pause();
    else
        m_source->play();
    // The clock changes in the ingest thread; the label follows at the next refresh.
    m_play->setText(playing() ? tr("Play") : tr("Pause"));
}

void PlayheadBar::setSpeed(double rate)
{
    int best = 0;
    for (int i = 1; i < m_speed->count(); ++i) {
        if (std::abs(std::log(m_speed->itemData(i).toDouble() / rate))
            < std::abs(std::log(m_speed->itemData(best).toDouble() / rate)))
            best = i;
    }
    m_speed->setCurrentIndex(best);
    m_source->setRate(m_speed->itemData(best).toDouble());
}

void PlayheadBar::seek(qint64 tsMs)
{
    if (m_info)
        tsMs = std::clamp(tsMs, m_info->firstMs, m_info->lastMs);
    m_source->seek(tsMs);
    m_timeline->setPlayhead(tsMs);
    emit seeked(tsMs);
}

bool PlayheadBar::jumpToMarker(int direction)
{
    // A second's slack: "previous" from just after a marker goes to the one before it.
    const qint64 now = playhead();
    const record::ReplayMarker *target = nullptr;
    if (direction < 0) {
        for (auto it = m_markers.rbegin(); it != m_markers.rend() && !target; ++it) {
            if (it->tsMs < now - 1000)
                target = &*it;
        }
    } else {
        for (const record::ReplayMarker &m : m_markers) {
            if (m.tsMs > now + 500) {
                target = &m;
                break;
            }
        }
    }
    if (!target)
        return false;
    seek(target->tsMs);
    return true;
}

void PlayheadBar::markLoopStart()
{
    m_loopFromMs = playhead();
    if (m_loopToMs <= m_loopFromMs && m_info)
        m_loopToMs = m_info->lastMs;
    applyLoop();
}

void PlayheadBar::markLoopEnd()
{
    m_loopToMs = playhead();
    if (m_loopFromMs >= m_loopToMs && m_info)
        m_loopFromMs = m_info->firstMs;
    applyLoop();
}

void PlayheadBar::setLooping(bool on)
{
    m_loop->setChecked(on);
}

void PlayheadBar::applyLoop()
{
    m_timeline->setLoop(m_loopFromMs, m_loopToMs);
    if (m_loop->isChecked())
        m_source->setLoop(m_loopFromMs, m_loopToMs);
    else
        m_source->setLoop(0, 0);
}

void PlayheadBar::refresh()
{
    const qint64 now = playhead();
    m_timeline->setPlayhead(now);
    m_play->setText(playing() ? tr("Pause") : tr("Play"));
    if (!m_info) {
        m_time->setText(tr("opening…"));
        return;
    }
    m_time->setText(QStringLiteral("%1 · %2 / %3")
                        .arg(clock(std::min(now, m_info->lastMs)), elapsed(now - m_info->firstMs),
                             elapsed(m_info->lastMs - m_info->firstMs)));
}

} // namespace gotriage::ui
