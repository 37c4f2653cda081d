#pragma once

#include <QColor>
#include <QString>

// Every colour the UI paints with, named once by what it means. The screen
// is dark (theme.cpp); health and severity colours are chosen to stay apart
// on it. Severity is never carried by colour alone: the text says it too.
namespace gotriage::ui::palette {

// Surfaces and text.
inline const QColor kWindow{0x1e, 0x21, 0x26};
inline const QColor kChartBackground{0x16, 0x18, 0x1c};
inline const QColor kGrid{0x2a, 0x2e, 0x35};
inline const QColor kText{0xdc, 0xdf, 0xe4};
inline const QColor kMuted{0x7f, 0x84, 0x8e}; // axes, resolved issues, stale data, info findings
inline const QColor kSubtle{0x9a, 0xa0, 0xaa}; // secondary header text, empty-chart notes

// Health and severity.
inline const QColor kGood{0x4c, 0xc9, 0x6f};
inline const QColor kWarning{0xf5, 0xc2, 0x42};
inline const QColor kCritical{0xff, 0x6b, 0x6b};
inline const QColor kInfo{0x8a, 0xb4, 0xf8};

// Chart series.
inline const QColor kSeriesBlue{0x3d, 0x8b, 0xfd};
inline const QColor kSeriesGreen = kGood;
inline const QColor kSeriesAmber = kWarning;
inline const QColor kSeriesViolet{0xb0, 0x7c, 0xf5};
inline const QColor kSeriesRed{0xe0, 0x6c, 0x75}; // also limits drawn on charts
inline const QColor kSeriesGrey = kSubtle;
inline const QColor kTrend = kText; // fitted trends, dashed
inline const QColor kStaleSparkline{0x5a, 0x5e, 0x66};

// Flame graphs: boxes coloured by package (warm hues) carry dark text; a
// search paints matches magenta over dimmed boxes; a diff goes from grey
// (unchanged) to red (grew) or blue (shrank).
inline const QColor kFlameText{0x16, 0x18, 0x1c};
inline const QColor kFlameRoot = kSubtle;
inline const QColor kFlameMatch{0xe8, 0x5d, 0xd8};
inline const QColor kFlameDimmed{0x4a, 0x4e, 0x56};
inline const QColor kDiffUnchanged{0x80, 0x84, 0x8c};
inline const QColor kDiffGrowth{0xe0, 0x4f, 0x4f};
inline const QColor kDiffShrinkage{0x4f, 0x86, 0xe0};

// The suggested-incident bar: a dark amber under warning-coloured text.
inline const QColor kSuggestionBackground{0x3a, 0x2f, 0x12};

// Action markers on charts: sent (cyan, apart from every series colour),
// reverted (grey).
inline const QColor kActionSent{0x36, 0xd1, 0xdc};
inline const QColor kActionReverted = kSubtle;

// The replay timeline: its track, the loop range over it, the playhead,
// and notes (findings use the severity colours, actions kActionSent).
inline const QColor kTimelineTrack{0x2a, 0x2e, 0x35};
inline const QColor kTimelineLoop{0x3d, 0x8b, 0xfd, 0x50};
inline const QColor kPlayhead = kText;
inline const QColor kNoteMarker{0xe8, 0xc3, 0x7a};

// Check boxes in lists: Fusion draws an unchecked box in the window's
// colour darkened, which vanishes on a dark base; this one is drawn.
inline QString checkBoxStyle(const char *view)
{
    return QStringLiteral("%1::indicator { width: 12px; height: 12px; border: 1px solid %2; border-radius: 2px; "
                          "background: %3; } %1::indicator:checked { background: %4; border-color: %4; }")
        .arg(QLatin1String(view), kSubtle.name(), kChartBackground.name(), kGood.name());
}

} // namespace gotriage::ui::palette
