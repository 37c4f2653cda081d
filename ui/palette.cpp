#include "palette.h"

namespace gotriage::ui::palette {

namespace {

Colours dark()
{
    Colours c;
    c.window = QColor(0x1e, 0x21, 0x26);
    c.chartBackground = QColor(0x16, 0x18, 0x1c);
    c.grid = QColor(0x2a, 0x2e, 0x35);
    c.text = QColor(0xdc, 0xdf, 0xe4);
    c.muted = QColor(0x7f, 0x84, 0x8e);
    c.subtle = QColor(0x9a, 0xa0, 0xaa);
    c.good = QColor(0x4c, 0xc9, 0x6f);
    c.warning = QColor(0xf5, 0xc2, 0x42);
    c.critical = QColor(0xff, 0x6b, 0x6b);
    c.info = QColor(0x8a, 0xb4, 0xf8);
    c.seriesBlue = QColor(0x3d, 0x8b, 0xfd);
    c.seriesGreen = c.good;
    c.seriesAmber = c.warning;
    c.seriesViolet = QColor(0xb0, 0x7c, 0xf5);
    c.seriesRed = QColor(0xe0, 0x6c, 0x75);
    c.seriesGrey = c.subtle;
    c.trend = c.text;
    c.staleSparkline = QColor(0x5a, 0x5e, 0x66);
    c.flameText = c.chartBackground;
    c.flameRoot = c.subtle;
    c.flameMatch = QColor(0xe8, 0x5d, 0xd8);
    c.flameDimmed = QColor(0x4a, 0x4e, 0x56);
    c.diffUnchanged = QColor(0x80, 0x84, 0x8c);
    c.diffGrowth = QColor(0xe0, 0x4f, 0x4f);
    c.diffShrinkage = QColor(0x4f, 0x86, 0xe0);
    c.suggestionBackground = QColor(0x3a, 0x2f, 0x12);
    c.actionSent = QColor(0x36, 0xd1, 0xdc);
    c.actionReverted = c.subtle;
    c.timelineTrack = c.grid;
    c.timelineLoop = QColor(0x3d, 0x8b, 0xfd, 0x50);
    c.playhead = c.text;
    c.noteMarker = QColor(0xe8, 0xc3, 0x7a);
    return c;
}

// Dark text on white; the hues darkened until they read as text on it.
Colours light()
{
    Colours c;
    c.window = QColor(0xf3, 0xf4, 0xf6);
    c.chartBackground = QColor(0xff, 0xff, 0xff);
    c.grid = QColor(0xe1, 0xe4, 0xe8);
    c.text = QColor(0x1f, 0x23, 0x28);
    c.muted = QColor(0x65, 0x6d, 0x76);
    c.subtle = QColor(0x57, 0x60, 0x6a);
    c.good = QColor(0x1a, 0x7f, 0x37);
    c.warning = QColor(0x9a, 0x67, 0x00);
    c.critical = QColor(0xcf, 0x22, 0x2e);
    c.info = QColor(0x09, 0x69, 0xda);
    c.seriesBlue = QColor(0x09, 0x69, 0xda);
    c.seriesGreen = c.good;
    c.seriesAmber = QColor(0xbf, 0x87, 0x00);
    c.seriesViolet = QColor(0x82, 0x50, 0xdf);
    c.seriesRed = c.critical;
    c.seriesGrey = QColor(0x8c, 0x95, 0x9f);
    c.trend = c.text;
    c.staleSparkline = QColor(0xaf, 0xb8, 0xc1);
    c.flameText = c.text;
    c.flameRoot = QColor(0xaf, 0xb8, 0xc1);
    c.flameMatch = QColor(0xbf, 0x39, 0x89);
    c.flameDimmed = QColor(0xd0, 0xd7, 0xde);
    c.diffUnchanged = QColor(0xc0, 0xc6, 0xcc);
    c.diffGrowth = c.critical;
    c.diffShrinkage = c.info;
    c.suggestionBackground = QColor(0xff, 0xf3, 0xc4);
    c.actionSent = QColor(0x0e, 0x8a, 0x9a);
    c.actionReverted = c.muted;
    c.timelineTrack = c.grid;
    c.timelineLoop = QColor(0x09, 0x69, 0xda, 0x40);
    c.playhead = c.text;
    c.noteMarker = QColor(0x9a, 0x67, 0x00);
    return c;
}

// Black and white for a projector across a room, and Okabe–Ito's hues
// (sky blue, yellow, orange, bluish green, reddish purple), which stay
// apart for the common colour-vision deficiencies. Good is blue, not green,
// so that good and critical never depend on telling red from green.
Colours warRoom()
{
    Colours c;
    c.window = QColor(0x0c, 0x0d, 0x0f);
    c.chartBackground = QColor(0x00, 0x00, 0x00);
    c.grid = QColor(0x3a, 0x3f, 0x47);
    c.text = QColor(0xff, 0xff, 0xff);
    c.muted = QColor(0xa8, 0xae, 0xb8);
    c.subtle = QColor(0xc8, 0xcd, 0xd4);
    c.good = QColor(0x56, 0xb4, 0xe9);
    c.warning = QColor(0xf0, 0xe4, 0x42);
    c.critical = QColor(0xff, 0x80, 0x1f);
    c.info = QColor(0xcc, 0x79, 0xa7);
    c.seriesBlue = c.good;
    c.seriesGreen = QColor(0x00, 0xb0, 0x86);
    c.seriesAmber = QColor(0xe6, 0x9f, 0x00);
    c.seriesViolet = c.info;
    c.seriesRed = c.critical;
    c.seriesGrey = c.subtle;
    c.trend = c.text;
    c.staleSparkline = QColor(0x5a, 0x5e, 0x66);
    c.flameText = QColor(0x00, 0x00, 0x00);
    c.flameRoot = c.subtle;
    c.flameMatch = c.info;
    c.flameDimmed = QColor(0x4a, 0x4e, 0x56);
    c.diffUnchanged = QColor(0x80, 0x84, 0x8c);
    c.diffGrowth = c.critical;
    c.diffShrinkage = c.good;
    c.suggestionBackground = QColor(0x3a, 0x33, 0x00);
    c.actionSent = c.text;
    c.actionReverted = c.muted;
    c.timelineTrack = c.grid;
    c.timelineLoop = QColor(0x56, 0xb4, 0xe9, 0x50);
    c.playhead = c.text;
    c.noteMarker = c.warning;
    return c;
}

Colours &current()
{
    static Colours c = dark();
    return c;
}

Scheme g_scheme = Scheme::Dark;

} // namespace

const Colours &colours()
{
    return current();
}

Scheme scheme()
{
    return g_scheme;
}

Colours coloursOf(Scheme s)
{
    switch (s) {
    case Scheme::Light:
        return light();
    case Scheme::WarRoom:
        return warRoom();
    case Scheme::Dark:
        break;
    }
    return dark();
}

void setScheme(Scheme next)
{
    g_scheme = next;
    current() = coloursOf(next);
}

QString checkBoxStyle(const char *view)
{
    const Colours &c = colours();
    return QStringLiteral("%1::indicator { width: 12px; height: 12px; border: 1px solid %2; border-radius: 2px; "
                          "background: %3; } %1::indicator:checked { background: %4; border-color: %4; }")
        .arg(QLatin1String(view), c.subtle.name(), c.chartBackground.name(), c.good.name());
}

} // namespace gotriage::ui::palette
