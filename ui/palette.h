#pragma once

#include <QColor>
#include <QString>

// Every colour the UI paints with, named once by what it means, for the
// scheme in use (theme.cpp chooses it). colours() is one object whose
// values change with the scheme, so a reference taken once stays current;
// widgets that copy a colour into a pen or a style sheet restyle on
// QEvent::PaletteChange. Severity is never carried by colour alone: the
// text says it too, and the fleet table gives it a shape. GUI thread only.
namespace gotriage::ui::palette {

enum class Scheme {
    Dark, // the default: long nights and projectors
    Light, // daylight laptops
    WarRoom, // a wall screen: black, white text, Okabe–Ito hues that stay apart for colour-blind eyes
};

struct Colours {
    // Surfaces and text.
    QColor window;
    QColor chartBackground;
    QColor grid;
    QColor text;
    QColor muted; // axes, resolved issues, stale data, info findings
    QColor subtle; // secondary header text, empty-chart notes

    // Health and severity.
    QColor good;
    QColor warning;
    QColor critical;
    QColor info;

    // Chart series; limits are drawn in seriesRed, fitted trends (dashed) in trend.
    QColor seriesBlue;
    QColor seriesGreen;
    QColor seriesAmber;
    QColor seriesViolet;
    QColor seriesRed;
    QColor seriesGrey;
    QColor trend;
    QColor staleSparkline;

    // Flame graphs: boxes coloured by package (warm hues) carry dark text; a
    // search paints matches over dimmed boxes; a diff goes from grey
    // (unchanged) to growth or shrinkage.
    QColor flameText;
    QColor flameRoot;
    QColor flameMatch;
    QColor flameDimmed;
    QColor diffUnchanged;
    QColor diffGrowth;
    QColor diffShrinkage;

    // The suggested-incident bar: a muted background under warning-coloured text.
    QColor suggestionBackground;

    // Action markers on charts: sent (apart from every series colour), reverted.
    QColor actionSent;
    QColor actionReverted;

    // The replay timeline: its track, the loop range over it, the playhead,
    // and notes (findings use the severity colours, actions actionSent).
    QColor timelineTrack;
    QColor timelineLoop;
    QColor playhead;
    QColor noteMarker;
};

// A colour by what it means, followed when the scheme changes: &Colours::critical.
using Role = QColor Colours::*;

// The scheme's colours; one object for the life of the program.
const Colours &colours();
Scheme scheme();
// Makes `next` current (theme.cpp calls it before it sets the QPalette).
void setScheme(Scheme next);
Colours coloursOf(Scheme s);

// Check boxes in lists: Fusion draws an unchecked box in the window's
// colour darkened, which vanishes on a dark base; this one is drawn.
QString checkBoxStyle(const char *view);

} // namespace gotriage::ui::palette
